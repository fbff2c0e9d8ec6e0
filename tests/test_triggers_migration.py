"""UserMigration through a live server: a sign-in or password reset for a username the
pool does not know asks the function; a user it vouches for is created (with the
password just used, whatever the pool's policy), and signs in from then on without it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import LiveServer
from .outbox import as_dict, new_client, new_pool
from .test_triggers import error_of

OLD_PASSWORD = "legacy"  # too weak for the pool's policy: migration does not apply it
LEGACY = {"ada": {"password": OLD_PASSWORD, "email": "ada@example.com"}}


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


class OldSystem:
    """A UserMigration function over a dict of legacy users."""

    def __init__(self, status: str | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.status = status

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(dict(event, request=dict(event["request"])))
        found = LEGACY.get(event["userName"])
        if found is None:
            raise Exception("User does not exist")
        if event["triggerSource"] == "UserMigration_Authentication" and event["request"]["password"] != found["password"]:
            raise Exception("Bad password")
        event["response"]["userAttributes"] = {"email": found["email"], "email_verified": "true", "sub": "forged"}
        if self.status:
            event["response"]["finalUserStatus"] = self.status
        event["response"]["messageAction"] = "SUPPRESS"
        return event


def sign_in(cognito: Any, client: str, username: str = "ada", password: str = OLD_PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                                   AuthParameters={"USERNAME": username, "PASSWORD": password},
                                                   ClientMetadata={"app": "web"})
    return result


def test_a_sign_in_migrates_the_user_with_their_old_password(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    fn = OldSystem()
    triggers.set(pool, "UserMigration", fn)
    assert sign_in(cognito, client)["AuthenticationResult"]["IdToken"]
    [event] = fn.events
    assert event["triggerSource"] == "UserMigration_Authentication" and event["userName"] == "ada"
    assert event["callerContext"]["clientId"] == client
    assert event["request"] == {"password": OLD_PASSWORD, "validationData": {"app": "web"},
                                "clientMetadata": {"app": "web"}}
    user = cognito.admin_get_user(UserPoolId=pool, Username="ada")
    assert user["UserStatus"] == "CONFIRMED"
    got = as_dict(user["UserAttributes"])
    assert got["email"] == "ada@example.com" and got["email_verified"] == "true" and got["sub"] != "forged"
    # Known now: the next sign-in does not ask the function again.
    assert sign_in(cognito, client)["AuthenticationResult"]
    assert len(fn.events) == 1


def test_a_refused_migration_creates_no_user(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "UserMigration", OldSystem())
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        sign_in(cognito, client, password="wrong")
    assert error_of(exc)[1] == "UserMigration failed with error Bad password."
    triggers.set(pool, "UserMigration", lambda event, context: event)  # answers without attributes
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        sign_in(cognito, client)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool, Username="ada")


def test_a_migration_to_reset_required_asks_for_a_new_password(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "UserMigration", OldSystem(status="RESET_REQUIRED"))
    with pytest.raises(cognito.exceptions.PasswordResetRequiredException):
        sign_in(cognito, client)
    assert cognito.admin_get_user(UserPoolId=pool, Username="ada")["UserStatus"] == "RESET_REQUIRED"


def test_forgot_password_migrates_the_user_and_sends_a_code(cognito: Any, server: LiveServer,
                                                          triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    fn = OldSystem()
    triggers.set(pool, "UserMigration", fn)
    sent = cognito.forgot_password(ClientId=client, Username="ada")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    [event] = fn.events
    assert event["triggerSource"] == "UserMigration_ForgotPassword" and "password" not in event["request"]
    assert cognito.admin_get_user(UserPoolId=pool, Username="ada")["UserStatus"] == "RESET_REQUIRED"
    cognito.confirm_forgot_password(ClientId=client, Username="ada", Password="N3wPassword",
                                    ConfirmationCode=server.last_code(userPoolId=pool))
    assert sign_in(cognito, client, password="N3wPassword")["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        cognito.forgot_password(ClientId=client, Username="nobody")
    assert error_of(exc)[1] == "UserMigration failed with error User does not exist."
