"""CustomMessage through a live server: every message Cognito sends a code in goes
through the pool's function first; its answer is what the outbox gets, and an answer
without the code placeholder is refused as Cognito refuses it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .outbox import attrs, new_client, new_pool
from .test_mfa import SMS_ON
from .test_triggers import Recorder, error_of, sign_up

BRANDED = {"emailMessage": "Welcome to Acme! Your code: {####}", "emailSubject": "Acme code",
           "smsMessage": "Acme code {####}"}


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def last(server: LiveServer, pool: str) -> dict[str, Any]:
    return server.messages(userPoolId=pool)[-1]


def test_custom_message_on_sign_up_rewrites_the_email(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    fn = Recorder(BRANDED)
    triggers.set(pool, "CustomMessage", fn)
    sign_up(cognito, client, ClientMetadata={"lang": "en"})
    [event] = fn.events
    assert event["triggerSource"] == "CustomMessage_SignUp" and event["callerContext"]["clientId"] == client
    assert event["request"]["codeParameter"] == "{####}" and event["request"]["usernameParameter"] is None
    assert event["request"]["clientMetadata"] == {"lang": "en"}
    assert event["request"]["userAttributes"]["email"] == "alice@example.com"
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    message = last(server, pool)
    assert message["body"] == f"Welcome to Acme! Your code: {message['code']}" and message["subject"] == "Acme code"
    cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=message["code"])


def test_custom_message_sources_for_every_code(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    fn = Recorder(BRANDED)
    triggers.set(pool, "CustomMessage", fn)
    sign_up(cognito, client)
    cognito.resend_confirmation_code(ClientId=client, Username="alice")
    cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=server.last_code(userPoolId=pool))
    cognito.forgot_password(ClientId=client, Username="alice")
    access = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    cognito.update_user_attributes(AccessToken=access, UserAttributes=attrs(email="new@example.com"))
    cognito.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert [e["triggerSource"] for e in fn.events] == [
        "CustomMessage_SignUp", "CustomMessage_ResendCode", "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute"]
    assert {e["callerContext"]["clientId"] for e in fn.events} == {client}
    assert all(m["body"].startswith("Welcome to Acme!") for m in server.messages(userPoolId=pool))


def test_custom_message_on_an_invitation_needs_the_username_too(cognito: Any, server: LiveServer,
                                                               triggers: Triggers) -> None:
    pool = new_pool(cognito)
    fn = Recorder({"emailMessage": "Hi {username}, your password is {####}", "emailSubject": "Welcome"})
    triggers.set(pool, "CustomMessage", fn)
    cognito.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="Temp0rary!",
                              UserAttributes=attrs(email="bob@example.com"), DesiredDeliveryMediums=["EMAIL"])
    [event] = fn.events
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert last(server, pool)["body"] == "Hi bob, your password is Temp0rary!"
    fn.response = {"emailMessage": "Your password is {####}"}
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        cognito.admin_create_user(UserPoolId=pool, Username="carol", TemporaryPassword="Temp0rary!",
                                  UserAttributes=attrs(email="carol@example.com"), DesiredDeliveryMediums=["EMAIL"])
    assert [m["username"] for m in server.messages(userPoolId=pool)] == ["bob"]


def test_custom_message_for_an_mfa_code(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_ON)
    client = new_client(cognito, pool)
    confirmed_user(cognito, pool, "mia", phone_number="+15550100", phone_number_verified="true")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="mia",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    fn = Recorder(BRANDED)
    triggers.set(pool, "CustomMessage", fn)
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "SMS_MFA"
    [event] = fn.events
    assert event["triggerSource"] == "CustomMessage_Authentication"
    message = last(server, pool)
    assert message["body"] == f"Acme code {message['code']}"
    answer = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SMS_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": message["code"]})
    assert answer["AuthenticationResult"]["AccessToken"]


def test_a_message_without_the_code_or_a_failing_function_is_an_error(cognito: Any, server: LiveServer,
                                                                      triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    fn = Recorder({"emailMessage": "Welcome aboard!"})
    triggers.set(pool, "CustomMessage", fn)
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        sign_up(cognito, client)
    fn.error = "template store down"
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        sign_up(cognito, client, username="bob")
    assert error_of(exc)[1] == "CustomMessage failed with error template store down."
    assert server.messages(userPoolId=pool) == []  # nothing was sent
    # As in Cognito, the sign-up itself stands: the user can ask for the code again.
    assert cognito.admin_get_user(UserPoolId=pool, Username="bob")["UserStatus"] == "UNCONFIRMED"


def test_custom_senders_get_the_code_after_the_call(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig={
        "KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/test",
        "CustomEmailSender": {"LambdaVersion": "V1_0",
                              "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:mailer"}})
    client = new_client(cognito, pool)
    fn = Recorder()
    triggers.register("mailer", fn)
    sign_up(cognito, client, ClientMetadata={"lang": "en"})
    [event] = fn.events
    code = server.last_code(userPoolId=pool)
    assert event["triggerSource"] == "CustomEmailSender_SignUp" and event["callerContext"]["clientId"] == client
    request = event["request"]
    assert request["type"] == "customEmailSenderRequestV1" and request["clientMetadata"] == {"lang": "en"}
    assert base64.b64decode(request["code"]).decode() == code  # the emulator's stand-in for KMS
    assert request["userAttributes"]["email"] == "alice@example.com"
    # Asynchronous in Cognito: a failing sender does not fail the call.
    fn.error = "mail relay down"
    cognito.resend_confirmation_code(ClientId=client, Username="alice")
    assert fn.events[-1]["triggerSource"] == "CustomEmailSender_ResendCode"
    # And the SMS one, registered from the test for an MFA code.
    sms = Recorder()
    mfa_pool = new_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=mfa_pool, MfaConfiguration="ON", SmsMfaConfiguration=SMS_ON)
    mfa_client = new_client(cognito, mfa_pool)
    confirmed_user(cognito, mfa_pool, "mia", phone_number="+15550100", phone_number_verified="true")
    triggers.set(mfa_pool, "CustomSMSSender", sms)
    cognito.initiate_auth(ClientId=mfa_client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD})
    [sent] = sms.events
    assert sent["triggerSource"] == "CustomSMSSender_Authentication"
    assert sent["request"]["type"] == "customSMSSenderRequestV1"
    assert base64.b64decode(sent["request"]["code"]).decode() == server.last_code(userPoolId=mfa_pool)
