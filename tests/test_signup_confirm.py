"""Sign-up confirmation with real boto3: SignUp sends a code (read back from the outbox),
ConfirmSignUp checks it (wrong, expired, too many tries), ResendConfirmationCode
replaces it; the journey ends in a sign-in with the contact verified."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer
from .outbox import DAY, attrs, claims, last_code, messages, new_client, new_pool, sign_in, wrong


@pytest.fixture
def email_pool(cognito: Any) -> str:
    return new_pool(cognito, AutoVerifiedAttributes=["email"])


@pytest.fixture
def email_client(cognito: Any, email_pool: str) -> str:
    return new_client(cognito, email_pool)


def sign_up(cognito: Any, client_id: str, username: str = "sam", **values: str) -> dict[str, Any]:
    values = values or {"email": f"{username}@example.com"}
    return dict(cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                                UserAttributes=attrs(**values)))


def status(cognito: Any, pool_id: str, username: str = "sam") -> str:
    return str(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def test_sign_up_confirm_sign_in(cognito: Any, server: LiveServer, email_pool: str, email_client: str) -> None:
    resp = sign_up(cognito, email_client)
    assert resp["UserConfirmed"] is False
    assert resp["CodeDeliveryDetails"] == {"Destination": "s***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    [sent] = messages(server, userPoolId=email_pool)
    assert (sent["type"], sent["channel"], sent["destination"]) == ("SIGN_UP", "EMAIL", "sam@example.com")
    assert len(sent["code"]) == 6 and sent["code"].isdigit() and sent["code"] in sent["body"]
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        sign_in(cognito, email_client, "sam", PASSWORD)

    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=sent["code"])
    assert status(cognito, email_pool) == "CONFIRMED"
    id_token = claims(sign_in(cognito, email_client, "sam", PASSWORD)["IdToken"])
    assert id_token["email"] == "sam@example.com" and id_token["email_verified"] is True
    assert id_token["sub"] == resp["UserSub"]


def test_phone_gets_the_code_when_both_are_auto_verified(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email", "phone_number"])
    client_id = new_client(cognito, pool_id)
    resp = sign_up(cognito, client_id, email="sam@example.com", phone_number="+15555550100")
    assert resp["CodeDeliveryDetails"] == {"Destination": "+*******0100", "DeliveryMedium": "SMS",
                                           "AttributeName": "phone_number"}
    [sent] = messages(server, userPoolId=pool_id)
    assert (sent["channel"], sent["destination"], sent["subject"]) == ("SMS", "+15555550100", None)
    cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=sent["code"])
    id_token = claims(sign_in(cognito, client_id, "sam", PASSWORD)["IdToken"])
    assert id_token["phone_number_verified"] is True and id_token["email_verified"] is False


def test_no_code_without_auto_verification(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id)
    assert "CodeDeliveryDetails" not in sign_up(cognito, client_id)
    assert messages(server, userPoolId=pool_id) == []
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.resend_confirmation_code(ClientId=client_id, Username="sam")


def test_wrong_code_is_refused_and_the_right_one_still_works(
    cognito: Any, server: LiveServer, email_pool: str, email_client: str,
) -> None:
    sign_up(cognito, email_client)
    code = last_code(server, email_pool)
    with pytest.raises(cognito.exceptions.CodeMismatchException, match="Invalid verification code"):
        cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=wrong(code))
    assert status(cognito, email_pool) == "UNCONFIRMED"
    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=code)
    assert status(cognito, email_pool) == "CONFIRMED"


def test_code_expires_after_a_day(cognito: Any, server: LiveServer, email_pool: str, email_client: str) -> None:
    sign_up(cognito, email_client, "early")
    sign_up(cognito, email_client, "late")
    early, late = (last_code(server, email_pool, username=u) for u in ("early", "late"))
    server.clock.advance(DAY - 60)
    cognito.confirm_sign_up(ClientId=email_client, Username="early", ConfirmationCode=early)
    server.clock.advance(120)
    with pytest.raises(cognito.exceptions.ExpiredCodeException):
        cognito.confirm_sign_up(ClientId=email_client, Username="late", ConfirmationCode=late)
    assert status(cognito, email_pool, "late") == "UNCONFIRMED"

    cognito.resend_confirmation_code(ClientId=email_client, Username="late")
    cognito.confirm_sign_up(ClientId=email_client, Username="late",
                            ConfirmationCode=last_code(server, email_pool, username="late", type="RESEND_CODE"))
    assert status(cognito, email_pool, "late") == "CONFIRMED"


def test_resend_sends_a_fresh_code(cognito: Any, server: LiveServer, email_pool: str, email_client: str) -> None:
    sign_up(cognito, email_client)
    resp = cognito.resend_confirmation_code(ClientId=email_client, Username="sam")
    assert resp["CodeDeliveryDetails"] == {"Destination": "s***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    sent = messages(server, userPoolId=email_pool)
    assert [m["type"] for m in sent] == ["SIGN_UP", "RESEND_CODE"]
    assert sent[1]["destination"] == "sam@example.com" and sent[1]["code"] in sent[1]["body"]
    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=sent[1]["code"])
    assert status(cognito, email_pool) == "CONFIRMED"


def test_resend_is_capped_per_hour(cognito: Any, server: LiveServer, email_pool: str, email_client: str) -> None:
    sign_up(cognito, email_client)
    for _ in range(5):
        cognito.resend_confirmation_code(ClientId=email_client, Username="sam")
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.resend_confirmation_code(ClientId=email_client, Username="sam")
    assert len(messages(server, userPoolId=email_pool, type="RESEND_CODE")) == 5
    server.clock.advance(3601)
    cognito.resend_confirmation_code(ClientId=email_client, Username="sam")
    assert len(messages(server, userPoolId=email_pool, type="RESEND_CODE")) == 6


@pytest.mark.parametrize("given", ["12345", "1234567", "éèêëüö", "abcdef"])
def test_malformed_codes_are_just_wrong(
    cognito: Any, server: LiveServer, email_pool: str, email_client: str, given: str,
) -> None:
    sign_up(cognito, email_client)
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=given)
    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=last_code(server, email_pool))


def test_too_many_wrong_codes_lock_confirmation_for_an_hour(
    cognito: Any, server: LiveServer, email_pool: str, email_client: str,
) -> None:
    sign_up(cognito, email_client)
    code = last_code(server, email_pool)
    for _ in range(15):
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=wrong(code))
    with pytest.raises(cognito.exceptions.LimitExceededException, match="Attempt limit exceeded"):
        cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=code)
    server.clock.advance(3601)
    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=code)
    assert status(cognito, email_pool) == "CONFIRMED"


def test_confirmed_users_cannot_confirm_or_resend_again(
    cognito: Any, server: LiveServer, email_pool: str, email_client: str,
) -> None:
    sign_up(cognito, email_client)
    code = last_code(server, email_pool)
    cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=code)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Current status is CONFIRMED"):
        cognito.confirm_sign_up(ClientId=email_client, Username="sam", ConfirmationCode=code)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.resend_confirmation_code(ClientId=email_client, Username="sam")


def test_unknown_user(cognito: Any, email_client: str) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.confirm_sign_up(ClientId=email_client, Username="nobody", ConfirmationCode="123456")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.resend_confirmation_code(ClientId=email_client, Username="nobody")


def test_admin_only_pool_refuses_sign_up(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"],
                       AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = new_client(cognito, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_up(cognito, client_id)
    assert messages(server, userPoolId=pool_id) == []
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="sam")


def test_code_survives_a_restart(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    sign_up(cognito, client_id)
    code = last_code(own_server, pool_id)
    own_server.restart()
    cognito = own_server.client()
    assert last_code(own_server, pool_id) == code  # the outbox is kept too
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=wrong(code))
    cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=code)
    assert claims(sign_in(cognito, client_id, "sam", PASSWORD)["IdToken"])["email_verified"] is True
