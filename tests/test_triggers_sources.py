"""Trigger sources the other trigger tests show only in part, through a live server: the
effect of a PreTokenGeneration answer on refreshed and NEW_PASSWORD_REQUIRED tokens,
TokenGeneration_AuthenticateDevice for a sign-in on a remembered device, and
PostAuthentication's newDeviceUsed."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .outbox import new_client, new_pool
from .test_devices import new_device, tracking_pool, user
from .test_triggers import Recorder
from .test_triggers_tokens import claims, password_sign_in, setup

ADD_TENANT = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"tenant": "acme"}}}


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def test_refreshed_and_new_password_tokens_carry_the_functions_claims(cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    fn = Recorder(ADD_TENANT)
    triggers.set(pool, "PreTokenGeneration", fn)
    refresh = password_sign_in(cognito, client)["AuthenticationResult"]["RefreshToken"]
    refreshed = cognito.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": refresh})["AuthenticationResult"]
    assert fn.events[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert claims(refreshed["IdToken"])["tenant"] == "acme"
    fetched = cognito.get_tokens_from_refresh_token(ClientId=client, RefreshToken=refresh,
                                                    ClientMetadata={"why": "resume"})["AuthenticationResult"]
    assert fn.events[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert fn.events[-1]["request"]["clientMetadata"] == {"why": "resume"}
    assert claims(fetched["IdToken"])["tenant"] == "acme"
    cognito.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="Temp0rary!",
                              MessageAction="SUPPRESS")
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "bob", "PASSWORD": "Temp0rary!"})
    done = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": PASSWORD})["AuthenticationResult"]
    assert fn.events[-1]["triggerSource"] == "TokenGeneration_NewPasswordChallenge"
    assert fn.events[-1]["userName"] == "bob" and claims(done["IdToken"])["tenant"] == "acme"


def test_a_sign_in_on_a_remembered_device_is_token_generation_authenticate_device(
        cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = tracking_pool(cognito)
    user(cognito, pool)
    pre_token, post_auth = Recorder(ADD_TENANT), Recorder()
    triggers.set(pool, "PreTokenGeneration", pre_token)
    triggers.set(pool, "PostAuthentication", post_auth)
    device, first = new_device(cognito, client)
    assert pre_token.events[-1]["triggerSource"] == "TokenGeneration_Authentication"
    assert post_auth.events[-1]["request"]["newDeviceUsed"] is True  # no device known yet
    tokens = device.srp(cognito, pool, client).authenticate_user()["AuthenticationResult"]
    assert pre_token.events[-1]["triggerSource"] == "TokenGeneration_AuthenticateDevice"
    assert post_auth.events[-1]["request"]["newDeviceUsed"] is False
    assert claims(tokens["IdToken"])["tenant"] == "acme"
    assert claims(tokens["AccessToken"])["device_key"] == device.key


def test_custom_email_sender_sources_for_every_message(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com", email_verified="true")
    sender = Recorder()
    triggers.set(pool, "CustomEmailSender", sender)
    cognito.forgot_password(ClientId=client, Username="alice")
    access = password_sign_in(cognito, client)["AuthenticationResult"]["AccessToken"]
    cognito.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": "a2@example.com"}])
    cognito.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    cognito.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="Temp0rary!",
                              UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
                              DesiredDeliveryMediums=["EMAIL"])
    assert [e["triggerSource"] for e in sender.events] == [
        "CustomEmailSender_ForgotPassword", "CustomEmailSender_UpdateUserAttribute",
        "CustomEmailSender_VerifyUserAttribute", "CustomEmailSender_AdminCreateUser"]
    assert [e["callerContext"]["clientId"] for e in sender.events] == [client] * 3 + ["CLIENT_ID_NOT_APPLICABLE"]
    invitation = sender.events[-1]
    assert invitation["userName"] == "bob" and invitation["request"]["type"] == "customEmailSenderRequestV1"
    assert base64.b64decode(invitation["request"]["code"]).decode() == "Temp0rary!"


def test_pre_authentication_runs_for_choice_based_sign_in(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="choice", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool, "alice", email="alice@example.com")
    pre = Recorder()
    triggers.set(pool, "PreAuthentication", pre)
    started = cognito.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "alice"},
                                    ClientMetadata={"ip": "10.0.0.1"})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    [event] = pre.events
    assert event["triggerSource"] == "PreAuthentication_Authentication" and event["userName"] == "alice"
    assert event["request"]["validationData"] == {"ip": "10.0.0.1"} and event["request"]["userNotFound"] is False
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "nobody"})
    assert pre.events[-1]["userName"] == "nobody" and pre.events[-1]["request"]["userNotFound"] is True
    pre.error = "Outside office hours"
    with pytest.raises(cognito.exceptions.UserLambdaValidationException):
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={
            "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD})
