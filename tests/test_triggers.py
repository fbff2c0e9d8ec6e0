"""Lambda triggers: the machinery (which function runs, the event, the three backends,
error mapping, the log line) and the sign-up triggers (PreSignUp, PostConfirmation),
through a live server and boto3."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, start_server
from .outbox import as_dict, attrs, new_client, new_pool

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


class Recorder:
    """A trigger function that keeps the events it got and answers with `response`."""

    def __init__(self, response: dict[str, Any] | None = None, error: str | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.response = response or {}
        self.error = error

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(copy.deepcopy(event))
        if self.error:
            raise ValueError(self.error)
        event["response"].update(self.response)
        return event


def error_of(exc: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def sign_up(cognito: Any, client_id: str, username: str = "alice", **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                                             UserAttributes=attrs(email=f"{username}@example.com"), **extra)
    return result


def no_user(cognito: Any, pool_id: str, username: str = "alice") -> bool:
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return True
    return False


# -- PreSignUp, and the machinery through it ------------------------------------------------

def test_pre_sign_up_gets_cognitos_event_and_its_answer_confirms_and_verifies(
        cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    fn = Recorder({"autoConfirmUser": True, "autoVerifyEmail": True})
    triggers.set(pool, "PreSignUp", fn)
    out = sign_up(cognito, client, ValidationData=attrs(captcha="ok"), ClientMetadata={"source": "web"})
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
    [event] = fn.events
    assert event == {
        "version": "1", "triggerSource": "PreSignUp_SignUp", "region": "us-east-1", "userPoolId": pool,
        "userName": "alice", "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
        "request": {"userAttributes": {"email": "alice@example.com"}, "validationData": {"captcha": "ok"},
                    "clientMetadata": {"source": "web"}},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }
    user = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert as_dict(user["UserAttributes"])["email_verified"] == "true"
    assert server.messages(userPoolId=pool) == []  # confirmed: no code sent
    assert cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_pre_sign_up_with_an_empty_answer_changes_nothing(cognito: Any, server: LiveServer,
                                                        triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    triggers.set(pool, "PreSignUp", Recorder())
    out = sign_up(cognito, client)
    assert out["UserConfirmed"] is False and out["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "UNCONFIRMED"


def test_a_failing_pre_sign_up_creates_no_user(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    triggers.set(pool, "PreSignUp", Recorder(error="Sign-ups are closed"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        sign_up(cognito, client)
    assert error_of(exc) == ("UserLambdaValidationException", "PreSignUp failed with error Sign-ups are closed.")
    assert no_user(cognito, pool) and server.messages(userPoolId=pool) == []


@pytest.mark.parametrize("answer", [
    "not an event", {"response": "nope"}, None,
])
def test_a_pre_sign_up_answer_out_of_contract_is_invalid_and_creates_no_user(
        cognito: Any, triggers: Triggers, answer: Any) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "PreSignUp", lambda event, context: answer)
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        sign_up(cognito, client)
    assert no_user(cognito, pool)


def test_auto_verify_of_a_contact_the_user_lacks_is_an_invalid_response(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "PreSignUp", Recorder({"autoConfirmUser": True, "autoVerifyPhone": True}))
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        sign_up(cognito, client)
    assert no_user(cognito, pool)


def test_a_trigger_past_the_timeout_is_an_unexpected_lambda_error(tmp_path: Path) -> None:
    live = start_server(tmp_path, lambda_timeout_ms=50)
    released = threading.Event()
    try:
        idp = live.client()
        pool = new_pool(idp)
        client = new_client(idp, pool)
        live.triggers.set(pool, "PreSignUp", lambda event, context: released.wait(10) and event)
        with pytest.raises(idp.exceptions.UnexpectedLambdaException):
            sign_up(idp, client)
        assert no_user(idp, pool)
    finally:
        released.set()
        live.stop()


def test_admin_create_user_runs_pre_sign_up_as_an_admin_call(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    fn = Recorder({"autoConfirmUser": True})
    triggers.set(pool, "PreSignUp", fn)
    cognito.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="bob@example.com"), ClientMetadata={"k": "v"})
    [event] = fn.events
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["userAttributes"] == {"email": "bob@example.com"}
    assert event["request"]["clientMetadata"] == {"k": "v"}
    # autoConfirmUser does not apply to an invited user: it must still set a password.
    assert cognito.admin_get_user(UserPoolId=pool, Username="bob")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    fn.error = "no invitations"
    with pytest.raises(cognito.exceptions.UserLambdaValidationException):
        cognito.admin_create_user(UserPoolId=pool, Username="carol", MessageAction="SUPPRESS")
    assert no_user(cognito, pool, "carol")


def test_the_function_a_pools_lambda_config_names_runs(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito, LambdaConfig={"PreSignUp": ARN.format("auto-confirm")})
    client = new_client(cognito, pool)
    fn = Recorder({"autoConfirmUser": True})
    triggers.register("auto-confirm", fn)
    assert sign_up(cognito, client)["UserConfirmed"] is True
    assert len(fn.events) == 1
    # Another pool naming no function runs none.
    other = new_pool(cognito)
    assert sign_up(cognito, new_client(cognito, other))["UserConfirmed"] is False
    assert len(fn.events) == 1


def test_a_function_no_backend_can_run_is_skipped(cognito: Any) -> None:
    pool = new_pool(cognito, LambdaConfig={"PreSignUp": ARN.format("nowhere")})
    assert sign_up(cognito, new_client(cognito, pool))["UserConfirmed"] is False


def test_each_invocation_is_one_log_line(cognito: Any, triggers: Triggers, caplog: pytest.LogCaptureFixture) -> None:
    pool = new_pool(cognito)
    triggers.set(pool, "PreSignUp", Recorder())
    with caplog.at_level(logging.INFO, logger="emulator.triggers"):
        sign_up(cognito, new_client(cognito, pool))
    [line] = [r.getMessage() for r in caplog.records if r.name == "emulator.triggers"]
    assert line.startswith("trigger PreSignUp_SignUp -> ") and ": ok (" in line and line.endswith(" ms)")


def test_reset_forgets_registered_functions(tmp_path: Path) -> None:
    live = start_server(tmp_path)
    try:
        live.triggers.set("us-east-1_x", "PreSignUp", Recorder())
        live.triggers.register("f", Recorder())
        live.reset()
        assert live.triggers.pools == {} and live.triggers.functions == {}
    finally:
        live.stop()


def test_registering_an_unknown_trigger_is_refused() -> None:
    with pytest.raises(ValueError):
        Triggers().set("us-east-1_x", "PreSignIn", Recorder())


# -- handlers on disk ------------------------------------------------------------------------

HANDLERS = {
    "confirm-all": "def handler(event, context):\n"
                   "    event['response']['autoConfirmUser'] = True\n"
                   "    assert context.function_name == 'confirm-all'\n"
                   "    return event\n",
    "refuse": "def handler(event, context):\n    raise Exception('not on my watch')\n",
}


def test_python_handlers_on_disk_run_by_the_arns_function_name(tmp_path: Path) -> None:
    handlers = tmp_path / "handlers"
    handlers.mkdir()
    for name, source in HANDLERS.items():
        (handlers / f"{name}.py").write_text(source)
    live = start_server(tmp_path, lambda_dir=str(handlers))
    try:
        idp = live.client()
        pool = new_pool(idp, LambdaConfig={"PreSignUp": ARN.format("confirm-all")})
        assert sign_up(idp, new_client(idp, pool))["UserConfirmed"] is True
        refusing = new_pool(idp, LambdaConfig={"PreSignUp": ARN.format("refuse")})
        with pytest.raises(idp.exceptions.UserLambdaValidationException) as exc:
            sign_up(idp, new_client(idp, refusing))
        assert error_of(exc)[1] == "PreSignUp failed with error not on my watch."
        missing = new_pool(idp, LambdaConfig={"PreSignUp": ARN.format("missing")})
        with pytest.raises(idp.exceptions.UnexpectedLambdaException):
            sign_up(idp, new_client(idp, missing))
        assert no_user(idp, refusing) and no_user(idp, missing)
    finally:
        live.stop()


# -- PostConfirmation ------------------------------------------------------------------------

def test_post_confirmation_follows_confirm_sign_up(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    client = new_client(cognito, pool)
    fn = Recorder()
    triggers.set(pool, "PostConfirmation", fn)
    sign_up(cognito, client)
    assert fn.events == []
    cognito.confirm_sign_up(ClientId=client, Username="alice", ClientMetadata={"a": "b"},
                            ConfirmationCode=server.last_code(userPoolId=pool))
    [event] = fn.events
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == client
    assert event["request"]["clientMetadata"] == {"a": "b"}
    seen = event["request"]["userAttributes"]
    assert seen["email"] == "alice@example.com" and seen["email_verified"] == "true"
    assert seen["cognito:user_status"] == "CONFIRMED" and seen["sub"]


def test_post_confirmation_follows_confirm_forgot_password_and_admin_confirm(
        cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    fn = Recorder()
    triggers.set(pool, "PostConfirmation", fn)
    sign_up(cognito, client)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    cognito.admin_update_user_attributes(UserPoolId=pool, Username="alice", UserAttributes=attrs(email_verified="true"))
    cognito.forgot_password(ClientId=client, Username="alice")
    cognito.confirm_forgot_password(ClientId=client, Username="alice", Password="An0therOne",
                                    ConfirmationCode=server.last_code(userPoolId=pool))
    assert [(e["triggerSource"], e["callerContext"]["clientId"]) for e in fn.events] == [
        ("PostConfirmation_ConfirmSignUp", "CLIENT_ID_NOT_APPLICABLE"),
        ("PostConfirmation_ConfirmForgotPassword", client),
    ]


def test_a_failing_post_confirmation_fails_the_call_but_the_user_stays_confirmed(
        cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "PostConfirmation", Recorder(error="profile table is down"))
    sign_up(cognito, client)
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    assert error_of(exc)[1] == "PostConfirmation failed with error profile table is down."
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "CONFIRMED"


def test_a_user_pre_sign_up_confirms_is_confirmed_for_post_confirmation_too(
        cognito: Any, triggers: Triggers) -> None:
    """Confirmed by PreSignUp is confirmed: PostConfirmation runs after SignUp (the
    profile row an application writes on confirmation must exist for these users too)."""
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    triggers.set(pool, "PreSignUp", Recorder({"autoConfirmUser": True}))
    after = Recorder()
    triggers.set(pool, "PostConfirmation", after)
    assert sign_up(cognito, client, ClientMetadata={"plan": "pro"})["UserConfirmed"] is True
    [event] = after.events
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == client
    assert event["request"]["clientMetadata"] == {"plan": "pro"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    triggers.set(pool, "PostConfirmation", Recorder(error="profile table is down"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException):
        sign_up(cognito, client, "bob")
    assert cognito.admin_get_user(UserPoolId=pool, Username="bob")["UserStatus"] == "CONFIRMED"


def test_functions_that_never_return_do_not_starve_sign_ins(tmp_path: Path) -> None:
    """A function past its timeout keeps its thread (Python cannot stop it): more of them
    than there are crypto workers must not leave sign-ins (bcrypt, RSA) waiting."""
    from emulator import offload

    live = start_server(tmp_path, lambda_timeout_ms=50)
    released = threading.Event()
    try:
        idp = live.client()
        other = new_pool(idp)
        confirmed = new_client(idp, other)
        idp.admin_create_user(UserPoolId=other, Username="alice", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=other, Username="alice", Password=PASSWORD, Permanent=True)
        pool = new_pool(idp)
        client = new_client(idp, pool)
        live.triggers.set(pool, "PreSignUp", lambda event, context: released.wait(300) and event)
        for n in range(offload.size() + 1):
            with pytest.raises(idp.exceptions.UnexpectedLambdaException):
                sign_up(idp, client, f"stuck{n}")
        done: list[Any] = []
        worker = threading.Thread(target=lambda: done.append(idp.initiate_auth(
            ClientId=confirmed, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})), daemon=True)
        worker.start()
        worker.join(30)  # a bound on a hang, not a timing: a sign-in takes milliseconds
        assert done and done[0]["AuthenticationResult"]["AccessToken"]
    finally:
        released.set()
        live.stop()
