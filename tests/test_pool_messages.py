"""A pool's verification messages: VerificationMessageTemplate and the legacy
SmsVerificationMessage / EmailVerificationMessage / EmailVerificationSubject are one
setting, kept in step by CreateUserPool and UpdateUserPool (the template winning), and
the message a user receives is the one DescribeUserPool shows."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer

SMS, EMAIL, SUBJECT = "Texted code {####}", "Mailed code {####}", "Your code"
LEGACY = {"SmsVerificationMessage": "Old text {####}", "EmailVerificationMessage": "Old mail {####}",
          "EmailVerificationSubject": "Old subject"}
TEMPLATE = {"SmsMessage": SMS, "EmailMessage": EMAIL, "EmailSubject": SUBJECT}


def messages_of(pool: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return pool["VerificationMessageTemplate"], {k: pool.get(k) for k in LEGACY}


def create(cognito: Any, **settings: Any) -> dict[str, Any]:
    pool = cognito.create_user_pool(PoolName=f"m-{uuid.uuid4().hex[:8]}", **settings)["UserPool"]
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"] == pool
    return pool


def test_template_is_mirrored_into_the_legacy_fields(cognito: Any) -> None:
    template, legacy = messages_of(create(cognito, VerificationMessageTemplate=TEMPLATE))
    assert template == {**TEMPLATE, "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert legacy == {"SmsVerificationMessage": SMS, "EmailVerificationMessage": EMAIL,
                      "EmailVerificationSubject": SUBJECT}


def test_legacy_fields_are_mirrored_into_the_template(cognito: Any) -> None:
    template, legacy = messages_of(create(cognito, **LEGACY))
    assert legacy == LEGACY
    assert template == {"SmsMessage": "Old text {####}", "EmailMessage": "Old mail {####}",
                        "EmailSubject": "Old subject", "DefaultEmailOption": "CONFIRM_WITH_CODE"}


def test_the_template_wins_when_both_are_given(cognito: Any) -> None:
    template, legacy = messages_of(create(cognito, VerificationMessageTemplate=TEMPLATE, **LEGACY))
    assert {k: template[k] for k in TEMPLATE} == TEMPLATE
    assert legacy == {"SmsVerificationMessage": SMS, "EmailVerificationMessage": EMAIL,
                      "EmailVerificationSubject": SUBJECT}


def test_each_message_is_mirrored_on_its_own(cognito: Any) -> None:
    template, legacy = messages_of(create(
        cognito, VerificationMessageTemplate={"EmailSubject": SUBJECT, "DefaultEmailOption": "CONFIRM_WITH_CODE"},
        SmsVerificationMessage="Old text {####}"))
    assert template == {"EmailSubject": SUBJECT, "SmsMessage": "Old text {####}",
                        "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert legacy == {"SmsVerificationMessage": "Old text {####}", "EmailVerificationMessage": None,
                      "EmailVerificationSubject": SUBJECT}


def test_a_fresh_pool_has_only_the_default_option(cognito: Any) -> None:
    template, legacy = messages_of(create(cognito))
    assert template == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert legacy == dict.fromkeys(LEGACY)


@pytest.mark.parametrize("settings, expected", [
    ({"VerificationMessageTemplate": TEMPLATE}, (SMS, EMAIL, SUBJECT)),
    (LEGACY, tuple(LEGACY.values())),
    ({"VerificationMessageTemplate": TEMPLATE, **LEGACY}, (SMS, EMAIL, SUBJECT)),
    ({}, (None, None, None)),
])
def test_update_user_pool_keeps_them_in_step(cognito: Any, settings: dict[str, Any],
                                            expected: tuple[str | None, ...]) -> None:
    pool = create(cognito, VerificationMessageTemplate={"SmsMessage": "Before {####}"})
    cognito.update_user_pool(UserPoolId=pool["Id"], **settings)
    template, legacy = messages_of(cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"])
    assert tuple(legacy.values()) == expected
    assert tuple(template.get(k) for k in TEMPLATE) == expected
    assert template["DefaultEmailOption"] == "CONFIRM_WITH_CODE"


def test_the_code_sent_uses_the_winning_message(server: LiveServer, cognito: Any) -> None:
    pool = create(cognito, AutoVerifiedAttributes=["email"], VerificationMessageTemplate=TEMPLATE, **LEGACY)
    client_id = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")["UserPoolClient"]["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="mia", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "mia@example.com"}])
    sent = httpx.get(f"{server.url}/_emulator/messages", params={"userPoolId": pool["Id"]}).json()["messages"][-1]
    assert sent["subject"] == SUBJECT and sent["body"] == EMAIL.replace("{####}", sent["code"])
