"""The outbox itself, read over HTTP: the message record, filters and DELETE, the pool's
templates, invitations (mediums, RESEND, SUPPRESS), the fixed-code setting, and email
also delivered to a real SMTP server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from .conftest import PASSWORD, LiveServer, start_server
from .outbox import HTTP, attrs, clear, last_message, messages, new_client, new_pool

FIELDS = {"id", "userPoolId", "username", "channel", "destination", "subject", "body", "code", "type", "sentAt"}


def sign_up(cognito: Any, client_id: str, username: str, **values: str) -> dict[str, Any]:
    return dict(cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                                UserAttributes=attrs(**values)))


@pytest.fixture
def pool(cognito: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email", "phone_number"])
    return pool_id, new_client(cognito, pool_id)


def test_a_message_as_recorded(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    server.clock.advance(10 * 86400)  # sentAt follows the emulator's clock, not the wall's
    before = server.clock.now()
    sign_up(cognito, client_id, "sam", email="sam@example.com")
    after = server.clock.now()
    [sent] = messages(server, userPoolId=pool_id)
    assert set(sent) == FIELDS
    code = sent["code"]
    assert len(code) == 6 and code.isdigit()
    assert sent == {
        "id": sent["id"], "userPoolId": pool_id, "username": "sam", "channel": "EMAIL",
        "destination": "sam@example.com", "subject": "Your verification code",
        "body": f"Your verification code is {code}. ", "code": code, "type": "SIGN_UP",
        "sentAt": sent["sentAt"],
    }
    assert isinstance(sent["id"], int)
    assert before <= sent["sentAt"] <= after


def test_filters(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    sign_up(cognito, client_id, "ann", email="ann@example.com")
    sign_up(cognito, client_id, "ben", email="ben@example.com", phone_number="+15555550100")
    cognito.resend_confirmation_code(ClientId=client_id, Username="ann")
    other_pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    sign_up(cognito, new_client(cognito, other_pool), "ann", email="ann@example.com")

    def picked(**filters: str) -> list[tuple[str, str]]:
        return [(m["username"], m["type"]) for m in messages(server, userPoolId=pool_id, **filters)]

    assert picked() == [("ann", "SIGN_UP"), ("ben", "SIGN_UP"), ("ann", "RESEND_CODE")]
    assert picked(username="ann") == [("ann", "SIGN_UP"), ("ann", "RESEND_CODE")]
    assert picked(channel="SMS") == [("ben", "SIGN_UP")]
    assert picked(destination="+15555550100") == [("ben", "SIGN_UP")]
    assert picked(type="RESEND_CODE") == [("ann", "RESEND_CODE")]
    assert picked(username="ann", type="SIGN_UP") == [("ann", "SIGN_UP")]
    assert picked(username="nobody") == []
    assert [m["userPoolId"] for m in messages(server, destination="ann@example.com")
            if m["userPoolId"] in (pool_id, other_pool)] == [pool_id, pool_id, other_pool]


def test_unknown_filter_is_refused(server: LiveServer) -> None:
    for method in ("GET", "DELETE"):
        resp = HTTP.request(method, f"{server.url}/_emulator/messages", params={"user": "sam"})
        assert resp.status_code == 400 and "user" in resp.json()["message"]


def test_delete_clears_what_the_filters_pick(cognito: Any, server: LiveServer, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    sign_up(cognito, client_id, "ann", email="ann@example.com")
    sign_up(cognito, client_id, "ben", email="ben@example.com")
    other_pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    other_client = new_client(cognito, other_pool)
    sign_up(cognito, other_client, "ann", email="ann@example.com")
    code = last_message(server, other_pool)["code"]

    assert clear(server, userPoolId=pool_id, username="ann") == 1
    assert [m["username"] for m in messages(server, userPoolId=pool_id)] == ["ben"]
    assert clear(server, userPoolId=pool_id) == 1
    assert messages(server, userPoolId=pool_id) == []
    assert clear(server, userPoolId=pool_id) == 0
    assert len(messages(server, userPoolId=other_pool)) == 1
    # Only the record of sending is gone: the code still confirms.
    assert clear(server, userPoolId=other_pool) == 1
    cognito.confirm_sign_up(ClientId=other_client, Username="ann", ConfirmationCode=code)


def test_delete_without_filters_empties_the_outbox(own_server: LiveServer) -> None:
    cognito = own_server.client()
    for _ in range(2):
        pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
        sign_up(cognito, new_client(cognito, pool_id), "sam", email="sam@example.com")
    assert len(messages(own_server)) == 2
    assert clear(own_server) == 2
    assert messages(own_server) == []


def test_verification_template(cognito: Any, server: LiveServer) -> None:
    template = {"EmailMessage": "Welcome! Code: {####}", "EmailSubject": "Confirm your account",
                "SmsMessage": "Code {####} for the app", "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"], VerificationMessageTemplate=template)
    client_id = new_client(cognito, pool_id)
    sign_up(cognito, client_id, "sam", email="sam@example.com")
    sent = last_message(server, pool_id)
    assert (sent["subject"], sent["body"]) == ("Confirm your account", f"Welcome! Code: {sent['code']}")
    cognito.admin_create_user(UserPoolId=pool_id, Username="pat", MessageAction="SUPPRESS",
                              UserAttributes=attrs(phone_number="+15555550100", phone_number_verified="true"))
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="pat", Password=PASSWORD, Permanent=True)
    cognito.forgot_password(ClientId=client_id, Username="pat")
    sms = last_message(server, pool_id, username="pat")
    assert (sms["channel"], sms["subject"], sms["body"]) == ("SMS", None, f"Code {sms['code']} for the app")


# -- invitations ------------------------------------------------------------------------


def invite_pool(cognito: Any) -> str:
    template = {"EmailMessage": "Hello {username}, your password is {####}", "EmailSubject": "Join us",
                "SMSMessage": "{username} / {####}"}
    return new_pool(cognito, AdminCreateUserConfig={"InviteMessageTemplate": template})


def invite(cognito: Any, pool_id: str, username: str = "ivy", **options: Any) -> dict[str, Any]:
    values = attrs(email=f"{username}@example.com", phone_number="+15555550100")
    return dict(cognito.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=values, **options))


def test_invitation_follows_the_template(cognito: Any, server: LiveServer) -> None:
    pool_id = invite_pool(cognito)
    invite(cognito, pool_id, DesiredDeliveryMediums=["EMAIL", "SMS"], TemporaryPassword="Temp0rary!")
    email, sms = messages(server, userPoolId=pool_id)
    assert {m["type"] for m in (email, sms)} == {"ADMIN_CREATE_USER"}
    assert (email["channel"], email["destination"], email["subject"]) == ("EMAIL", "ivy@example.com", "Join us")
    assert email["body"] == "Hello ivy, your password is Temp0rary!" and email["code"] == "Temp0rary!"
    assert (sms["channel"], sms["destination"], sms["body"]) == ("SMS", "+15555550100", "ivy / Temp0rary!")


def test_invitation_defaults_to_sms_and_the_default_text(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito)
    invite(cognito, pool_id)
    [sms] = messages(server, userPoolId=pool_id)
    assert (sms["channel"], sms["destination"]) == ("SMS", "+15555550100")
    assert sms["body"] == f"Your username is ivy and temporary password is {sms['code']}. "


def test_suppress_and_resend(cognito: Any, server: LiveServer) -> None:
    pool_id = invite_pool(cognito)
    invite(cognito, pool_id, MessageAction="SUPPRESS", DesiredDeliveryMediums=["EMAIL"])
    assert messages(server, userPoolId=pool_id) == []
    cognito.admin_create_user(UserPoolId=pool_id, Username="ivy", MessageAction="RESEND",
                              DesiredDeliveryMediums=["EMAIL"], TemporaryPassword="Resent0Pass")
    [sent] = messages(server, userPoolId=pool_id)
    assert (sent["channel"], sent["code"]) == ("EMAIL", "Resent0Pass")
    challenge = cognito.initiate_auth(ClientId=new_client(cognito, pool_id), AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "ivy", "PASSWORD": "Resent0Pass"})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


# -- settings ---------------------------------------------------------------------------


@pytest.fixture
def fixed_server(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(tmp_path, fixed_code="424242")
    yield live
    live.stop()


def test_fixed_code(fixed_server: LiveServer) -> None:
    cognito = fixed_server.client()
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    sign_up(cognito, client_id, "sam", email="sam@example.com")
    cognito.resend_confirmation_code(ClientId=client_id, Username="sam")
    cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode="424242")
    cognito.forgot_password(ClientId=client_id, Username="sam")
    cognito.confirm_forgot_password(ClientId=client_id, Username="sam", ConfirmationCode="424242",
                                    Password="N3wPassword")
    sent = messages(fixed_server, userPoolId=pool_id)
    assert [m["type"] for m in sent] == ["SIGN_UP", "RESEND_CODE", "FORGOT_PASSWORD"]
    assert {m["code"] for m in sent} == {"424242"}
    assert all("424242" in m["body"] for m in sent)


class Inbox:
    """An aiosmtpd handler keeping what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refusing = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "554 Transaction failed"
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_email_is_also_sent_over_smtp(smtp: tuple[Controller, Inbox], tmp_path: Path) -> None:
    controller, inbox = smtp
    live = start_server(tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port,
                        smtp_from="cognito@example.test")
    try:
        cognito = live.client()
        pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
        client_id = new_client(cognito, pool_id)
        sign_up(cognito, client_id, "sam", email="sam@example.com")
        code = last_message(live, pool_id)["code"]
        [(recipients, mail)] = inbox.received
        assert recipients == ["sam@example.com"]
        assert (mail["To"], mail["From"], mail["Subject"]) == ("sam@example.com", "cognito@example.test",
                                                             "Your verification code")
        assert f"Your verification code is {code}." in mail.get_payload()
        cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=code)

        # SMS is never mailed; a relay that refuses fails nothing, the outbox still has it.
        sms_pool = new_pool(cognito, AutoVerifiedAttributes=["phone_number"])
        sign_up(cognito, new_client(cognito, sms_pool), "pat", phone_number="+15555550100")
        assert len(inbox.received) == 1
        inbox.refusing = True
        sign_up(cognito, client_id, "kim", email="kim@example.com")
        assert last_message(live, pool_id, username="kim")["destination"] == "kim@example.com"
        assert len(inbox.received) == 1
    finally:
        live.stop()
