"""GetTokensFromRefreshToken and refresh-token rotation: without rotation a refresh gives
ID and access tokens only; with it each refresh gives a new refresh token and the old
one dies after the client's grace period (the injected clock); REFRESH_TOKEN_AUTH
refuses rotating clients; RevokeToken ends the whole family; the hosted refresh grant
follows the same rules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in
from .test_tokens import claims, new_client, refresh, refused, secret_hash, verify


def rotating(cognito: Any, pool_id: str, grace: int | None = None, **options: Any) -> str:
    rotation: dict[str, Any] = {"Feature": "ENABLED"}
    if grace is not None:
        rotation["RetryGracePeriodSeconds"] = grace
    return str(new_client(cognito, pool_id, RefreshTokenRotation=rotation, **options)["ClientId"])


def get_tokens(cognito: Any, client_id: str, token: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = cognito.get_tokens_from_refresh_token(
        ClientId=client_id, RefreshToken=token, **extra)["AuthenticationResult"]
    return result


def test_rotation_setting_is_carried_by_create_describe_update(cognito: Any, pool_id: str) -> None:
    client_id = rotating(cognito, pool_id, grace=30)
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 30}
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id,
        RefreshTokenRotation={"Feature": "DISABLED"})["UserPoolClient"]
    assert updated["RefreshTokenRotation"] == {"Feature": "DISABLED"}
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 61})


def test_without_rotation_only_id_and_access_tokens(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    first = sign_in(cognito, client_id)
    again = get_tokens(cognito, client_id, first["RefreshToken"], ClientMetadata={"k": "v"})
    assert "RefreshToken" not in again and again["TokenType"] == "Bearer"
    assert claims(again["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
    assert claims(again["IdToken"])["cognito:username"] == "alice"
    # The same refresh token keeps working, through either way in.
    assert "AccessToken" in get_tokens(cognito, client_id, first["RefreshToken"])
    assert "AccessToken" in refresh(cognito, client_id, first["RefreshToken"])


def test_rotation_issues_a_new_refresh_token_and_retires_the_old_after_grace(
        cognito: Any, server: LiveServer, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id, grace=10)
    first = sign_in(cognito, client_id)
    second = get_tokens(cognito, client_id, first["RefreshToken"])
    assert second["RefreshToken"] != first["RefreshToken"]
    assert claims(second["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
    # Within the grace period the old token still works (a client's retry) and yields a
    # refresh token as good as the one it may have lost.
    retry = get_tokens(cognito, client_id, first["RefreshToken"])
    assert "RefreshToken" in retry
    server.clock.advance(11)
    with pytest.raises(cognito.exceptions.RefreshTokenReuseException):
        get_tokens(cognito, client_id, first["RefreshToken"])
    third = get_tokens(cognito, client_id, second["RefreshToken"])
    # Rotated again: the second token has its grace, then dies; the retry's twin too.
    server.clock.advance(11)
    for old in (second["RefreshToken"], retry["RefreshToken"]):
        with pytest.raises(cognito.exceptions.RefreshTokenReuseException):
            get_tokens(cognito, client_id, old)
    assert "RefreshToken" in get_tokens(cognito, client_id, third["RefreshToken"])


def test_zero_grace_retires_the_old_token_at_once(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id)  # no RetryGracePeriodSeconds: none
    first = sign_in(cognito, client_id)
    second = get_tokens(cognito, client_id, first["RefreshToken"])
    with pytest.raises(cognito.exceptions.RefreshTokenReuseException):
        get_tokens(cognito, client_id, first["RefreshToken"])
    assert "RefreshToken" in get_tokens(cognito, client_id, second["RefreshToken"])


def test_rotated_out_token_is_refused_after_rotation_is_turned_off(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id, grace=0)
    first = sign_in(cognito, client_id)
    second = get_tokens(cognito, client_id, first["RefreshToken"])
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid Refresh Token"):
        refresh(cognito, client_id, first["RefreshToken"])
    assert "RefreshToken" not in refresh(cognito, client_id, second["RefreshToken"])


def test_refresh_token_auth_refuses_rotating_clients(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id, grace=5)
    token = sign_in(cognito, client_id)["RefreshToken"]
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        with pytest.raises(cognito.exceptions.InvalidParameterException, match="GetTokensFromRefreshToken"):
            refresh(cognito, client_id, token, flow)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="GetTokensFromRefreshToken"):
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": token})


def test_revoke_token_ends_the_whole_family(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id, grace=60)
    first = sign_in(cognito, client_id)
    second = get_tokens(cognito, client_id, first["RefreshToken"])
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    for token in (first["RefreshToken"], second["RefreshToken"]):
        with pytest.raises(cognito.exceptions.NotAuthorizedException, match="revoked"):
            get_tokens(cognito, client_id, token)
    for access in (first["AccessToken"], second["AccessToken"]):
        refused(cognito, access, "revoked")
    # Another sign-in's family is untouched.
    other = sign_in(cognito, client_id)
    assert "RefreshToken" in get_tokens(cognito, client_id, other["RefreshToken"])


def test_client_secret(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    token = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!",
                        "SECRET_HASH": secret_hash(secret, "alice", client_id)})["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret was not received"):
        get_tokens(cognito, client_id, token)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret"):
        get_tokens(cognito, client_id, token, ClientSecret="x" * 30)
    assert "AccessToken" in get_tokens(cognito, client_id, token, ClientSecret=secret)


def test_refusals(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["RefreshToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid Refresh Token"):
        get_tokens(cognito, client_id, token[:-4] + "AAAA")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        get_tokens(cognito, "nosuchclient000000000000", token)
    other = new_client(cognito, pool_id)["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid Refresh Token"):
        get_tokens(cognito, other, token)
    no_refresh = new_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    token = sign_in(cognito, no_refresh)["RefreshToken"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="not enabled"):
        get_tokens(cognito, no_refresh, token)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        get_tokens(cognito, client_id, token)


def test_hosted_refresh_grant_rotates_too(cognito: Any, server: LiveServer, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    client_id = rotating(cognito, pool_id, grace=5)
    first = sign_in(cognito, client_id)

    def grant(token: str) -> httpx.Response:
        return httpx.post(f"{server.url}/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": client_id, "refresh_token": token})

    reply = grant(first["RefreshToken"])
    assert reply.status_code == 200, reply.text
    second = reply.json()["refresh_token"]
    assert second != first["RefreshToken"]
    assert grant(first["RefreshToken"]).status_code == 200  # in the grace period
    server.clock.advance(6)
    refused_reply = grant(first["RefreshToken"])
    assert refused_reply.status_code == 400 and refused_reply.json()["error"] == "invalid_grant"
    assert "refresh_token" in grant(second).json()


def amplify_journey(js: Path, server: LiveServer, pool_id: str, client_id: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(js / "amplify_refresh.mjs"), server.url, pool_id, client_id, "alice", PASSWORD],
        capture_output=True, text=True, timeout=120, check=True,
    )
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["ok"], out
    return out


@pytest.mark.parametrize("rotate", [False, True], ids=["no-rotation", "rotation"])
def test_amplify_v6_refreshes_through_get_tokens_from_refresh_token(
        node_clients: Path, cognito: Any, server: LiveServer, pool_id: str, rotate: bool) -> None:
    confirmed_user(cognito, pool_id)
    options: dict[str, Any] = {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}
    if rotate:
        options["RefreshTokenRotation"] = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="amplify",
                                                **options)["UserPoolClient"]["ClientId"]
    out = amplify_journey(node_clients, server, pool_id, client_id)
    signed_in, first, second = out["refreshTokens"]
    # Each forced refresh got fresh tokens of the same sign-in, verifiable against the JWKS.
    assert len(set(out["accessTokens"])) == 3
    assert {claims(t)["origin_jti"] for t in out["accessTokens"]} == {claims(out["accessTokens"][0])["origin_jti"]}
    for token in out["idTokens"][1:]:
        assert verify(server.url, pool_id, token, audience=client_id)["cognito:username"] == "alice"
    if rotate:
        assert len({signed_in, first, second}) == 3  # Amplify kept each new refresh token
    else:
        assert signed_in == first == second  # Amplify kept the one it had
    # signOut({ global: true }) ended the family: Amplify forgot it, and the server refuses it.
    assert out["afterSignOut"] is None
    for token in (signed_in, second):
        with pytest.raises(cognito.exceptions.NotAuthorizedException, match="revoked"):
            get_tokens(cognito, client_id, token)
