"""The OAuth 2.0 / OpenID Connect endpoints driven by an OAuth client nobody here wrote
(Authlib's OAuth2Session): authorization code with PKCE, refresh, client_credentials;
the token endpoint's every error; single-use, bound, expiring codes."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session

from .conftest import LiveServer
from .hosted import (
    CALLBACK,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    pkce,
    sign_in_for_code,
    user_with_email,
)

ENDPOINTS = {"authorization_endpoint": "/oauth2/authorize", "token_endpoint": "/oauth2/token",
             "userinfo_endpoint": "/oauth2/userInfo", "revocation_endpoint": "/oauth2/revoke",
             "end_session_endpoint": "/logout"}


@pytest.fixture
def pool(cognito: Any) -> str:
    pool_id = oauth_pool(cognito)
    user_with_email(cognito, pool_id)
    return pool_id


def verified(server: LiveServer, pool_id: str, token: str, **options: Any) -> dict[str, Any]:
    """Claims of a token checked against the pool's published JWKS."""
    key = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{server.url}/{pool_id}", **options))


def exchange(server: LiveServer, **form: str) -> httpx.Response:
    return httpx.post(f"{server.url}/oauth2/token", data=form)


def test_discovery_lists_exactly_the_hosted_endpoints(server: LiveServer, pool: str) -> None:
    doc = httpx.get(f"{server.url}/{pool}/.well-known/openid-configuration").json()
    assert {k: v for k, v in doc.items() if k.endswith("_endpoint")} == {
        key: server.url + path for key, path in ENDPOINTS.items()}
    for path in ENDPOINTS.values():  # each one is served
        assert httpx.request("OPTIONS" if path == "/oauth2/token" else "GET", server.url + path).status_code != 404


