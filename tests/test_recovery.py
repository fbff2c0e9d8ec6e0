"""Passwords with codes and invitations, real boto3: ForgotPassword / ConfirmForgotPassword
(expiry, policy, AccountRecoverySetting), AdminResetUserPassword, and AdminCreateUser's
invitation through NEW_PASSWORD_REQUIRED to a sign-in, and its expiry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer
from .outbox import (
    DAY,
    NEW_PASSWORD,
    attrs,
    claims,
    last_code,
    last_message,
    messages,
    new_client,
    new_pool,
    sign_in,
    wrong,
)

EMAIL_FIRST = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"},
                                      {"Priority": 2, "Name": "verified_phone_number"}]}


def confirmed(cognito: Any, pool_id: str, username: str = "alice", **values: str) -> str:
    """A CONFIRMED user with PASSWORD; contacts verified unless the caller says otherwise."""
    values = values or {"email": f"{username}@example.com"}
    for contact in ("email", "phone_number"):
        if contact in values:
            values.setdefault(f"{contact}_verified", "true")
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=attrs(**values))
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return username


def status(cognito: Any, pool_id: str, username: str = "alice") -> str:
    return str(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


@pytest.fixture
def pool(cognito: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito)
    return pool_id, new_client(cognito, pool_id)


# -- ForgotPassword / ConfirmForgotPassword ---------------------------------------------


def test_forgot_password_journey(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    resp = cognito.forgot_password(ClientId=client_id, Username="alice")
    assert resp["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    sent = last_message(server, pool_id, type="FORGOT_PASSWORD")
    assert sent["destination"] == "alice@example.com" and sent["code"] in sent["body"]
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=sent["code"],
                                    Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        sign_in(cognito, client_id, "alice", PASSWORD)
    # A code works once.
    with pytest.raises((cognito.exceptions.ExpiredCodeException, cognito.exceptions.CodeMismatchException)):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=sent["code"],
                                        Password="An0therPass")
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


def test_wrong_code_changes_nothing(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = last_code(server, pool_id, type="FORGOT_PASSWORD")
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=wrong(code),
                                        Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


def test_recovery_code_expires_after_an_hour(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username="alice")
    server.clock.advance(3601)
    with pytest.raises(cognito.exceptions.ExpiredCodeException, match="request a code again"):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice",
                                        ConfirmationCode=last_code(server, pool_id), Password=NEW_PASSWORD)
    cognito.forgot_password(ClientId=client_id, Username="alice")
    server.clock.advance(3500)
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice",
                                    ConfirmationCode=last_code(server, pool_id), Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


def test_new_password_must_meet_the_policy(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = last_code(server, pool_id)
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                        Password="alllowercase1")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


@pytest.mark.parametrize(("setting", "values", "channel"), [
    (None, {"email": "a@example.com", "phone_number": "+15555550100"}, "SMS"),
    (EMAIL_FIRST, {"email": "a@example.com", "phone_number": "+15555550100"}, "EMAIL"),
    (EMAIL_FIRST, {"email": "a@example.com", "email_verified": "false", "phone_number": "+15555550100"}, "SMS"),
    ({"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_phone_number"}]},
     {"email": "a@example.com", "phone_number": "+15555550100"}, "SMS"),
])
def test_recovery_setting_picks_the_channel(
    cognito: Any, server: LiveServer, setting: dict[str, Any] | None, values: dict[str, str], channel: str,
) -> None:
    pool_id = new_pool(cognito, **({"AccountRecoverySetting": setting} if setting else {}))
    client_id = new_client(cognito, pool_id)
    confirmed(cognito, pool_id, **values)
    details = cognito.forgot_password(ClientId=client_id, Username="alice")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == channel
    [sent] = messages(server, userPoolId=pool_id, type="FORGOT_PASSWORD")
    assert sent["channel"] == channel
    assert sent["destination"] == (values["email"] if channel == "EMAIL" else values["phone_number"])


def test_no_verified_channel_means_no_code(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id, email="a@example.com", email_verified="false")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="no registered/verified"):
        cognito.forgot_password(ClientId=client_id, Username="alice")
    assert messages(server, userPoolId=pool_id) == []


def test_invited_user_cannot_use_forgot_password(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="a@example.com", email_verified="true"))
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.forgot_password(ClientId=client_id, Username="alice")
    assert messages(server, userPoolId=pool_id) == []


def test_forgot_password_for_an_unknown_user(cognito: Any, pool: tuple[str, str]) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.forgot_password(ClientId=pool[1], Username="nobody")


# -- AdminResetUserPassword -------------------------------------------------------------


def test_admin_reset_journey(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    assert status(cognito, pool_id) == "RESET_REQUIRED"
    with pytest.raises(cognito.exceptions.PasswordResetRequiredException):
        sign_in(cognito, client_id, "alice", PASSWORD)
    sent = last_message(server, pool_id)
    assert (sent["type"], sent["destination"]) == ("FORGOT_PASSWORD", "alice@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=sent["code"],
                                    Password=NEW_PASSWORD)
    assert status(cognito, pool_id) == "CONFIRMED"
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


def test_admin_reset_then_user_asks_for_a_code(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    confirmed(cognito, pool_id)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    cognito.forgot_password(ClientId=client_id, Username="alice")
    assert len(messages(server, userPoolId=pool_id, type="FORGOT_PASSWORD")) == 2
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice",
                                    ConfirmationCode=last_code(server, pool_id), Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", NEW_PASSWORD)["AccessToken"]


def test_admin_reset_refuses_users_it_cannot_reset(cognito: Any, server: LiveServer,
                                                    pool: tuple[str, str]) -> None:
    """Cognito: an invited user has no password to reset yet, nor has a signed-up one
    (NotAuthorizedException "User password cannot be reset in the current state."); a
    disabled user is refused as disabled, whatever the state. Nothing changes, nothing is sent."""
    pool_id, client_id = pool
    cognito.admin_create_user(UserPoolId=pool_id, Username="ivy", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="ivy@example.com", email_verified="true"))
    cognito.sign_up(ClientId=client_id, Username="una", Password=PASSWORD,
                    UserAttributes=attrs(email="una@example.com"))
    confirmed(cognito, pool_id, "dan")
    cognito.admin_create_user(UserPoolId=pool_id, Username="dina", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="dina@example.com", email_verified="true"))
    for name in ("dan", "dina"):
        cognito.admin_disable_user(UserPoolId=pool_id, Username=name)
    sent_before = len(messages(server, userPoolId=pool_id))
    cases = {"ivy": ("FORCE_CHANGE_PASSWORD", "User password cannot be reset in the current state."),
             "una": ("UNCONFIRMED", "User password cannot be reset in the current state."),
             "dan": ("CONFIRMED", "User is disabled."), "dina": ("FORCE_CHANGE_PASSWORD", "User is disabled.")}
    for name, (state, message) in cases.items():
        with pytest.raises(cognito.exceptions.NotAuthorizedException) as refused:
            cognito.admin_reset_user_password(UserPoolId=pool_id, Username=name)
        assert refused.value.response["Error"]["Message"] == message
        assert status(cognito, pool_id, name) == state
    assert len(messages(server, userPoolId=pool_id)) == sent_before


def test_admin_reset_of_a_user_already_reset_sends_a_new_code(cognito: Any, server: LiveServer,
                                                              pool: tuple[str, str]) -> None:
    pool_id, _ = pool
    confirmed(cognito, pool_id)
    for _ in range(2):
        cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    assert status(cognito, pool_id) == "RESET_REQUIRED"
    assert len(messages(server, userPoolId=pool_id, type="FORGOT_PASSWORD")) == 2


def test_admin_reset_of_an_unknown_user(cognito: Any, pool: tuple[str, str]) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_reset_user_password(UserPoolId=pool[0], Username="nobody")


# -- invitations ------------------------------------------------------------------------


def test_invitation_journey(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    created = cognito.admin_create_user(UserPoolId=pool_id, Username="ivy", DesiredDeliveryMediums=["EMAIL"],
                                        UserAttributes=attrs(email="ivy@example.com", email_verified="true"))
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    sent = last_message(server, pool_id, username="ivy")
    assert (sent["type"], sent["channel"], sent["destination"]) == ("ADMIN_CREATE_USER", "EMAIL", "ivy@example.com")
    temporary = sent["code"]
    assert "ivy" in sent["body"] and temporary in sent["body"]

    challenge = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "ivy", "PASSWORD": temporary})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert json.loads(challenge["ChallengeParameters"]["userAttributes"])["email"] == "ivy@example.com"
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ivy", "NEW_PASSWORD": NEW_PASSWORD},
    )["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == "ivy"
    assert status(cognito, pool_id, "ivy") == "CONFIRMED"
    assert sign_in(cognito, client_id, "ivy", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, client_id, "ivy", temporary)


def test_temporary_password_expires(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}})
    client_id = new_client(cognito, pool_id)
    for name in ("early", "late"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name, DesiredDeliveryMediums=["EMAIL"],
                                  UserAttributes=attrs(email=f"{name}@example.com"))
    early, late = (last_code(server, pool_id, username=u) for u in ("early", "late"))
    server.clock.advance(2 * DAY - 60)
    challenge = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "early", "PASSWORD": early})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    server.clock.advance(120)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Temporary password has expired"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "late", "PASSWORD": late})
    # An administrator re-invites: a fresh temporary password that works.
    cognito.admin_create_user(UserPoolId=pool_id, Username="late", MessageAction="RESEND",
                              DesiredDeliveryMediums=["EMAIL"])
    fresh = last_code(server, pool_id, username="late")
    challenge = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "late", "PASSWORD": fresh})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
