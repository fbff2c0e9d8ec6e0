"""Changing and verifying email / phone with real boto3: UpdateUserAttributes and
AdminUpdateUserAttributes send a code and unverify the contact (or, with
AttributesRequireVerificationBeforeUpdate, keep the old value until the new one is
verified); GetUserAttributeVerificationCode and VerifyUserAttribute."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer
from .outbox import (
    DAY,
    as_dict,
    attrs,
    claims,
    last_code,
    messages,
    new_client,
    new_pool,
    sign_in,
    wrong,
)

HOLD = {"AttributesRequireVerificationBeforeUpdate": ["email"]}


def user(cognito: Any, pool_id: str, username: str = "alice", **values: str) -> str:
    values = values or {"email": "old@example.com", "email_verified": "true"}
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=attrs(**values))
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return username


def me(cognito: Any, token: str) -> dict[str, str]:
    return as_dict(cognito.get_user(AccessToken=token)["UserAttributes"])


def id_token(cognito: Any, client_id: str, username: str = "alice") -> dict[str, Any]:
    return claims(sign_in(cognito, client_id, username, PASSWORD)["IdToken"])


@pytest.fixture
def pool(cognito: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
    return pool_id, new_client(cognito, pool_id)


@pytest.fixture
def held_pool(cognito: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"], UserAttributeUpdateSettings=HOLD)
    return pool_id, new_client(cognito, pool_id)


def test_email_change_is_written_unverified_then_verified(
    cognito: Any, server: LiveServer, pool: tuple[str, str],
) -> None:
    pool_id, client_id = pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    assert resp["CodeDeliveryDetailsList"] == [{"Destination": "n***@e***", "DeliveryMedium": "EMAIL",
                                                "AttributeName": "email"}]
    assert me(cognito, token).items() >= {"email": "new@example.com", "email_verified": "false"}.items()
    claims_now = id_token(cognito, client_id)
    assert (claims_now["email"], claims_now["email_verified"]) == ("new@example.com", False)
    [sent] = messages(server, userPoolId=pool_id)
    assert (sent["type"], sent["destination"]) == ("UPDATE_USER_ATTRIBUTE", "new@example.com")

    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong(sent["code"]))
    assert me(cognito, token)["email_verified"] == "false"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent["code"])
    assert me(cognito, token)["email_verified"] == "true"
    claims_after = id_token(cognito, client_id)
    assert (claims_after["email"], claims_after["email_verified"]) == ("new@example.com", True)


def test_held_email_change_keeps_the_old_value_until_verified(
    cognito: Any, server: LiveServer, held_pool: tuple[str, str],
) -> None:
    pool_id, client_id = held_pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    assert resp["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    assert me(cognito, token).items() >= {"email": "old@example.com", "email_verified": "true"}.items()
    before = id_token(cognito, client_id)
    assert (before["email"], before["email_verified"]) == ("old@example.com", True)
    [sent] = messages(server, userPoolId=pool_id)
    assert sent["destination"] == "new@example.com"

    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent["code"])
    assert me(cognito, token).items() >= {"email": "new@example.com", "email_verified": "true"}.items()
    after = id_token(cognito, client_id)
    assert (after["email"], after["email_verified"]) == ("new@example.com", True)


def test_held_change_of_an_unverified_email_is_written_at_once(
    cognito: Any, server: LiveServer, held_pool: tuple[str, str],
) -> None:
    """Only a verified value is worth holding on to."""
    pool_id, client_id = held_pool
    user(cognito, pool_id, email="old@example.com")
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    assert me(cognito, token)["email"] == "new@example.com"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=last_code(server, pool_id))
    assert id_token(cognito, client_id)["email_verified"] is True


def test_verification_code_expires_after_a_day(
    cognito: Any, server: LiveServer, held_pool: tuple[str, str],
) -> None:
    pool_id, client_id = held_pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    server.clock.advance(DAY + 60)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]  # the old one expired too
    with pytest.raises(cognito.exceptions.ExpiredCodeException):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=last_code(server, pool_id))
    assert me(cognito, token)["email"] == "old@example.com"
    # A fresh code goes to the pending address, and verifies it.
    details = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert details["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    sent = messages(server, userPoolId=pool_id)[-1]
    assert (sent["type"], sent["destination"]) == ("VERIFY_USER_ATTRIBUTE", "new@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent["code"])
    assert me(cognito, token)["email"] == "new@example.com"


def test_get_verification_code_for_an_unverified_email(
    cognito: Any, server: LiveServer, pool: tuple[str, str],
) -> None:
    pool_id, client_id = pool
    user(cognito, pool_id, email="a@example.com")
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    resp = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert resp["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    sent = messages(server, userPoolId=pool_id)[-1]
    assert (sent["type"], sent["destination"]) == ("VERIFY_USER_ATTRIBUTE", "a@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent["code"])
    assert me(cognito, token)["email_verified"] == "true"


def test_phone_change_is_verified_by_sms(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["phone_number"])
    client_id = new_client(cognito, pool_id)
    user(cognito, pool_id, phone_number="+15555550100", phone_number_verified="true")
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(phone_number="+15555550199"))
    assert resp["CodeDeliveryDetailsList"] == [{"Destination": "+*******0199", "DeliveryMedium": "SMS",
                                                "AttributeName": "phone_number"}]
    [sent] = messages(server, userPoolId=pool_id)
    assert (sent["channel"], sent["destination"]) == ("SMS", "+15555550199")
    assert me(cognito, token)["phone_number_verified"] == "false"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="phone_number", Code=sent["code"])
    assert id_token(cognito, client_id)["phone_number_verified"] is True


def test_other_attributes_send_nothing(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(name="Alice", email="old@example.com"))
    assert resp["CodeDeliveryDetailsList"] == []
    assert messages(server, userPoolId=pool_id) == []
    assert me(cognito, token)["email_verified"] == "true"


def test_admin_update_sends_a_code_unless_marked_verified(
    cognito: Any, server: LiveServer, pool: tuple[str, str],
) -> None:
    pool_id, client_id = pool
    user(cognito, pool_id)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=attrs(email="new@example.com"))
    [sent] = messages(server, userPoolId=pool_id)
    assert (sent["type"], sent["destination"]) == ("UPDATE_USER_ATTRIBUTE", "new@example.com")
    assert id_token(cognito, client_id)["email_verified"] is False
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=sent["code"])
    assert id_token(cognito, client_id)["email_verified"] is True

    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=attrs(email="third@example.com", email_verified="true"))
    assert len(messages(server, userPoolId=pool_id)) == 1
    third = id_token(cognito, client_id)
    assert (third["email"], third["email_verified"]) == ("third@example.com", True)


def test_admin_update_in_a_held_pool(cognito: Any, server: LiveServer, held_pool: tuple[str, str]) -> None:
    pool_id, client_id = held_pool
    user(cognito, pool_id)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=attrs(email="new@example.com"))
    assert id_token(cognito, client_id)["email"] == "old@example.com"
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=last_code(server, pool_id))
    assert id_token(cognito, client_id)["email"] == "new@example.com"


@pytest.mark.parametrize("name", ["name", "phone_number"])
def test_only_present_contacts_are_verifiable(cognito: Any, server: LiveServer, pool: tuple[str, str], name: str) -> None:
    pool_id, client_id = pool
    user(cognito, pool_id, email="a@example.com", name="Alice")
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName=name)
    assert messages(server, userPoolId=pool_id) == []


def test_admin_marking_verified_accepts_a_held_change(
    cognito: Any, server: LiveServer, held_pool: tuple[str, str],
) -> None:
    """AWS: a held update is confirmed by VerifyUserAttribute, or by AdminUpdateUserAttributes
    setting email_verified to true."""
    pool_id, client_id = held_pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=attrs(email_verified="true"))
    after = id_token(cognito, client_id)
    assert (after["email"], after["email_verified"]) == ("new@example.com", True)


def test_a_later_update_replaces_a_held_one(cognito: Any, server: LiveServer, held_pool: tuple[str, str]) -> None:
    pool_id, client_id = held_pool
    user(cognito, pool_id)
    token = sign_in(cognito, client_id, "alice", PASSWORD)["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="new@example.com"))
    code = last_code(server, pool_id)
    # Back to the current address: the change to new@ is abandoned, its code applies nothing.
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="old@example.com"))
    assert resp["CodeDeliveryDetailsList"] == []
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert id_token(cognito, client_id)["email"] == "old@example.com"
