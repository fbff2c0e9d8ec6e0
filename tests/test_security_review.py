"""Security review of the hosted UI and the OAuth 2.0 / OIDC endpoints: each test is an
attack against the live server, and asserts the attack fails."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from .conftest import LiveServer, confirmed_user, sign_in
from .hosted import (
    CALLBACK,
    LOGOUT,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    pkce,
    sign_in_for_code,
    user_with_email,
)


@pytest.fixture
def pool(cognito: Any) -> str:
    pool_id = oauth_pool(cognito)
    user_with_email(cognito, pool_id)
    return pool_id


@pytest.fixture
def client(cognito: Any, pool: str) -> dict[str, Any]:
    return oauth_client(cognito, pool)


def exchange(server: LiveServer, client_id: str, code: str, **extra: str) -> httpx.Response:
    return httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client_id, "redirect_uri": CALLBACK,
        **extra})


def basic(client: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    raw = f"{client['ClientId']}:{client.get('ClientSecret') if secret is None else secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


# -- redirect URIs -------------------------------------------------------------------------------


@pytest.mark.parametrize("redirect_uri", [
    CALLBACK + "/", "http://LOCALHOST:3000/callback", "http://localhost:3000/callback#x",
    "http://localhost:3001/callback", "http://localhost:3000/callback/../evil", " " + CALLBACK,
    CALLBACK + "%00", "//evil.example.com/callback", "http://localhost:3000@evil.example.com/callback"])
def test_redirect_uri_variants_never_redirect(server: LiveServer, client: dict[str, Any], redirect_uri: str) -> None:
    for path in ("/oauth2/authorize", "/login", "/logout"):
        resp = httpx.get(server.url + path, params=authorize_params(client["ClientId"], redirect_uri=redirect_uri))
        assert resp.status_code == 400 and "location" not in resp.headers, (path, resp.status_code)


@pytest.mark.parametrize("logout_uri", [LOGOUT + "/", LOGOUT.upper(), LOGOUT + "?x=1", "https://evil.example.com"])
def test_logout_uri_variants_never_redirect(server: LiveServer, client: dict[str, Any], logout_uri: str) -> None:
    resp = httpx.get(f"{server.url}/logout", params={"client_id": client["ClientId"], "logout_uri": logout_uri})
    assert resp.status_code == 400 and "location" not in resp.headers


# -- codes and PKCE ------------------------------------------------------------------------------


def test_a_code_is_single_use_and_bound_to_its_client(server: LiveServer, cognito: Any, pool: str,
                                                      client: dict[str, Any]) -> None:
    other = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"])
    stolen = exchange(server, other["ClientId"], code)
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    code, _ = sign_in_for_code(server, client["ClientId"])
    assert exchange(server, client["ClientId"], code).status_code == 200
    again = exchange(server, client["ClientId"], code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_code_expires_after_five_minutes(server: LiveServer, client: dict[str, Any]) -> None:
    code, _ = sign_in_for_code(server, client["ClientId"])
    server.clock.advance(301)
    assert exchange(server, client["ClientId"], code).json()["error"] == "invalid_grant"


def test_pkce_cannot_be_skipped_or_answered_with_the_challenge(server: LiveServer, client: dict[str, Any]) -> None:
    verifier, challenge = pkce()
    for wrong in ({}, {"code_verifier": challenge}, {"code_verifier": ""}, {"code_verifier": verifier + "x"}):
        code, _ = sign_in_for_code(server, client["ClientId"], code_challenge=challenge,
                                   code_challenge_method="S256")
        resp = exchange(server, client["ClientId"], code, **wrong)
        assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant", wrong
    code, _ = sign_in_for_code(server, client["ClientId"], code_challenge=challenge, code_challenge_method="S256")
    assert exchange(server, client["ClientId"], code, code_verifier=verifier).status_code == 200


# -- client authentication -----------------------------------------------------------------------


def test_a_confidential_client_needs_its_own_secret(server: LiveServer, cognito: Any, pool: str) -> None:
    confidential = oauth_client(cognito, pool, secret=True)
    other = oauth_client(cognito, pool, secret=True)
    for headers, extra in (({}, {}), (basic(confidential, "wrong"), {}), (basic(confidential, other["ClientSecret"]), {}),
                           ({}, {"client_secret": confidential["ClientSecret"][:-1]}),
                           (basic(confidential, ""), {})):
        code, _ = sign_in_for_code(server, confidential["ClientId"])
        resp = httpx.post(f"{server.url}/oauth2/token", headers=headers, data={
            "grant_type": "authorization_code", "code": code, "client_id": confidential["ClientId"],
            "redirect_uri": CALLBACK, **extra})
        assert resp.status_code in (400, 401) and resp.json()["error"] == "invalid_client", (headers, extra)


def test_refresh_tokens_do_not_cross_clients(server: LiveServer, cognito: Any, pool: str,
                                             client: dict[str, Any]) -> None:
    other = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"])
    refresh = exchange(server, client["ClientId"], code).json()["refresh_token"]
    resp = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh, "client_id": other["ClientId"]})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_a_domain_host_does_not_serve_another_pools_client(server: LiveServer, cognito: Any, pool: str) -> None:
    prefix = f"sec-{uuid.uuid4().hex[:8]}"
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix)
    other_pool = oauth_pool(cognito)
    m2m = cognito.create_user_pool_client(
        UserPoolId=other_pool, ClientName="m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"])["UserPoolClient"]
    port = server.url.rsplit(":", 1)[1]
    resp = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"},
                      headers={**basic(m2m), "Host": f"{prefix}.localhost:{port}"})
    assert resp.status_code in (400, 401) and resp.json()["error"] == "invalid_client"


# -- userInfo ----------------------------------------------------------------------------------


def test_user_info_refuses_id_tokens_api_tokens_and_client_tokens(server: LiveServer, cognito: Any, pool: str,
                                                                  client: dict[str, Any]) -> None:
    code, _ = sign_in_for_code(server, client["ClientId"])
    tokens = exchange(server, client["ClientId"], code).json()
    api_tokens = sign_in(cognito, client["ClientId"])
    m2m = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"])["UserPoolClient"]
    machine = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"},
                         headers=basic(m2m)).json()["access_token"]
    for token in (tokens["id_token"], api_tokens["AccessToken"], api_tokens["IdToken"], machine):
        resp = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, resp.text
    ok = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert ok.status_code == 200


# -- pages: escaping, CSRF, cookies --------------------------------------------------------------


def test_reflected_parameters_are_escaped(server: LiveServer, client: dict[str, Any]) -> None:
    evil = '"><script>alert(1)</script>'
    browser = Browser(server.url)
    page = browser.get("/login", **authorize_params(client["ClientId"], state=evil, nonce=evil))
    assert page.status_code == 200 and "<script>" not in page.text
    answer = browser.submit(username=evil, password="x")
    assert "<script>" not in answer.text


def test_session_cookie_flags(server: LiveServer, client: dict[str, Any]) -> None:
    _, browser = sign_in_for_code(server, client["ClientId"])
    assert browser.page is not None
    cookies = browser.page.headers.get_list("set-cookie")
    session = [c for c in cookies if c.startswith("cognito-")]
    assert session and all("HttpOnly" in c and "SameSite=lax" in c for c in session), cookies


def test_a_session_does_not_sign_in_a_new_user_of_the_same_name(server: LiveServer, cognito: Any, pool: str,
                                                                client: dict[str, Any]) -> None:
    _, browser = sign_in_for_code(server, client["ClientId"])
    cognito.admin_delete_user(UserPoolId=pool, Username="alice")
    server.clock.advance(5)
    confirmed_user(cognito, pool, "alice", email="someone-else@example.com", email_verified="true")
    resp = browser.get("/oauth2/authorize", **authorize_params(client["ClientId"]))
    assert resp.status_code == 302 and resp.headers["location"].startswith(f"{server.url}/login?"), \
        resp.headers.get("location")


# -- branding --------------------------------------------------------------------------------------


@pytest.mark.parametrize("css", [
    '.banner-customizable { content: "/*"; } @import url(https://evil.example.com/x.css); '
    '.label-customizable { content: "*/"; }',
    '.banner-customizable { content: "/*"; } input[name=_csrf] { display: none } '
    '.label-customizable { content: "*/"; }',
    # An unterminated string ends at the line's end, so the browser reads the @import.
    '.banner-customizable { content: "/*\n} @import url(https://evil.example.com/x.css);\n'
    '.label-customizable { content: "*/"; }',
    ".banner-customizable { content: '/*'; } @import url(x.css); .label-customizable { content: '*/'; }",
])
def test_css_checks_cannot_be_hidden_in_a_comment_inside_a_string(cognito: Any, pool: str,
                                                                  client: dict[str, Any], css: str) -> None:
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"css-{uuid.uuid4().hex[:8]}")
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.set_ui_customization(UserPoolId=pool, ClientId=client["ClientId"], CSS=css)


def test_css_with_comments_and_strings_is_still_accepted(server: LiveServer, cognito: Any, pool: str,
                                                         client: dict[str, Any]) -> None:
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"css-{uuid.uuid4().hex[:8]}")
    css = '/* brand " colours */ .banner-customizable { font-family: "Helvetica /* Neue */"; color: red; }'
    cognito.set_ui_customization(UserPoolId=pool, ClientId=client["ClientId"], CSS=css)
    page = httpx.get(f"{server.url}/login", params=authorize_params(client["ClientId"]))
    assert page.status_code == 200 and 'font-family: "Helvetica /* Neue */"' in page.text


def test_a_domains_user_info_refuses_another_pools_token(server: LiveServer, cognito: Any, pool: str,
                                                        client: dict[str, Any]) -> None:
    prefix = f"sec-{uuid.uuid4().hex[:8]}"
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix)
    port = server.url.rsplit(":", 1)[1]
    host = {"Host": f"{prefix}.localhost:{port}"}
    other_pool = oauth_pool(cognito)
    user_with_email(cognito, other_pool, "mallory")
    stranger = oauth_client(cognito, other_pool)
    code, _ = sign_in_for_code(server, stranger["ClientId"], "mallory")
    foreign = exchange(server, stranger["ClientId"], code).json()["access_token"]
    resp = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {foreign}", **host})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_token", resp.text
    code, _ = sign_in_for_code(server, client["ClientId"])
    own = exchange(server, client["ClientId"], code).json()["access_token"]
    ok = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {own}", **host})
    assert ok.status_code == 200 and ok.json()["username"] == "alice"
