"""/oauth2/authorize's checks (redirect URI matched exactly, errors sent back to the
app), the implicit grant, the hosted-UI session cookie and /logout, /oauth2/userInfo,
/oauth2/revoke, and the Host header of a domain choosing the pool."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jwt
import pytest

from .conftest import LiveServer, sign_in
from .hosted import (
    CALLBACK,
    LOGOUT,
    Browser,
    authorize_params,
    fragment_of,
    oauth_client,
    oauth_pool,
    query_of,
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


def tokens_for(server: LiveServer, client: dict[str, Any], **extra: str) -> dict[str, Any]:
    code, _ = sign_in_for_code(server, client["ClientId"], **extra)
    resp = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client["ClientId"], "redirect_uri": CALLBACK})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


# -- /oauth2/authorize -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/oauth2/authorize", "/login", "/signup", "/forgotPassword"])
@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example.com/callback", CALLBACK + "/more", CALLBACK + "?next=x", CALLBACK.upper(), ""])
def test_an_unregistered_redirect_uri_shows_an_error_and_never_redirects(
        server: LiveServer, client: dict[str, Any], path: str, redirect_uri: str) -> None:
    resp = httpx.get(server.url + path, params=authorize_params(client["ClientId"], redirect_uri=redirect_uri))
    assert resp.status_code == 400 and "location" not in resp.headers
    assert "redirect_mismatch" in resp.text and "Redirect mismatch" in resp.text


def test_default_redirect_uri_stands_in_for_a_missing_one(server: LiveServer, cognito: Any, pool: str) -> None:
    with_default = oauth_client(cognito, pool, CallbackURLs=[CALLBACK, LOGOUT], DefaultRedirectURI=LOGOUT)
    params = {k: v for k, v in authorize_params(with_default["ClientId"]).items() if k != "redirect_uri"}
    resp = httpx.get(f"{server.url}/oauth2/authorize", params=params)
    assert resp.status_code == 302 and query_of(resp.headers["location"])["redirect_uri"] == LOGOUT
    without = oauth_client(cognito, pool)
    params["client_id"] = without["ClientId"]
    refused = httpx.get(f"{server.url}/oauth2/authorize", params=params)
    assert refused.status_code == 400 and "location" not in refused.headers


def test_an_unknown_client_shows_an_error_page(server: LiveServer) -> None:
    for params in ({"client_id": "nosuchclient", "redirect_uri": CALLBACK, "response_type": "code"}, {}):
        resp = httpx.get(f"{server.url}/oauth2/authorize", params=params)
        assert resp.status_code == 400 and "location" not in resp.headers and "Unknown app client" in resp.text


@pytest.mark.parametrize(("extra", "error"), [
    ({"response_type": ""}, "invalid_request"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"scope": "openid orders/write"}, "invalid_scope"),
    ({"code_challenge": "abc"}, "invalid_request"),
    ({"code_challenge": "abc", "code_challenge_method": "S512"}, "invalid_request"),
    ({"code_challenge": "plain-verifier-" + "x" * 40, "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"identity_provider": "Google"}, "unauthorized_client"),
])
def test_authorize_errors_go_back_to_the_app_with_the_state(server: LiveServer, client: dict[str, Any],
                                                            extra: dict[str, str], error: str) -> None:
    resp = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(client["ClientId"], state="s-1", **extra))
    assert resp.status_code == 302
    answer = query_of(resp.headers["location"])
    assert resp.headers["location"].startswith(CALLBACK + "?")
    assert answer["error"] == error and answer["state"] == "s-1" and "code" not in answer


def test_a_client_without_the_flow_is_unauthorized(server: LiveServer, cognito: Any, pool: str) -> None:
    implicit_only = oauth_client(cognito, pool, AllowedOAuthFlows=["implicit"])
    resp = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(implicit_only["ClientId"]))
    assert query_of(resp.headers["location"])["error"] == "unauthorized_client"
    off = oauth_client(cognito, pool, AllowedOAuthFlowsUserPoolClient=False)
    resp = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(off["ClientId"]))
    assert query_of(resp.headers["location"])["error"] == "unauthorized_client"


def test_implicit_grant_puts_tokens_in_the_fragment(server: LiveServer, cognito: Any, pool: str,
                                                    client: dict[str, Any]) -> None:
    browser = Browser(server.url)
    browser.get("/login", **authorize_params(client["ClientId"], response_type="token", state="st", nonce="nn"))
    answer = browser.submit(username="alice", password="Passw0rd!")
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "#") and "?" not in location
    tokens = fragment_of(location)
    assert set(tokens) == {"id_token", "access_token", "token_type", "expires_in", "state"}
    assert tokens["state"] == "st" and tokens["token_type"] == "Bearer" and tokens["expires_in"] == "3600"
    id_claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_claims["nonce"] == "nn" and "at_hash" in id_claims
    browser.http.cookies.clear()
    browser.get("/login", **authorize_params(client["ClientId"], response_type="token", scope="email"))
    without_openid = fragment_of(browser.submit(username="alice", password="Passw0rd!").headers["location"])
    assert "id_token" not in without_openid and "access_token" in without_openid


# -- the session cookie and /logout ---------------------------------------------------------


def test_a_second_authorize_skips_the_form_until_logout(server: LiveServer, client: dict[str, Any]) -> None:
    _, browser = sign_in_for_code(server, client["ClientId"])
    cookie = next(c for c in browser.http.cookies.jar if c.name.startswith("cognito-"))
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "lax"
    again = browser.get("/oauth2/authorize", **authorize_params(client["ClientId"], state="2"))
    assert again.status_code == 302 and again.headers["location"].startswith(CALLBACK + "?code=")
    assert query_of(again.headers["location"])["state"] == "2"
    assert browser.get("/login", **authorize_params(client["ClientId"])).headers["location"].startswith(CALLBACK)
    out = browser.get("/logout", client_id=client["ClientId"], logout_uri=LOGOUT)
    assert out.status_code == 302 and out.headers["location"] == LOGOUT
    after = browser.get("/oauth2/authorize", **authorize_params(client["ClientId"]))
    assert after.status_code == 302 and "/login?" in after.headers["location"]


def test_the_session_lasts_an_hour(server: LiveServer, client: dict[str, Any]) -> None:
    _, browser = sign_in_for_code(server, client["ClientId"])
    server.clock.advance(3601)
    assert "/login?" in browser.get("/oauth2/authorize", **authorize_params(client["ClientId"])).headers["location"]


def test_logout_errors_and_the_redirect_uri_form(server: LiveServer, client: dict[str, Any]) -> None:
    _, browser = sign_in_for_code(server, client["ClientId"])
    for params in ({"client_id": client["ClientId"], "logout_uri": "https://evil.example.com/"},
                   {"client_id": client["ClientId"]}, {"logout_uri": LOGOUT}):
        page = browser.get("/logout", **params)
        assert page.status_code == 400 and "location" not in page.headers
    # None of those signed the user out.
    assert browser.get("/oauth2/authorize", **authorize_params(client["ClientId"])).headers["location"].startswith(
        CALLBACK)
    back = browser.get("/logout", **authorize_params(client["ClientId"]))
    assert back.status_code == 302 and "/login?" in back.headers["location"]
    login = browser.follow()
    assert login.status_code == 200 and "You have signed out." in login.text


# -- /oauth2/userInfo ----------------------------------------------------------------------------


def test_user_info_answers_by_scope_and_refuses_api_tokens(server: LiveServer, cognito: Any, pool: str,
                                                           client: dict[str, Any]) -> None:
    token = tokens_for(server, client, scope="openid phone")["access_token"]
    info = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 200 and info.json()["username"] == "alice" and info.json()["email"]
    as_post = httpx.post(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
    assert as_post.json() == info.json()
    missing = httpx.get(f"{server.url}/oauth2/userInfo")
    assert missing.status_code == 400 and 'error="invalid_request"' in missing.headers["www-authenticate"]
    api_token = sign_in(cognito, client["ClientId"])["AccessToken"]  # no openid scope
    for bad in (api_token, "not.a.token"):
        refused = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {bad}"})
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username="alice")
    signed_out = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
    assert signed_out.status_code == 401 and 'error="invalid_token"' in signed_out.headers["www-authenticate"]


# -- /oauth2/revoke ------------------------------------------------------------------------------


def test_revoke_kills_the_refresh_token_and_its_access_tokens(server: LiveServer, client: dict[str, Any]) -> None:
    tokens = tokens_for(server, client)
    revoke = httpx.post(f"{server.url}/oauth2/revoke", data={"token": tokens["refresh_token"],
                                                             "client_id": client["ClientId"]})
    assert revoke.status_code == 200 and revoke.content == b""
    refresh = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client["ClientId"]})
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    info = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401
    unknown = httpx.post(f"{server.url}/oauth2/revoke", data={"token": "eyJunknown.a.b.c.d", "client_id": client["ClientId"]})
    assert unknown.status_code == 200


def test_revoke_errors(server: LiveServer, cognito: Any, pool: str, client: dict[str, Any]) -> None:
    tokens = tokens_for(server, client)
    cases = [
        ({"token": tokens["access_token"], "client_id": client["ClientId"]}, 400, "unsupported_token_type"),
        ({"client_id": client["ClientId"]}, 400, "invalid_request"),
        ({"token": tokens["refresh_token"], "client_id": "nosuchclient"}, 401, "invalid_client"),
        ({"token": tokens["refresh_token"], "client_id": oauth_client(cognito, pool)["ClientId"]}, 400,
         "invalid_request"),
    ]
    no_revocation = oauth_client(cognito, pool, EnableTokenRevocation=False)
    cases.append(({"token": tokens["refresh_token"], "client_id": no_revocation["ClientId"]}, 400, "invalid_request"))
    for form, status, error in cases:
        resp = httpx.post(f"{server.url}/oauth2/revoke", data=form)
        assert (resp.status_code, resp.json()["error"]) == (status, error), form


# -- a domain's Host chooses the pool ---------------------------------------------------------------


def test_a_domain_host_selects_its_pool(server: LiveServer, cognito: Any, pool: str, client: dict[str, Any]) -> None:
    prefix = f"myapp-{uuid.uuid4().hex[:8]}"
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix)
    port = server.url.rsplit(":", 1)[1]
    host = {"Host": f"{prefix}.localhost:{port}"}
    resp = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(client["ClientId"]), headers=host)
    assert resp.status_code == 302 and resp.headers["location"].startswith(f"http://{prefix}.localhost:{port}/login?")
    doc = httpx.get(f"{server.url}/{pool}/.well-known/openid-configuration", headers=host).json()
    assert doc["authorization_endpoint"] == f"http://{prefix}.localhost:{port}/oauth2/authorize"
    other_pool = oauth_pool(cognito)
    stranger = oauth_client(cognito, other_pool)
    refused = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(stranger["ClientId"]), headers=host)
    assert refused.status_code == 400 and "location" not in refused.headers
    plain = httpx.get(f"{server.url}/oauth2/authorize", params=authorize_params(stranger["ClientId"]))
    assert plain.status_code == 302
