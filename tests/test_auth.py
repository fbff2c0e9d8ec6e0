"""Sign-in with real boto3: InitiateAuth / AdminInitiateAuth password flows, the
client's ExplicitAuthFlows, client secrets, PreventUserExistenceErrors, user states, and
the NEW_PASSWORD_REQUIRED challenge (bound to its user and client, and expiring)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in

TEMP = "Temp1234"


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def new_client(cognito: Any, pool_id: str, flows: list[str] | None = None, **options: Any) -> dict[str, Any]:
    if flows is not None:
        options["ExplicitAuthFlows"] = flows
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **options)["UserPoolClient"]


def admin_auth(cognito: Any, pool_id: str, client_id: str, username: str = "alice", password: str = PASSWORD,
               flow: str = "ADMIN_USER_PASSWORD_AUTH", **extra: str) -> dict[str, Any]:
    return cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                       AuthParameters={"USERNAME": username, "PASSWORD": password, **extra})


def user_auth(cognito: Any, client_id: str, username: str = "alice", password: str = PASSWORD,
              **extra: str) -> dict[str, Any]:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password, **extra})


def invited(cognito: Any, pool_id: str, username: str = "nina", **attrs: str) -> str:
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=TEMP,
                              MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
    return username


def respond(cognito: Any, client_id: str, session: str, username: str = "nina", password: str = "Fresh1234",
            **extra: str) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password, **extra},
    )


def status(cognito: Any, pool_id: str, username: str) -> str:
    return str(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


# -- password flows -------------------------------------------------------------------------


def test_user_password_auth_returns_tokens(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    resp = user_auth(cognito, client_id)
    assert resp["ChallengeParameters"] == {} and "ChallengeName" not in resp and "Session" not in resp
    result = resp["AuthenticationResult"]
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows_return_tokens(cognito: Any, pool_id: str, client_id: str, flow: str) -> None:
    confirmed_user(cognito, pool_id)
    result = admin_auth(cognito, pool_id, client_id, flow=flow)["AuthenticationResult"]
    assert set(result) >= {"AccessToken", "IdToken", "RefreshToken"} and result["ExpiresIn"] == 3600
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"


def test_wrong_password(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        user_auth(cognito, client_id, password="Wrong1234")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        admin_auth(cognito, pool_id, client_id, password="Wrong1234")


def test_unknown_user_with_legacy_existence_errors(cognito: Any, pool_id: str, client_id: str) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        user_auth(cognito, client_id, "ghost")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        admin_auth(cognito, pool_id, client_id, "ghost")


def test_unknown_user_with_existence_errors_prevented(cognito: Any, pool_id: str) -> None:
    client_id = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
                           PreventUserExistenceErrors="ENABLED")["ClientId"]
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        user_auth(cognito, client_id, "ghost")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        admin_auth(cognito, pool_id, client_id, "ghost")
    assert user_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize("password", [PASSWORD, "Wrong1234"])
def test_unconfirmed_user_is_told_so(cognito: Any, pool_id: str, client_id: str, password: str) -> None:
    cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD)
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        user_auth(cognito, client_id, "sam", password)
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        admin_auth(cognito, pool_id, client_id, "sam", password)


def test_disabled_user_cannot_sign_in(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="User is disabled"):
        user_auth(cognito, client_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="User is disabled"):
        admin_auth(cognito, pool_id, client_id)


def test_missing_parameters(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice"})
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"PASSWORD": PASSWORD})


def test_unknown_or_foreign_client(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    foreign = new_client(cognito, other_pool, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["ClientId"]
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        user_auth(cognito, "nosuchclient0000000000000")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        admin_auth(cognito, pool_id, foreign)


# -- ExplicitAuthFlows --------------------------------------------------------------------------


def test_flows_must_be_enabled_on_the_client(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    srp_only = new_client(cognito, pool_id, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    defaults = new_client(cognito, pool_id)["ClientId"]
    for cid in (srp_only, defaults):
        with pytest.raises(cognito.exceptions.InvalidParameterException, match="not enabled"):
            user_auth(cognito, cid)
        with pytest.raises(cognito.exceptions.InvalidParameterException, match="not enabled"):
            admin_auth(cognito, pool_id, cid)
    no_refresh = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    tokens = user_auth(cognito, no_refresh)["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="not enabled"):
        cognito.initiate_auth(ClientId=no_refresh, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_legacy_flow_names(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id)
    admin_only = new_client(cognito, pool_id, ["ADMIN_NO_SRP_AUTH"])["ClientId"]
    assert admin_auth(cognito, pool_id, admin_only, flow="ADMIN_NO_SRP_AUTH")["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        user_auth(cognito, admin_only)
    user_only = new_client(cognito, pool_id, ["USER_PASSWORD_AUTH"])["ClientId"]
    tokens = user_auth(cognito, user_only)["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        admin_auth(cognito, pool_id, user_only)
    # Legacy clients keep refresh on.
    assert cognito.initiate_auth(ClientId=user_only, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]


def test_admin_flow_is_not_an_initiate_auth_flow(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})


# -- client secrets --------------------------------------------------------------------------------


@pytest.fixture
def secret_client(cognito: Any, pool_id: str) -> tuple[str, str]:
    client = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                           "ALLOW_REFRESH_TOKEN_AUTH"], GenerateSecret=True)
    return client["ClientId"], client["ClientSecret"]


def test_secret_hash_on_initiate_auth(cognito: Any, pool_id: str, secret_client: tuple[str, str]) -> None:
    cid, secret = secret_client
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret was not received"):
        user_auth(cognito, cid)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        user_auth(cognito, cid, SECRET_HASH=secret_hash(secret, "bob", cid))
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        user_auth(cognito, cid, SECRET_HASH=secret_hash("x" * len(secret), "alice", cid))
    assert user_auth(cognito, cid, SECRET_HASH=secret_hash(secret, "alice", cid))["AuthenticationResult"]


def test_secret_hash_on_admin_initiate_auth(cognito: Any, pool_id: str, secret_client: tuple[str, str]) -> None:
    cid, secret = secret_client
    confirmed_user(cognito, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret was not received"):
        admin_auth(cognito, pool_id, cid)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        admin_auth(cognito, pool_id, cid, SECRET_HASH=secret_hash(secret, "bob", cid))
    assert admin_auth(cognito, pool_id, cid, SECRET_HASH=secret_hash(secret, "alice", cid))["AuthenticationResult"]


def test_secret_hash_on_refresh(cognito: Any, pool_id: str, secret_client: tuple[str, str]) -> None:
    cid, secret = secret_client
    confirmed_user(cognito, pool_id)
    good = secret_hash(secret, "alice", cid)
    refresh = user_auth(cognito, cid, SECRET_HASH=good)["AuthenticationResult"]["RefreshToken"]
    for params in ({}, {"SECRET_HASH": secret_hash(secret, "bob", cid)}):
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": refresh, **params})
    assert cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": refresh, "SECRET_HASH": good})["AuthenticationResult"]


def test_secret_hash_on_respond_to_auth_challenge(cognito: Any, pool_id: str, secret_client: tuple[str, str]) -> None:
    cid, secret = secret_client
    invited(cognito, pool_id)
    good = secret_hash(secret, "nina", cid)
    session = user_auth(cognito, cid, "nina", TEMP, SECRET_HASH=good)["Session"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret was not received"):
        respond(cognito, cid, session)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        respond(cognito, cid, session, SECRET_HASH=secret_hash(secret, "alice", cid))
    assert status(cognito, pool_id, "nina") == "FORCE_CHANGE_PASSWORD"
    assert respond(cognito, cid, session, SECRET_HASH=good)["AuthenticationResult"]["AccessToken"]
    assert status(cognito, pool_id, "nina") == "CONFIRMED"


# -- NEW_PASSWORD_REQUIRED ---------------------------------------------------------------------------


def test_new_password_required_challenge(cognito: Any, pool_id: str, client_id: str) -> None:
    invited(cognito, pool_id, email="nina@example.com", given_name="Nina")
    resp = user_auth(cognito, client_id, "nina", TEMP)
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and "AuthenticationResult" not in resp
    params = resp["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "nina"
    # JSON strings, compact as Cognito writes them: clients compare them as text.
    assert params["requiredAttributes"] == "[]"
    assert params["userAttributes"] == '{"email":"nina@example.com","given_name":"Nina"}'
    result = respond(cognito, client_id, resp["Session"])
    assert result["ChallengeParameters"] == {} and "ChallengeName" not in result
    tokens = result["AuthenticationResult"]
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "nina"
    assert status(cognito, pool_id, "nina") == "CONFIRMED"
    assert sign_in(cognito, client_id, "nina", "Fresh1234")["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, client_id, "nina", TEMP)


def test_admin_new_password_required_challenge(cognito: Any, pool_id: str, client_id: str) -> None:
    invited(cognito, pool_id)
    resp = admin_auth(cognito, pool_id, client_id, "nina", TEMP)
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=resp["Session"],
        ChallengeResponses={"USERNAME": "nina", "NEW_PASSWORD": "Fresh1234", "userAttributes.given_name": "Nina"},
    )
    assert cognito.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == "nina"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="nina")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "given_name", "Value": "Nina"} in user["UserAttributes"]


@pytest.mark.parametrize("admin", [False, True])
def test_new_password_must_meet_policy(cognito: Any, pool_id: str, client_id: str, admin: bool) -> None:
    invited(cognito, pool_id)
    session = user_auth(cognito, client_id, "nina", TEMP)["Session"]
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        if admin:
            cognito.admin_respond_to_auth_challenge(
                UserPoolId=pool_id, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
                ChallengeResponses={"USERNAME": "nina", "NEW_PASSWORD": "weakpass"})
        else:
            respond(cognito, client_id, session, password="weakpass")
    assert status(cognito, pool_id, "nina") == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, client_id, "nina", "weakpass")


def test_new_password_attributes_respect_the_client(cognito: Any, pool_id: str) -> None:
    cid = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"], WriteAttributes=["name"])["ClientId"]
    invited(cognito, pool_id)
    session = user_auth(cognito, cid, "nina", TEMP)["Session"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        respond(cognito, cid, session, **{"userAttributes.given_name": "Nina"})
    assert status(cognito, pool_id, "nina") == "FORCE_CHANGE_PASSWORD"


def test_new_password_attributes_are_checked(cognito: Any, pool_id: str, client_id: str) -> None:
    invited(cognito, pool_id)
    session = user_auth(cognito, client_id, "nina", TEMP)["Session"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        respond(cognito, client_id, session, **{"userAttributes.email": "not-an-email"})
    assert status(cognito, pool_id, "nina") == "FORCE_CHANGE_PASSWORD"


def test_session_is_bound_to_user_and_client(cognito: Any, pool_id: str, client_id: str) -> None:
    invited(cognito, pool_id, "nina")
    invited(cognito, pool_id, "otto")
    session = user_auth(cognito, client_id, "nina", TEMP)["Session"]
    other_client = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        respond(cognito, client_id, session, username="otto")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        respond(cognito, other_client, session)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        respond(cognito, client_id, "x" * 64)
    assert status(cognito, pool_id, "otto") == "FORCE_CHANGE_PASSWORD"
    assert respond(cognito, client_id, session)["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):  # used once only
        respond(cognito, client_id, session, password="Again1234")


def test_session_expires_after_three_minutes_by_default(cognito: Any, server: LiveServer, pool_id: str,
                                                        client_id: str) -> None:
    invited(cognito, pool_id)
    first = user_auth(cognito, client_id, "nina", TEMP)["Session"]
    server.clock.advance(170)
    second = user_auth(cognito, client_id, "nina", TEMP)["Session"]
    server.clock.advance(20)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="expired"):
        respond(cognito, client_id, first)
    assert status(cognito, pool_id, "nina") == "FORCE_CHANGE_PASSWORD"
    assert respond(cognito, client_id, second)["AuthenticationResult"]


def test_session_validity_follows_the_client(cognito: Any, server: LiveServer, pool_id: str) -> None:
    cid = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"], AuthSessionValidity=10)["ClientId"]
    invited(cognito, pool_id)
    session = user_auth(cognito, cid, "nina", TEMP)["Session"]
    server.clock.advance(9 * 60)
    assert respond(cognito, cid, session)["AuthenticationResult"]
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="nina", Password=TEMP, Permanent=False)
    session = user_auth(cognito, cid, "nina", TEMP)["Session"]
    server.clock.advance(10 * 60 + 1)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="expired"):
        respond(cognito, cid, session)


def test_temporary_password_validity_follows_the_pool(cognito: Any, server: LiveServer) -> None:
    policy = {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}}
    pool_id = cognito.create_user_pool(PoolName="short-invites", Policies=policy)["UserPool"]["Id"]
    cid = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    invited(cognito, pool_id)
    server.clock.advance(86400)
    assert user_auth(cognito, cid, "nina", TEMP)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    server.clock.advance(86400 + 60)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Temporary password has expired"):
        user_auth(cognito, cid, "nina", TEMP)
