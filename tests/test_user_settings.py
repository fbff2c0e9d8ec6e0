"""The legacy and factor operations: SetUserSettings / AdminSetUserSettings (SMS MFA
through MFAOptions, as amazon-cognito-identity-js's enableMFA / disableMFA /
setMFAOptions call it), AdminDeleteSoftwareToken, GetUserAuthFactors /
AdminGetUserAuthFactors."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveServer
from .test_mfa import EMAIL_ON, SMS_ON, TOTP_ON, enrol_totp, make_pool, make_user, password_auth

SMS_OPTION = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]


def test_set_user_settings_turns_sms_mfa_on_and_off(cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id, phone_number="+15555550123")
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    assert cognito.set_user_settings(AccessToken=access, MFAOptions=SMS_OPTION) is not None
    user = cognito.get_user(AccessToken=access)
    assert user["MFAOptions"] == SMS_OPTION and user["UserMFASettingList"] == ["SMS_MFA"]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="mia")["MFAOptions"] == SMS_OPTION
    assert password_auth(cognito, client_id)["ChallengeName"] == "SMS_MFA"
    cognito.set_user_settings(AccessToken=access, MFAOptions=[])
    user = cognito.get_user(AccessToken=access)
    assert "MFAOptions" not in user and "UserMFASettingList" not in user
    assert "AuthenticationResult" in password_auth(cognito, client_id)


def test_admin_set_user_settings(cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id, phone_number="+15555550123")
    cognito.admin_set_user_settings(UserPoolId=pool_id, Username="mia", MFAOptions=SMS_OPTION)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="mia")["MFAOptions"] == SMS_OPTION
    assert password_auth(cognito, client_id)["ChallengeName"] == "SMS_MFA"
    cognito.admin_set_user_settings(UserPoolId=pool_id, Username="mia", MFAOptions=[])
    assert "MFAOptions" not in cognito.admin_get_user(UserPoolId=pool_id, Username="mia")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_set_user_settings(UserPoolId=pool_id, Username="nobody", MFAOptions=[])


@pytest.mark.parametrize("options, match", [
    ([{"DeliveryMedium": "EMAIL", "AttributeName": "email"}], "SMS"),
    ([{"DeliveryMedium": "SMS", "AttributeName": "email"}], "phone_number"),
])
def test_set_user_settings_takes_only_sms_on_the_phone(cognito: Any, options: list[dict[str, str]], match: str) -> None:
    pool_id, _ = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id, phone_number="+15555550123", email="mia@example.com")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match=match):
        cognito.admin_set_user_settings(UserPoolId=pool_id, Username="mia", MFAOptions=options)


def test_set_user_settings_needs_a_phone(cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id)
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="SMS_MFA"):
        cognito.set_user_settings(AccessToken=access, MFAOptions=SMS_OPTION)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.set_user_settings(AccessToken="nonsense", MFAOptions=SMS_OPTION)


def test_admin_delete_software_token(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    enrol_totp(cognito, client_id)
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia",
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert password_auth(cognito, client_id)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    cognito.admin_delete_software_token(UserPoolId=pool_id, Username="mia")
    assert "UserMFASettingList" not in cognito.admin_get_user(UserPoolId=pool_id, Username="mia")
    assert "AuthenticationResult" in password_auth(cognito, client_id)
    # Turning TOTP on again needs a new authenticator.
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia",
                                              SoftwareTokenMfaSettings={"Enabled": True})
    cognito.admin_delete_software_token(UserPoolId=pool_id, Username="mia")  # none left: still fine
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_delete_software_token(UserPoolId=pool_id, Username="nobody")


def test_user_auth_factors(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="factors", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     SoftwareTokenMfaConfiguration=TOTP_ON, EmailMfaConfiguration=EMAIL_ON)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    make_user(cognito, pool_id, email="mia@example.com", email_verified="true")
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    factors = cognito.get_user_auth_factors(AccessToken=access)
    assert factors["Username"] == "mia"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    assert "UserMFASettingList" not in factors
    enrol_totp(cognito, client_id)
    admin = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="mia")
    assert admin["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SOFTWARE_TOKEN"]
    assert admin["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="nobody")