def test_authlib_code_flow_with_pkce_refresh_and_user_info(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool, secret=True)
    session = OAuth2Session(client["ClientId"], client["ClientSecret"], scope="openid email orders/read",
                            redirect_uri=CALLBACK, code_challenge_method="S256")
    verifier, _ = pkce()
    uri, state = session.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier,
                                                  nonce="n-0S6_WzA2Mj")
    browser = Browser(server.url)
    assert browser.get(uri).status_code == 302
    browser.follow()
    answer = browser.submit(username="alice", password="Passw0rd!")
    callback = answer.headers["location"]
    assert callback.startswith(CALLBACK + "?code=") and f"state={state}" in callback
    token = session.fetch_token(f"{server.url}/oauth2/token", authorization_response=callback,
                                code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    access = verified(server, pool, token["access_token"])
    assert access["scope"].split() == ["openid", "email", "orders/read"] and access["version"] == 2
    assert access["client_id"] == client["ClientId"] and access["username"] == "alice"
    id_claims = verified(server, pool, token["id_token"], audience=client["ClientId"])
    assert id_claims["nonce"] == "n-0S6_WzA2Mj" and id_claims["email"] == "alice@example.com"
    digest = hashlib.sha256(token["access_token"].encode()).digest()[:16]
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    refreshed = session.refresh_token(f"{server.url}/oauth2/token")
    again = verified(server, pool, refreshed["access_token"])
    assert again["origin_jti"] == access["origin_jti"] and again["jti"] != access["jti"]
    assert again["scope"] == access["scope"] and again["version"] == 2
    assert refreshed["refresh_token"] == token["refresh_token"]  # kept by Authlib: none was sent
    assert "nonce" not in verified(server, pool, refreshed["id_token"], audience=client["ClientId"])
    info = session.get(f"{server.url}/oauth2/userInfo").json()
    assert info == {"sub": access["sub"], "email": "alice@example.com", "email_verified": "true",
                    "username": "alice"}


def test_public_client_without_pkce_and_client_secret_post(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"])
    resp = exchange(server, grant_type="authorization_code", code=code, client_id=client["ClientId"],
                    redirect_uri=CALLBACK)
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    assert set(resp.json()) == {"id_token", "access_token", "refresh_token", "token_type", "expires_in"}
    secret_client = oauth_client(cognito, pool, secret=True)
    code, _ = sign_in_for_code(server, secret_client["ClientId"])
    resp = exchange(server, grant_type="authorization_code", code=code, client_id=secret_client["ClientId"],
                    client_secret=secret_client["ClientSecret"], redirect_uri=CALLBACK)
    assert resp.status_code == 200, resp.text


def test_client_credentials_gives_an_access_token_with_custom_scopes(server: LiveServer, cognito: Any,
                                                                       pool: str) -> None:
    client = oauth_client(cognito, pool, secret=True, AllowedOAuthFlows=["client_credentials"],
                          AllowedOAuthScopes=["orders/read", "orders/write"], CallbackURLs=[])
    session = OAuth2Session(client["ClientId"], client["ClientSecret"], scope="orders/read")
    token = session.fetch_token(f"{server.url}/oauth2/token", grant_type="client_credentials")
    assert "id_token" not in token and "refresh_token" not in token
    claims = verified(server, pool, token["access_token"])
    assert claims["scope"] == "orders/read" and claims["sub"] == client["ClientId"]
    assert claims["token_use"] == "access" and claims["version"] == 2 and "username" not in claims
    every = OAuth2Session(client["ClientId"], client["ClientSecret"]).fetch_token(
        f"{server.url}/oauth2/token", grant_type="client_credentials")
    assert verified(server, pool, every["access_token"])["scope"] == "orders/read orders/write"


def test_a_machine_token_is_no_users_token(server: LiveServer, cognito: Any, pool: str) -> None:
    """A client_credentials token names no user and carries only custom scopes: every
    action that takes a user's access token refuses it as NotAuthorizedException (it
    lacks aws.cognito.signin.user.admin), never UserNotFoundException; userInfo, 401."""
    client = oauth_client(cognito, pool, secret=True, AllowedOAuthFlows=["client_credentials"],
                          AllowedOAuthScopes=["orders/read"], CallbackURLs=[])
    token = OAuth2Session(client["ClientId"], client["ClientSecret"]).fetch_token(
        f"{server.url}/oauth2/token", grant_type="client_credentials")["access_token"]
    calls = {
        "get_user": {}, "global_sign_out": {}, "delete_user": {}, "associate_software_token": {},
        "change_password": {"PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"},
        "update_user_attributes": {"UserAttributes": [{"Name": "given_name", "Value": "M"}]},
        "delete_user_attributes": {"UserAttributeNames": ["given_name"]},
        "get_user_attribute_verification_code": {"AttributeName": "email"},
        "verify_user_attribute": {"AttributeName": "email", "Code": "123456"},
        "set_user_mfa_preference": {"SoftwareTokenMfaSettings": {"Enabled": False}},
        "verify_software_token": {"UserCode": "123456"},
    }
    for name, extra in calls.items():
        with pytest.raises(cognito.exceptions.NotAuthorizedException) as refused:
            getattr(cognito, name)(AccessToken=token, **extra)
        assert refused.value.response["Error"]["Message"] == "Access Token does not have required scopes", name
    info = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 401 and 'error="invalid_token"' in info.headers["www-authenticate"]


# -- the token endpoint's errors -----------------------------------------------------------


@pytest.fixture
def clients(cognito: Any, pool: str) -> dict[str, dict[str, Any]]:
    return {
        "public": oauth_client(cognito, pool),
        "secret": oauth_client(cognito, pool, secret=True),
        "implicit": oauth_client(cognito, pool, AllowedOAuthFlows=["implicit"]),
        "m2m": oauth_client(cognito, pool, secret=True, AllowedOAuthFlows=["client_credentials"],
                            AllowedOAuthScopes=["orders/read"], CallbackURLs=[]),
    }


def basic(client: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    raw = f"{client['ClientId']}:{secret if secret is not None else client['ClientSecret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.mark.parametrize(("who", "form", "headers", "error"), [
    ("public", {}, {}, "invalid_request"),
    ("public", {"grant_type": "password", "username": "alice"}, {}, "unsupported_grant_type"),
    ("nobody", {"grant_type": "client_credentials"}, {}, "invalid_client"),
    ("secret", {"grant_type": "client_credentials"}, {}, "invalid_client"),  # secret missing
    ("secret", {"grant_type": "refresh_token", "refresh_token": "x", "client_secret": "wrong"}, {},
     "invalid_client"),
    ("public", {"grant_type": "refresh_token", "refresh_token": "x", "client_secret": "s3cret"}, {},
     "invalid_client"),
    ("implicit", {"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK}, {},
     "unauthorized_client"),
    ("public", {"grant_type": "client_credentials"}, {}, "unauthorized_client"),
    ("m2m", {"grant_type": "client_credentials", "scope": "orders/write"}, "basic", "invalid_scope"),
    ("m2m", {"grant_type": "client_credentials", "scope": "openid"}, "basic", "invalid_scope"),
    ("public", {"grant_type": "authorization_code", "redirect_uri": CALLBACK}, {}, "invalid_request"),
    ("public", {"grant_type": "authorization_code", "code": "nope"}, {}, "invalid_request"),
    ("public", {"grant_type": "authorization_code", "code": "nope", "redirect_uri": CALLBACK}, {}, "invalid_grant"),
    ("public", {"grant_type": "refresh_token"}, {}, "invalid_request"),
    ("public", {"grant_type": "refresh_token", "refresh_token": "not-a-token"}, {}, "invalid_grant"),
])
def test_token_endpoint_errors(server: LiveServer, clients: dict[str, dict[str, Any]], who: str,
                               form: dict[str, str], headers: Any, error: str) -> None:
    client = clients.get(who, {"ClientId": "nosuchclient0000000000000"})
    if headers == "basic":
        headers = basic(client)
    else:
        form = {"client_id": client["ClientId"], **form}
    resp = httpx.post(f"{server.url}/oauth2/token", data=form, headers=headers)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"] == error, resp.json()


def test_malformed_requests_to_the_token_endpoint(server: LiveServer, clients: dict[str, dict[str, Any]]) -> None:
    m2m = clients["m2m"]
    wrong = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"},
                       headers=basic(m2m, "not-the-secret"))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"
    garbled = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": "Basic !!!"})
    assert garbled.status_code == 401 and garbled.json()["error"] == "invalid_client"
    as_json = httpx.post(f"{server.url}/oauth2/token", json={"grant_type": "client_credentials"})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    twice = httpx.post(f"{server.url}/oauth2/token", content=b"grant_type=a&grant_type=b",
                       headers={"content-type": "application/x-www-form-urlencoded", **basic(m2m)})
    assert twice.status_code == 400 and twice.json()["error"] == "invalid_request"
    ok = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(m2m))
    assert ok.status_code == 200, ok.text


