"""The pool's MFA settings as one state, with real boto3: SMS MFA configured through
CreateUserPool / UpdateUserPool (MfaConfiguration, SmsConfiguration,
SmsAuthenticationMessage) is the same setting SetUserPoolMfaConfig's SmsMfaConfiguration
writes and GetUserPoolMfaConfig reads, and sign-in follows it; MFA ON or OPTIONAL at
creation needs an SmsConfiguration."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer

SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms", "ExternalId": "ext-1"}
NEEDS_SMS = "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
OFF_AND_ON = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
SMS_STAYS = "Can't turn off SMS_MFA when SMS configuration is set for the user pool"


def new_pool(cognito: Any, **settings: Any) -> str:
    return str(cognito.create_user_pool(PoolName=f"mfa-{uuid.uuid4().hex[:6]}", **settings)["UserPool"]["Id"])


def sms_code_sign_in(server: LiveServer, cognito: Any, pool_id: str, text: str) -> None:
    """A user with a verified phone gets SMS_MFA, texted as `text`, and signs in with it."""
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="mia", MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "phone_number", "Value": "+15555550100"}, {"Name": "phone_number_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="mia", Password=PASSWORD, Permanent=True)
    challenge = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "SMS_MFA"
    sent = httpx.get(f"{server.url}/_emulator/messages",
                     params={"userPoolId": pool_id, "type": "AUTHENTICATION"}).json()["messages"][-1]
    assert sent["channel"] == "SMS" and sent["body"] == text.replace("{####}", sent["code"])
    tokens = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                               ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": sent["code"]})
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_sms_mfa_set_up_at_creation(server: LiveServer, cognito: Any) -> None:
    pool_id = new_pool(cognito, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG,
                       SmsAuthenticationMessage="code {####}")
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["SmsMfaConfiguration"] == {
        "SmsAuthenticationMessage": "code {####}", "SmsConfiguration": SMS_CONFIG}
    sms_code_sign_in(server, cognito, pool_id, "code {####}")


def test_sms_mfa_set_up_by_update_user_pool(server: LiveServer, cognito: Any) -> None:
    pool_id = new_pool(cognito)
    cognito.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIG,
                             SmsAuthenticationMessage="your code {####}")
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL"
    assert got["SmsMfaConfiguration"] == {"SmsAuthenticationMessage": "your code {####}", "SmsConfiguration": SMS_CONFIG}
    cognito.admin_create_user(UserPoolId=pool_id, Username="zed", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "phone_number", "Value": "+15555550101"}])
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="zed",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="zed")["PreferredMfaSetting"] == "SMS_MFA"


def test_set_user_pool_mfa_config_shows_in_describe_user_pool(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    answer = cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration={
        "SmsAuthenticationMessage": "sign-in code {####}", "SmsConfiguration": SMS_CONFIG})
    assert answer["SmsMfaConfiguration"] == {"SmsAuthenticationMessage": "sign-in code {####}",
                                             "SmsConfiguration": SMS_CONFIG}
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["SmsConfiguration"] == SMS_CONFIG
    assert pool["SmsAuthenticationMessage"] == "sign-in code {####}"
    # Without a message the default one is used: the pool's message goes too.
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG})
    assert "SmsAuthenticationMessage" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_set_user_pool_mfa_config_uses_the_pools_sms_configuration(server: LiveServer, cognito: Any) -> None:
    pool_id = new_pool(cognito, SmsConfiguration=SMS_CONFIG)
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OFF" and got["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIG}
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SmsMfaConfiguration={"SmsAuthenticationMessage": "pin {####}"})
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["SmsConfiguration"] == SMS_CONFIG and pool["SmsAuthenticationMessage"] == "pin {####}"
    sms_code_sign_in(server, cognito, pool_id, "pin {####}")


def test_sms_mfa_needs_an_sms_configuration(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="SmsConfiguration"):
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                         SmsMfaConfiguration={"SmsAuthenticationMessage": "pin {####}"})
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OFF" and "SmsMfaConfiguration" not in got


def test_sms_mfa_cannot_be_left_out_while_the_pool_has_sms(cognito: Any) -> None:
    pool_id = new_pool(cognito, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIG)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    assert caught.value.response["Error"]["Message"] == SMS_STAYS
    both = cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                            SoftwareTokenMfaConfiguration={"Enabled": True},
                                            SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG})
    assert both["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert both["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIG}


@pytest.mark.parametrize("method", [
    {"SmsMfaConfiguration": {"SmsConfiguration": SMS_CONFIG}},
    {"SoftwareTokenMfaConfiguration": {"Enabled": True}},
    {"EmailMfaConfiguration": {"Message": "code {####}", "Subject": "code"}},
])
def test_mfa_off_with_a_method_is_refused(cognito: Any, method: dict[str, Any]) -> None:
    pool_id = new_pool(cognito, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIG)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF", **method)
    assert caught.value.response["Error"]["Message"] == OFF_AND_ON
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"


def test_mfa_off_keeps_the_sms_configuration_for_verification(cognito: Any) -> None:
    pool_id = new_pool(cognito, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF",
                                     SoftwareTokenMfaConfiguration={"Enabled": False})
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["MfaConfiguration"] == "OFF" and pool["SmsConfiguration"] == SMS_CONFIG


@pytest.mark.parametrize("mode", ["ON", "OPTIONAL"])
def test_mfa_at_creation_needs_an_sms_configuration(cognito: Any, mode: str) -> None:
    name = f"mfa-{uuid.uuid4().hex[:6]}"
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        cognito.create_user_pool(PoolName=name, MfaConfiguration=mode, AutoVerifiedAttributes=["phone_number"])
    assert caught.value.response["Error"]["Message"] == NEEDS_SMS
    pages = cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
    assert name not in [p["Name"] for page in pages for p in page["UserPools"]]
    assert new_pool(cognito, MfaConfiguration=mode, SmsConfiguration=SMS_CONFIG)


def test_update_user_pool_turns_mfa_on_only_with_a_method(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        cognito.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON")
    assert caught.value.response["Error"]["Message"] == NEEDS_SMS
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OFF"
    # TOTP-only MFA is turned on through SetUserPoolMfaConfig, and stays on through updates.
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    cognito.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON", DeletionProtection="INACTIVE")
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "ON" and got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
