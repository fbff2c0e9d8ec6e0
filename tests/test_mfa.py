"""MFA with real boto3 against a live server: TOTP with pyotp, SMS and email codes from
the outbox, MFA_SETUP when the pool requires MFA, SELECT_MFA_TYPE, and choice-based
sign-in (USER_AUTH) with EMAIL_OTP and PASSWORD."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pyotp
import pytest

from .conftest import PASSWORD, LiveServer

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"]
TOTP_ON = {"Enabled": True}
# SMS MFA needs the pool's SMS settings (the role Cognito would text through).
SMS_ON = {"SmsAuthenticationMessage": "Code: {####}",
          "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x"}}
EMAIL_ON = {"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"}


def make_pool(cognito: Any, mode: str, **methods: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName=f"mfa-{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
    if mode != "OFF":
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode, **methods)
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def make_user(cognito: Any, pool_id: str, name: str = "mia", **attrs: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)


def password_auth(cognito: Any, client_id: str, name: str = "mia") -> dict[str, Any]:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})


def last_code(server: LiveServer, pool_id: str, channel: str) -> str:
    found = httpx.get(f"{server.url}/_emulator/messages",
                      params={"userPoolId": pool_id, "channel": channel, "type": "AUTHENTICATION"}).json()
    return found["messages"][-1]["code"]


def enrol_totp(cognito: Any, client_id: str) -> tuple[pyotp.TOTP, str]:
    """Sign in without MFA, associate and verify an authenticator; returns it and an access token."""
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) >= 32  # at least 160 bits of base32
    totp = pyotp.TOTP(secret)
    verified = cognito.verify_software_token(AccessToken=access, UserCode=totp.now(), FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS"
    return totp, access


def test_pool_mfa_config_round_trips(cognito: Any) -> None:
    pool_id, _ = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON, EmailMfaConfiguration=EMAIL_ON)
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL"
    assert got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert got["EmailMfaConfiguration"]["Subject"] == "Sign-in code"
    assert "SmsMfaConfiguration" not in got
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON")


def test_totp_journey_and_reused_or_wrong_codes(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    totp, access = enrol_totp(cognito, client_id)
    cognito.set_user_mfa_preference(AccessToken=access,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    me = cognito.get_user(AccessToken=access)
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    server.clock.advance(60)  # a fresh TOTP step: the enrolment code cannot be replayed
    challenge = password_auth(cognito, client_id)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    def answer(code: str) -> dict[str, Any]:
        return cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": code})

    code = totp.at(server.clock.now())
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        answer(f"{(int(code) + 1) % 1_000_000:06d}")
    assert "AccessToken" in answer(code)["AuthenticationResult"]

    again = password_auth(cognito, client_id)
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
            ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": code})


def test_a_new_authenticator_replaces_the_old_one_only_once_verified(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    old, access = enrol_totp(cognito, client_id)
    cognito.set_user_mfa_preference(AccessToken=access,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    new = pyotp.TOTP(cognito.associate_software_token(AccessToken=access)["SecretCode"])

    def sign_in_with(totp: pyotp.TOTP) -> dict[str, Any]:
        server.clock.advance(60)  # a fresh TOTP step each time
        challenge = password_auth(cognito, client_id)
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        return dict(cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": totp.at(server.clock.now())}))

    # Associated but never verified: the old authenticator still signs in, the new one does not.
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        sign_in_with(new)
    assert "AccessToken" in sign_in_with(old)["AuthenticationResult"]
    assert cognito.get_user(AccessToken=access)["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    # Verified: now the new one replaces it.
    assert cognito.verify_software_token(AccessToken=access, UserCode=new.at(server.clock.now()))["Status"] == "SUCCESS"
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        sign_in_with(old)
    assert "AccessToken" in sign_in_with(new)["AuthenticationResult"]


def test_totp_verification_with_a_wrong_code_and_preference_before_verifying(cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="delivery config"):
        cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    cognito.associate_software_token(AccessToken=access)
    with pytest.raises(cognito.exceptions.EnableSoftwareTokenMFAException):
        cognito.verify_software_token(AccessToken=access, UserCode="000000")


def test_a_method_without_its_delivery_config_cannot_be_turned_on(cognito: Any) -> None:
    """Cognito: "User does not have delivery config set to turn on SMS_MFA" (and
    SOFTWARE_TOKEN_MFA, aws-sdk-js-v3#4645) for a user without the phone number (or a
    verified authenticator); the same wording for EMAIL_OTP without an email."""
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON,
                                   SoftwareTokenMfaConfiguration=TOTP_ON, EmailMfaConfiguration=EMAIL_ON)
    make_user(cognito, pool_id)
    access = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    for key, method in (("SMSMfaSettings", "SMS_MFA"), ("SoftwareTokenMfaSettings", "SOFTWARE_TOKEN_MFA"),
                        ("EmailMfaSettings", "EMAIL_OTP")):
        for call in (lambda **s: cognito.set_user_mfa_preference(AccessToken=access, **s),
                     lambda **s: cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia", **s)):
            with pytest.raises(cognito.exceptions.InvalidParameterException) as refused:
                call(**{key: {"Enabled": True}})
            assert refused.value.response["Error"]["Message"] == (
                f"User does not have delivery config set to turn on {method}")
            call(**{key: {"Enabled": False}})  # turning it off is always fine
    assert "UserMFASettingList" not in cognito.admin_get_user(UserPoolId=pool_id, Username="mia")


def test_sms_mfa_with_code_from_outbox_and_session_expiry(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id, phone_number="+15555550123")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="mia")["PreferredMfaSetting"] == "SMS_MFA"
    challenge = password_auth(cognito, client_id)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    code = last_code(server, pool_id, "SMS")
    respond = dict(ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"])
    with pytest.raises(cognito.exceptions.CodeMismatchException, match="Invalid code received for user"):
        cognito.respond_to_auth_challenge(**respond, ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": "999999" if code != "999999" else "000000"})
    server.clock.advance(3 * 60 + 1)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="session is expired"):
        cognito.respond_to_auth_challenge(**respond, ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": code})
    fresh = password_auth(cognito, client_id)
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SMS_MFA", Session=fresh["Session"],
        ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": last_code(server, pool_id, "SMS")})
    assert "IdToken" in tokens["AuthenticationResult"]


def test_email_mfa_with_code_from_outbox(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", EmailMfaConfiguration=EMAIL_ON)
    make_user(cognito, pool_id, email="mia@example.com")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia", EmailMfaSettings={"Enabled": True})
    challenge = password_auth(cognito, client_id)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    sent = httpx.get(f"{server.url}/_emulator/messages", params={"userPoolId": pool_id}).json()["messages"][-1]
    assert sent["subject"] == "Sign-in code" and sent["body"] == f"Your sign-in code is {sent['code']}"
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "mia", "EMAIL_OTP_CODE": sent["code"]})
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_select_mfa_type_when_several_are_enabled(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON,
                                   SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id, phone_number="+15555550124")
    enrol_totp(cognito, client_id)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="mia", SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False})
    challenge = password_auth(cognito, client_id)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SELECT_MFA_TYPE", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "mia", "ANSWER": "SMS_MFA"})
    assert chosen["ChallengeName"] == "SMS_MFA"
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SMS_MFA", Session=chosen["Session"],
        ChallengeResponses={"USERNAME": "mia", "SMS_MFA_CODE": last_code(server, pool_id, "SMS")})
    assert "RefreshToken" in tokens["AuthenticationResult"]


def test_mfa_setup_when_the_pool_requires_mfa(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    setup = password_auth(cognito, client_id)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP", Session=setup["Session"],
                                          ChallengeResponses={"USERNAME": "mia"})
    associated = cognito.associate_software_token(Session=setup["Session"])
    totp = pyotp.TOTP(associated["SecretCode"])
    verified = cognito.verify_software_token(Session=associated["Session"], UserCode=totp.at(server.clock.now()))
    assert verified["Status"] == "SUCCESS"
    tokens = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                               Session=verified["Session"], ChallengeResponses={"USERNAME": "mia"})
    assert "IdToken" in tokens["AuthenticationResult"]
    server.clock.advance(60)
    assert password_auth(cognito, client_id)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_user_auth_with_email_otp_as_first_factor(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OFF")
    cognito.update_user_pool(UserPoolId=pool_id, Policies={"SignInPolicy": {
        "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}})
    make_user(cognito, pool_id, email="mia@example.com", email_verified="true")
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "mia"})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    otp = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
        ChallengeResponses={"USERNAME": "mia", "ANSWER": "EMAIL_OTP"})
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = last_code(server, pool_id, "EMAIL")
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="EMAIL_OTP", Session=otp["Session"],
        ChallengeResponses={"USERNAME": "mia", "EMAIL_OTP_CODE": code})
    assert cognito.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])["Username"] == "mia"


def test_user_auth_with_password(cognito: Any) -> None:
    pool_id, client_id = make_pool(cognito, "OFF")
    make_user(cognito, pool_id)
    direct = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={
        "USERNAME": "mia", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD})
    assert "AccessToken" in direct["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={
            "USERNAME": "mia", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-Passw0rd"})
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "mia"})
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
        ChallengeResponses={"USERNAME": "mia", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})
    assert "IdToken" in tokens["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="WEB_AUTHN"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={
            "USERNAME": "mia", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
