"""User session tracking: the pool's and clients' session configuration, token sessions
(one per sign-in, API or hosted) listed by ListUserSessions / AdminListUserSessions,
ended by RevokeUserSession / AdminRevokeUserSession with every token of them, and
MaxPerUser evicting the least recently used."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveServer, confirmed_user, sign_in
from .test_tokens import new_client, refresh, refresh_refused, refused


def tracked(cognito: Any, pool_id: str, max_per_user: int = 20) -> str:
    out = cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user})
    assert out["UserSessionTracking"] == "ENABLED" and out["TokenSession"] == {"MaxPerUser": max_per_user}
    confirmed_user(cognito, pool_id)
    return str(new_client(cognito, pool_id)["ClientId"])


def test_session_configuration_round_trips(cognito: Any, pool_id: str, client_id: str) -> None:
    default = cognito.get_user_pool_session_configuration(UserPoolId=pool_id)
    assert default["UserSessionTracking"] == "DISABLED" and default["TokenSession"] == {"MaxPerUser": 20}
    cognito.set_user_pool_session_configuration(UserPoolId=pool_id, UserSessionTracking="ENABLED",
                                                TokenSession={"MaxPerUser": 5})
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool_id)
    assert (got["UserPoolId"], got["UserSessionTracking"], got["TokenSession"]) == (pool_id, "ENABLED",
                                                                                   {"MaxPerUser": 5})
    set_client = cognito.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 120})
    assert set_client["SSOSession"] == {"MaxValidityMinutes": 120}
    got_client = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert (got_client["ClientId"], got_client["SSOSession"]) == (client_id, {"MaxValidityMinutes": 120})
    # Not part of the pool's or client's description.
    assert "_Sessions" not in str(cognito.describe_user_pool(UserPoolId=pool_id))
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId="nosuchclient00000000000")
    lite = cognito.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.FeatureUnavailableInTierException):
        cognito.set_user_pool_session_configuration(UserPoolId=lite, UserSessionTracking="ENABLED",
                                                    TokenSession={"MaxPerUser": 5})


def test_sessions_are_listed_and_revoked(cognito: Any, server: LiveServer, pool_id: str) -> None:
    client_id = tracked(cognito, pool_id)
    first = sign_in(cognito, client_id)
    server.clock.advance(5)
    second = sign_in(cognito, client_id)
    sessions = cognito.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]
    assert len(sessions) == 2
    assert all(s["SessionType"] == "TOKEN" and s["ClientId"] == client_id for s in sessions)
    current = [s for s in sessions if s["IsCurrentSession"]]
    assert len(current) == 1
    other = next(s for s in sessions if not s["IsCurrentSession"])
    admin = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    assert {s["SessionId"] for s in admin} == {s["SessionId"] for s in sessions}
    # The calling session cannot revoke itself; another one ends with all its tokens.
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.revoke_user_session(AccessToken=second["AccessToken"], SessionId=current[0]["SessionId"])
    cognito.revoke_user_session(AccessToken=second["AccessToken"], SessionId=other["SessionId"])
    refused(cognito, first["AccessToken"], "revoked")
    refresh_refused(cognito, client_id, first["RefreshToken"], "revoked")
    assert "AccessToken" in refresh(cognito, client_id, second["RefreshToken"])
    assert len(cognito.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]) == 1
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=current[0]["SessionId"])
    refused(cognito, second["AccessToken"], "revoked")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=other["SessionId"])


def test_max_per_user_evicts_the_least_recently_used(cognito: Any, server: LiveServer, pool_id: str) -> None:
    client_id = tracked(cognito, pool_id, max_per_user=2)
    oldest = sign_in(cognito, client_id)
    server.clock.advance(5)
    middle = sign_in(cognito, client_id)
    server.clock.advance(5)
    refresh(cognito, client_id, oldest["RefreshToken"])  # used: now the middle one is least recent
    server.clock.advance(5)
    newest = sign_in(cognito, client_id)
    refresh_refused(cognito, client_id, middle["RefreshToken"], "revoked")
    assert "AccessToken" in refresh(cognito, client_id, oldest["RefreshToken"])
    assert len(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]) == 2
    cognito.global_sign_out(AccessToken=newest["AccessToken"])
    assert cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"] == []


def test_untracked_pools_list_no_sessions(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["AccessToken"]
    assert cognito.list_user_sessions(AccessToken=token)["Sessions"] == []
