"""Defects found in review, each pinned by the call a real client would make."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pyotp
import pytest

from .conftest import PASSWORD, LiveServer, sign_in

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
         "ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"]


def _pool(cognito: Any, **config: Any) -> str:
    return str(cognito.create_user_pool(PoolName=f"review-{uuid.uuid4().hex[:8]}", **config)["UserPool"]["Id"])


def _client(cognito: Any, pool_id: str, **config: Any) -> dict[str, Any]:
    return dict(cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS,
                                                **config)["UserPoolClient"])


def _user(cognito: Any, pool_id: str, name: str = "mia", **attrs: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)


def _email_mfa_pool(cognito: Any) -> tuple[str, str]:
    pool_id = _pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", EmailMfaConfiguration={})
    client_id = _client(cognito, pool_id)["ClientId"]
    _user(cognito, pool_id, email="mia@example.com", email_verified="true")
    return pool_id, client_id


def _last_code(server: LiveServer, pool_id: str) -> str:
    found = httpx.get(f"{server.url}/_emulator/messages",
                      params={"userPoolId": pool_id, "type": "AUTHENTICATION"}).json()
    return str(found["messages"][-1]["code"])


# -- non-ASCII secrets and codes: a 400 in Cognito's words, never a 500 ----------------------


def test_non_ascii_secret_hash_is_refused_not_a_crash(unchecked: Any) -> None:
    pool_id = _pool(unchecked)
    client_id = _client(unchecked, pool_id, GenerateSecret=True)["ClientId"]
    _user(unchecked, pool_id)
    with pytest.raises(unchecked.exceptions.NotAuthorizedException):
        unchecked.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD, "SECRET_HASH": "é"})
    with pytest.raises(unchecked.exceptions.NotAuthorizedException):
        unchecked.sign_up(ClientId=client_id, Username="zoe", Password=PASSWORD, SecretHash="éé")


def test_non_ascii_client_secret_on_revoke_is_unauthorized(unchecked: Any) -> None:
    pool_id = _pool(unchecked)
    client_id = _client(unchecked, pool_id, GenerateSecret=True)["ClientId"]
    with pytest.raises(unchecked.exceptions.UnauthorizedException):
        unchecked.revoke_token(ClientId=client_id, Token="not-a-token", ClientSecret="é" * 30)


def test_non_ascii_otp_code_is_a_mismatch(server: LiveServer, unchecked: Any) -> None:
    _, client_id = _email_mfa_pool(unchecked)
    challenge = sign_in_challenge(unchecked, client_id)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    with pytest.raises(unchecked.exceptions.CodeMismatchException):
        unchecked.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "EMAIL_OTP_CODE": "１２３４５６"})


def test_non_ascii_totp_code_is_a_mismatch(unchecked: Any) -> None:
    pool_id = _pool(unchecked)
    unchecked.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                       SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = _client(unchecked, pool_id)["ClientId"]
    _user(unchecked, pool_id)
    access = sign_in(unchecked, client_id, "mia")["AccessToken"]
    totp = pyotp.TOTP(unchecked.associate_software_token(AccessToken=access)["SecretCode"])
    unchecked.verify_software_token(AccessToken=access, UserCode=totp.now())
    challenge = sign_in_challenge(unchecked, client_id)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(unchecked.exceptions.CodeMismatchException):
        unchecked.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": "é"})


def test_srp_with_a_negative_a_or_non_ascii_signature_is_refused(unchecked: Any) -> None:
    pool_id = _pool(unchecked)
    client_id = _client(unchecked, pool_id)["ClientId"]
    _user(unchecked, pool_id)
    with pytest.raises(unchecked.exceptions.InvalidParameterException):
        unchecked.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters={"USERNAME": "mia", "SRP_A": "-5"})
    started = unchecked.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters={"USERNAME": "mia", "SRP_A": "5"})
    with pytest.raises(unchecked.exceptions.NotAuthorizedException):
        unchecked.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={"USERNAME": "mia", "TIMESTAMP": "Mon Jan 1 00:00:00 UTC 2024",
                                "PASSWORD_CLAIM_SECRET_BLOCK": started["ChallengeParameters"]["SECRET_BLOCK"],
                                "PASSWORD_CLAIM_SIGNATURE": "é"})


def sign_in_challenge(cognito: Any, client_id: str) -> dict[str, Any]:
    return dict(cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD}))


# -- security: an open challenge outlives neither the user's account nor its enablement ---------


def test_disabled_user_cannot_finish_an_open_mfa_challenge(server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = _email_mfa_pool(cognito)
    challenge = sign_in_challenge(cognito, client_id)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="mia")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "EMAIL_OTP_CODE": _last_code(server, pool_id)})


def test_deleted_users_open_challenge_does_not_sign_in_a_new_user_of_that_name(
        server: LiveServer, cognito: Any) -> None:
    pool_id, client_id = _email_mfa_pool(cognito)
    challenge = sign_in_challenge(cognito, client_id)
    code = _last_code(server, pool_id)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="mia")
    # Someone else now gets the name "mia", with their own password and mailbox.
    cognito.admin_create_user(UserPoolId=pool_id, Username="mia", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "other@example.com"}])
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "mia", "EMAIL_OTP_CODE": code})


# -- error types botocore lists ----------------------------------------------------------------


def test_taken_preferred_username_alias_at_creation_is_username_exists(cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["preferred_username"])
    client_id = _client(cognito, pool_id)["ClientId"]
    _user(cognito, pool_id, "mia", preferred_username="star")
    with pytest.raises(cognito.exceptions.UsernameExistsException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="zoe", MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "preferred_username", "Value": "star"}])
    with pytest.raises(cognito.exceptions.UsernameExistsException):
        cognito.sign_up(ClientId=client_id, Username="zoe", Password=PASSWORD,
                        UserAttributes=[{"Name": "preferred_username", "Value": "Star"}])
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]] == ["mia"]


# -- ListUsers -------------------------------------------------------------------------------


def test_list_users_finds_a_mixed_case_email_as_stored(cognito: Any) -> None:
    pool_id = _pool(cognito)
    _user(cognito, pool_id, "mia", email="Mia.Doe@Example.com")
    for text in ('email = "Mia.Doe@Example.com"', 'email ^= "Mia"', 'email = "mia.doe@example.com"'):
        found = cognito.list_users(UserPoolId=pool_id, Filter=text)["Users"]
        assert [u["Username"] for u in found] == ["mia"], text


def test_unconfirmed_user_gets_no_one_time_code_sign_in(server: LiveServer, cognito: Any) -> None:
    """Self-signed-up users must confirm before they sign in, by any first factor."""
    pool_id = _pool(cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}})
    client_id = _client(cognito, pool_id)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="zoe", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "zoe@example.com"}])
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": "zoe", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    select = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "zoe"})
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=select["Session"],
                                          ChallengeResponses={"USERNAME": "zoe", "ANSWER": "EMAIL_OTP"})
    assert not httpx.get(f"{server.url}/_emulator/messages",
                         params={"userPoolId": pool_id, "type": "AUTHENTICATION"}).json()["messages"]


@pytest.mark.parametrize("schema", [
    {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "abc"}},
    {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "x"}},
    {"Name": "name", "StringAttributeConstraints": {"MinLength": "-1"}},
])
def test_non_numeric_schema_constraints_are_refused_at_creation(unchecked: Any, schema: dict[str, Any]) -> None:
    # Accepted, they made every later write of the attribute an InternalErrorException.
    with pytest.raises(unchecked.exceptions.InvalidParameterException):
        unchecked.create_user_pool(PoolName="bad-schema", Schema=[schema])


def test_number_attribute_is_a_finite_number(cognito: Any) -> None:
    pool_id = _pool(cognito, Schema=[{"Name": "age", "AttributeDataType": "Number",
                                      "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}}])
    for value in ("nan", "NaN", "inf"):
        with pytest.raises(cognito.exceptions.InvalidParameterException):
            cognito.admin_create_user(UserPoolId=pool_id, Username="mia", MessageAction="SUPPRESS",
                                      UserAttributes=[{"Name": "custom:age", "Value": value}])
    cognito.admin_create_user(UserPoolId=pool_id, Username="mia", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:age", "Value": "7"}])