# -- codes: single use, bound, short-lived -------------------------------------------------------


def test_a_code_is_good_for_one_exchange(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"])
    form = {"grant_type": "authorization_code", "code": code, "client_id": client["ClientId"], "redirect_uri": CALLBACK}
    assert exchange(server, **form).status_code == 200
    replay = exchange(server, **form)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("change", ["redirect_uri", "client", "verifier", "no_verifier", "expired"])
def test_a_code_is_bound_to_client_redirect_and_pkce_and_dies_in_five_minutes(
        server: LiveServer, cognito: Any, pool: str, change: str) -> None:
    client = oauth_client(cognito, pool, CallbackURLs=[CALLBACK, CALLBACK + "/other"])
    verifier, challenge = pkce()
    code, _ = sign_in_for_code(server, client["ClientId"], code_challenge=challenge, code_challenge_method="S256")
    form = {"grant_type": "authorization_code", "code": code, "client_id": client["ClientId"],
            "redirect_uri": CALLBACK, "code_verifier": verifier}
    if change == "redirect_uri":
        form["redirect_uri"] = CALLBACK + "/other"
    elif change == "client":
        form["client_id"] = oauth_client(cognito, pool)["ClientId"]
    elif change == "verifier":
        form["code_verifier"] = pkce()[0]
    elif change == "no_verifier":
        del form["code_verifier"]
    else:
        server.clock.advance(301)
    refused = exchange(server, **form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text
    # The refused exchange spent the code: even the right request now fails.
    server.clock.reset()
    right = {**form, "redirect_uri": CALLBACK, "client_id": client["ClientId"], "code_verifier": verifier}
    assert exchange(server, **right).json()["error"] == "invalid_grant"


def test_a_code_exchanged_within_five_minutes_works(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"])
    server.clock.advance(299)
    resp = exchange(server, grant_type="authorization_code", code=code, client_id=client["ClientId"],
                    redirect_uri=CALLBACK)
    assert resp.status_code == 200, resp.text


def test_scopes_decide_the_id_token_and_the_api_access(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool)
    code, _ = sign_in_for_code(server, client["ClientId"], scope="aws.cognito.signin.user.admin")
    token = exchange(server, grant_type="authorization_code", code=code, client_id=client["ClientId"],
                     redirect_uri=CALLBACK).json()
    assert "id_token" not in token
    assert cognito.get_user(AccessToken=token["access_token"])["Username"] == "alice"
    code, _ = sign_in_for_code(server, client["ClientId"], scope="openid profile")
    token = exchange(server, grant_type="authorization_code", code=code, client_id=client["ClientId"],
                     redirect_uri=CALLBACK).json()
    assert "id_token" in token
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_user(AccessToken=token["access_token"])


def test_authorize_params_are_checked_before_any_sign_in(server: LiveServer, cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool)
    page = httpx.get(f"{server.url}/login", params=authorize_params(client["ClientId"], scope="openid orders/write"))
    assert page.status_code == 302 and "error=invalid_scope" in page.headers["location"]
