"""The AWS tutorial journey, with real boto3 against a live server, before and after a restart."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from .conftest import LiveServer

POLICY = {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                             "RequireNumbers": True, "RequireSymbols": False}}
SCHEMA = [{"Name": "phone_number", "AttributeDataType": "String", "Mutable": True, "Required": True}]


def verify_with_jwks(base: str, pool_id: str, token: str, **kwargs: Any) -> dict[str, Any]:
    keys = httpx.get(f"{base}/{pool_id}/.well-known/jwks.json").json()
    client = jwt.PyJWKSet.from_dict(keys)
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in client.keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{base}/{pool_id}", **kwargs)


def run_journey(cognito: Any, base: str) -> dict[str, Any]:
    pool_id = cognito.create_user_pool(PoolName="turn-based-users", Policies=POLICY, Schema=SCHEMA)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="turn-based-backend", GenerateSecret=False,
        ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"],
    )["UserPoolClient"]["ClientId"]
    signed = cognito.sign_up(
        ClientId=client_id, Username="player1", Password="Secret123",
        UserAttributes=[{"Name": "email", "Value": "player1@example.com"},
                        {"Name": "phone_number", "Value": "+15555550100"}],
    )
    assert signed["UserConfirmed"] is False
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="player1")
    cognito.create_group(UserPoolId=pool_id, GroupName="players")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="player1", GroupName="players")
    auth = cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "player1", "PASSWORD": "Secret123"},
    )["AuthenticationResult"]
    assert set(auth) >= {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="player1")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "phone_number", "Value": "+15555550100"} in user["UserAttributes"]

    claims = verify_with_jwks(base, pool_id, auth["IdToken"], audience=client_id)
    assert claims["sub"] == signed["UserSub"]
    assert claims["token_use"] == "id" and claims["cognito:username"] == "player1"
    assert claims["email"] == "player1@example.com" and claims["phone_number"] == "+15555550100"
    assert claims["cognito:groups"] == ["players"]
    for name in ("auth_time", "iat", "exp", "iss", "jti", "origin_jti", "event_id", "email_verified",
                 "phone_number_verified"):
        assert name in claims, name
    access = verify_with_jwks(base, pool_id, auth["AccessToken"])
    assert access["token_use"] == "access" and access["client_id"] == client_id
    assert access["scope"] == "aws.cognito.signin.user.admin" and access["username"] == "player1"
    assert access["cognito:groups"] == ["players"] and access["origin_jti"] == claims["origin_jti"]
    assert "aud" not in access
    return {"pool_id": pool_id, "client_id": client_id, "auth": auth}


def test_tutorial_journey_with_boto3_survives_restart(own_server: LiveServer) -> None:
    cognito = own_server.client()
    state = run_journey(cognito, own_server.url)
    own_server.restart()
    cognito = own_server.client()
    # Everything acknowledged before the restart is still there: user, tokens, keys.
    assert cognito.get_user(AccessToken=state["auth"]["AccessToken"])["Username"] == "player1"
    again = cognito.admin_initiate_auth(
        UserPoolId=state["pool_id"], ClientId=state["client_id"], AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "player1", "PASSWORD": "Secret123"},
    )["AuthenticationResult"]
    verify_with_jwks(own_server.url, state["pool_id"], again["IdToken"], audience=state["client_id"])
    refreshed = cognito.initiate_auth(
        ClientId=state["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": state["auth"]["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed


def test_wrong_password_is_refused(cognito: Any, server: LiveServer) -> None:
    state = run_journey(cognito, server.url)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        cognito.admin_initiate_auth(
            UserPoolId=state["pool_id"], ClientId=state["client_id"], AuthFlow="ADMIN_NO_SRP_AUTH",
            AuthParameters={"USERNAME": "player1", "PASSWORD": "Wrong1234"},
        )
