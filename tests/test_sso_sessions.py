"""SSO sessions (session tracking and the hosted UI): a hosted-UI sign-in opens an SSO
session that ListUserSessions shows beside the token sessions that came through it
(OriginSessionId); revoking it ends the hosted UI's cookie session, so /oauth2/authorize
no longer signs in silently (LINKED also ends its token sessions); a client's
MaxValidityMinutes bounds silent reuse; SetUserPoolClientSessionConfiguration needs
session tracking on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import LiveServer, sign_in
from .hosted import (
    CALLBACK,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    query_of,
    sign_in_for_code,
    user_with_email,
)
from .test_tokens import refresh_refused


@pytest.fixture
def tracked(cognito: Any) -> tuple[str, dict[str, Any]]:
    pool_id = oauth_pool(cognito)
    user_with_email(cognito, pool_id)
    cognito.set_user_pool_session_configuration(UserPoolId=pool_id, UserSessionTracking="ENABLED",
                                                TokenSession={"MaxPerUser": 20})
    client = oauth_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"])
    return pool_id, client


def exchange(server: LiveServer, client_id: str, code: str) -> dict[str, Any]:
    resp = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client_id, "redirect_uri": CALLBACK})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def silently(browser: Browser, client_id: str) -> str | None:
    """The code /oauth2/authorize hands out without a page, if the cookie signs in."""
    answer = browser.get("/oauth2/authorize", **authorize_params(client_id))
    location = answer.headers.get("location", "")
    return query_of(location)["code"] if answer.status_code == 302 and location.startswith(CALLBACK) else None


def kinds(sessions: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [s for s in sessions if s["SessionType"] == kind] for kind in ("SSO", "TOKEN")}


def test_a_hosted_sign_in_opens_an_sso_session(cognito: Any, server: LiveServer,
                                              tracked: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = tracked
    client_id = client["ClientId"]
    code, browser = sign_in_for_code(server, client_id)
    hosted = exchange(server, client_id, code)
    api = sign_in(cognito, client_id)
    found = kinds(cognito.list_user_sessions(AccessToken=api["AccessToken"])["Sessions"])
    assert len(found["SSO"]) == 1 and len(found["TOKEN"]) == 2
    sso = found["SSO"][0]
    assert sso["SessionId"].startswith("sso") and len(sso["SessionId"]) == 28 and sso["ClientId"] == client_id
    assert "OriginSessionId" not in sso and sso["IsCurrentSession"] is False
    through = [s for s in found["TOKEN"] if s.get("OriginSessionId") == sso["SessionId"]]
    direct = [s for s in found["TOKEN"] if "OriginSessionId" not in s]
    assert len(through) == 1 and len(direct) == 1 and direct[0]["IsCurrentSession"] is True
    # A silent sign-in through the same SSO session: a second token session from it.
    assert (again := silently(browser, client_id)) is not None
    exchange(server, client_id, again)
    admin = kinds(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"])
    assert len(admin["SSO"]) == 1
    assert len([s for s in admin["TOKEN"] if s.get("OriginSessionId") == sso["SessionId"]]) == 2
    assert hosted["refresh_token"]


def test_revoking_the_sso_session_ends_the_cookie(cognito: Any, server: LiveServer,
                                                   tracked: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = tracked
    client_id = client["ClientId"]
    code, browser = sign_in_for_code(server, client_id)
    hosted = exchange(server, client_id, code)
    api = sign_in(cognito, client_id)
    sso = kinds(cognito.list_user_sessions(AccessToken=api["AccessToken"])["Sessions"])["SSO"][0]
    cognito.revoke_user_session(AccessToken=api["AccessToken"], SessionId=sso["SessionId"])
    # The browser's cookie signs in no more: /oauth2/authorize shows the sign-in page.
    assert silently(browser, client_id) is None
    # Without LINKED, the token session that came through it lives on.
    assert "access_token" in httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": hosted["refresh_token"], "client_id": client_id}).json()
    assert kinds(cognito.list_user_sessions(AccessToken=api["AccessToken"])["Sessions"])["SSO"] == []
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=sso["SessionId"])


def test_linked_revocation(cognito: Any, server: LiveServer, tracked: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = tracked
    client_id = client["ClientId"]
    # Revoking an SSO session with LINKED ends the token sessions that came through it.
    code, browser = sign_in_for_code(server, client_id)
    hosted = exchange(server, client_id, code)
    sessions = kinds(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"])
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=sessions["SSO"][0]["SessionId"],
                                      RevokeAssociatedSessions="LINKED")
    refresh_refused(cognito, client_id, hosted["refresh_token"], "revoked")
    assert silently(browser, client_id) is None
    # Revoking a token session with LINKED ends the SSO session it came through.
    code, browser = sign_in_for_code(server, client_id)
    hosted = exchange(server, client_id, code)
    sessions = kinds(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"])
    assert len(sessions["SSO"]) == 1 and len(sessions["TOKEN"]) == 1
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice",
                                      SessionId=sessions["TOKEN"][0]["SessionId"], RevokeAssociatedSessions="LINKED")
    refresh_refused(cognito, client_id, hosted["refresh_token"], "revoked")
    assert silently(browser, client_id) is None
    assert cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"] == []


def test_global_sign_out_leaves_the_sso_session(cognito: Any, server: LiveServer,
                                                tracked: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = tracked
    client_id = client["ClientId"]
    code, browser = sign_in_for_code(server, client_id)
    exchange(server, client_id, code)
    cognito.global_sign_out(AccessToken=sign_in(cognito, client_id)["AccessToken"])
    # GlobalSignOut "doesn't clear the managed login session cookie".
    sessions = kinds(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"])
    assert len(sessions["SSO"]) == 1 and sessions["TOKEN"] == []
    assert silently(browser, client_id) is not None


def test_max_validity_minutes_bounds_silent_reuse(cognito: Any, server: LiveServer,
                                                  tracked: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = tracked
    client_id = client["ClientId"]
    other = oauth_client(cognito, pool_id)["ClientId"]
    cognito.set_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id,
                                                       SSOSession={"MaxValidityMinutes": 0})
    _, browser = sign_in_for_code(server, client_id)
    # 0: this client always asks again; another client still reuses the session.
    assert silently(browser, client_id) is None
    assert silently(browser, other) is not None
    cognito.set_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=other,
                                                       SSOSession={"MaxValidityMinutes": 10})
    server.clock.advance(9 * 60)
    assert silently(browser, other) is not None
    server.clock.advance(2 * 60)  # 11 minutes after the fresh sign-in
    assert silently(browser, other) is None


def test_client_session_configuration_needs_tracking(cognito: Any) -> None:
    pool_id = oauth_pool(cognito)
    client_id = oauth_client(cognito, pool_id)["ClientId"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="[Ss]ession tracking"):
        cognito.set_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id,
                                                           SSOSession={"MaxValidityMinutes": 30})
    assert cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)[
        "SSOSession"] == {"MaxValidityMinutes": 60}


def test_a_silent_sign_in_a_trigger_refuses_leaves_the_sso_session_as_it_was(
        cognito: Any, server: LiveServer, tracked: tuple[str, dict[str, Any]]) -> None:
    """Nothing of a sign-in a trigger refuses is written: not even the SSO session's
    last activity."""
    pool_id, client = tracked
    client_id = client["ClientId"]
    _, browser = sign_in_for_code(server, client_id)

    def last_active() -> Any:
        sessions = kinds(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"])
        return sessions["SSO"][0]["LastActiveDate"]

    before = last_active()
    server.clock.advance(120)

    def refuse(event: dict[str, Any], context: Any) -> Any:
        raise ValueError("no tokens today")

    server.triggers.set(pool_id, "PreTokenGeneration", refuse)
    try:
        answer = browser.get("/oauth2/authorize", **authorize_params(client_id, response_type="token"))
        assert answer.status_code == 302 and query_of(answer.headers["location"])["error"] == "invalid_request"
        assert last_active() == before
    finally:
        server.triggers.clear()
