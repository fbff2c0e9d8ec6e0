"""Every trigger that can fail an operation, failing each of Cognito's three ways, through
a live server and boto3: the function raises (UserLambdaValidationException "<Trigger>
failed with error <message>."), answers something that is no event
(InvalidLambdaResponseException), or does not answer in time (UnexpectedLambdaException);
and each time nothing is half-written (no user created, no tokens or session, no code or
message, the user as it was), or the documented choice holds (a confirmation stands)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user, start_server
from .outbox import attrs
from .test_triggers import Recorder, no_user
from .test_triggers_custom_auth import Quiz

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


@dataclass
class Setup:
    idp: Any
    live: LiveServer
    pool: str
    client: str
    triggers: Triggers


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose triggers time out after half a second (the default is 5 s)."""
    live = start_server(tmp_path_factory.mktemp("failures"), lambda_timeout_ms=500)
    yield live
    live.stop()


@pytest.fixture
def setup(slow_server: LiveServer) -> Iterator[Setup]:
    idp = slow_server.client()
    pool = idp.create_user_pool(PoolName="failures", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="app",
                                         ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    confirmed_user(idp, pool, "alice", email="alice@example.com", email_verified="true")
    yield Setup(idp, slow_server, pool, client, slow_server.triggers)
    slow_server.triggers.clear()


def sign_in(s: Setup, username: str = "alice") -> Any:
    return s.idp.initiate_auth(ClientId=s.client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})


def modified(s: Setup, username: str = "alice") -> Any:
    return s.idp.admin_get_user(UserPoolId=s.pool, Username=username)["UserLastModifiedDate"]


# Each scenario: the trigger, what to do before it is made to fail (returns a state to
# compare), the call that runs it, and the check that nothing was half-written.
Prepare = Callable[[Setup], Any]
Act = Callable[[Setup, Any], Any]
Check = Callable[[Setup, Any], None]


def _nothing(s: Setup) -> Any:
    return modified(s)


def _unchanged(s: Setup, before: Any) -> None:
    assert modified(s) == before


def _sign_up(s: Setup, _: Any) -> Any:
    return s.idp.sign_up(ClientId=s.client, Username="newbie", Password=PASSWORD,
                         UserAttributes=attrs(email="newbie@example.com"))


def _no_newbie(s: Setup, _: Any) -> None:
    assert no_user(s.idp, s.pool, "newbie") and s.live.messages(userPoolId=s.pool, username="newbie") == []


def _admin_create(s: Setup, _: Any) -> Any:
    return s.idp.admin_create_user(UserPoolId=s.pool, Username="newbie", UserAttributes=attrs(
        email="newbie@example.com"))


def _unconfirmed(s: Setup) -> Any:
    s.idp.sign_up(ClientId=s.client, Username="newbie", Password=PASSWORD,
                  UserAttributes=attrs(email="newbie@example.com"))
    return s.live.messages(userPoolId=s.pool, username="newbie")[-1]["code"]


def _confirm(s: Setup, code: Any) -> Any:
    return s.idp.confirm_sign_up(ClientId=s.client, Username="newbie", ConfirmationCode=code)


def _confirmation_stands(s: Setup, _: Any) -> None:
    # The emulator's documented choice (README): the confirmation is written first.
    assert s.idp.admin_get_user(UserPoolId=s.pool, Username="newbie")["UserStatus"] == "CONFIRMED"


def _tracked(s: Setup) -> Any:
    s.idp.set_user_pool_session_configuration(UserPoolId=s.pool, UserSessionTracking="ENABLED",
                                              TokenSession={"MaxPerUser": 20})
    return modified(s)


def _no_session(s: Setup, before: Any) -> None:
    _unchanged(s, before)
    assert s.idp.admin_list_user_sessions(UserPoolId=s.pool, Username="alice")["Sessions"] == []


def _devices(s: Setup) -> Any:
    s.idp.update_user_pool(UserPoolId=s.pool, AutoVerifiedAttributes=["email"], DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})
    return _tracked(s)


def _no_device(s: Setup, before: Any) -> None:
    _no_session(s, before)
    assert s.idp.admin_list_devices(UserPoolId=s.pool, Username="alice")["Devices"] == []


def _signed_in(s: Setup) -> Any:
    return sign_in(s)["AuthenticationResult"]["RefreshToken"], modified(s)


def _refresh(s: Setup, state: Any) -> Any:
    return s.idp.initiate_auth(ClientId=s.client, AuthFlow="REFRESH_TOKEN_AUTH",
                               AuthParameters={"REFRESH_TOKEN": state[0]})


def _forgot(s: Setup, _: Any) -> Any:
    return s.idp.forgot_password(ClientId=s.client, Username="alice")


def _no_reset_message(s: Setup, before: Any) -> None:
    assert s.live.messages(userPoolId=s.pool, username="alice", type="FORGOT_PASSWORD") == []


def _migrate_sign_in(s: Setup, _: Any) -> Any:
    return sign_in(s, "legacy")


def _migrate_forgot(s: Setup, _: Any) -> Any:
    return s.idp.forgot_password(ClientId=s.client, Username="legacy")


def _no_legacy(s: Setup, _: Any) -> None:
    assert no_user(s.idp, s.pool, "legacy") and s.live.messages(userPoolId=s.pool, username="legacy") == []


def _quiz(s: Setup) -> Any:
    Quiz().install(s.triggers, s.pool)
    return modified(s)


def _custom(s: Setup, _: Any) -> Any:
    return s.idp.initiate_auth(ClientId=s.client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})


def _quiz_started(s: Setup) -> Any:
    _quiz(s)
    return _custom(s, None)["Session"], modified(s)


def _answer(s: Setup, state: Any) -> Any:
    return s.idp.respond_to_auth_challenge(ClientId=s.client, ChallengeName="CUSTOM_CHALLENGE", Session=state[0],
                                           ChallengeResponses={"USERNAME": "alice", "ANSWER": "42"})


def _unchanged_after_answer(s: Setup, state: Any) -> None:
    _unchanged(s, state[1])


SCENARIOS: dict[str, tuple[str, Prepare | None, Act, Check]] = {
    "PreSignUp/SignUp": ("PreSignUp", None, _sign_up, _no_newbie),
    "PreSignUp/AdminCreateUser": ("PreSignUp", None, _admin_create, _no_newbie),
    "PostConfirmation/ConfirmSignUp": ("PostConfirmation", _unconfirmed, _confirm, _confirmation_stands),
    "PreAuthentication/InitiateAuth": ("PreAuthentication", _nothing, lambda s, _: sign_in(s), _unchanged),
    "PostAuthentication/InitiateAuth": ("PostAuthentication", _tracked, lambda s, _: sign_in(s), _no_session),
    "PreTokenGeneration/InitiateAuth": ("PreTokenGeneration", _tracked, lambda s, _: sign_in(s), _no_session),
    "PostAuthentication/InitiateAuth (devices)": ("PostAuthentication", _devices, lambda s, _: sign_in(s), _no_device),
    "PreTokenGeneration/InitiateAuth (devices)": ("PreTokenGeneration", _devices, lambda s, _: sign_in(s), _no_device),
    "PreTokenGeneration/refresh": ("PreTokenGeneration", _signed_in, _refresh, _unchanged_after_answer),
    "CustomMessage/ForgotPassword": ("CustomMessage", _nothing, _forgot, _no_reset_message),
    "UserMigration/InitiateAuth": ("UserMigration", None, _migrate_sign_in, _no_legacy),
    "UserMigration/ForgotPassword": ("UserMigration", None, _migrate_forgot, _no_legacy),
    "DefineAuthChallenge/InitiateAuth": ("DefineAuthChallenge", _quiz, _custom, _unchanged),
    "CreateAuthChallenge/InitiateAuth": ("CreateAuthChallenge", _quiz, _custom, _unchanged),
    "VerifyAuthChallengeResponse/RespondToAuthChallenge": (
        "VerifyAuthChallengeResponse", _quiz_started, _answer, _unchanged_after_answer),
}


class Stuck:
    """A function that answers only when released (after the call has timed out)."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.released.wait(10)
        return event


@pytest.mark.parametrize("way", ["raises", "garbage", "timeout"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_failing_trigger_is_cognitos_error_and_writes_nothing(setup: Setup, scenario: str, way: str) -> None:
    trigger, prepare, act, check = SCENARIOS[scenario]
    state = prepare(setup) if prepare else None
    stuck = Stuck()
    fn: Any = {"raises": Recorder(error="boom"), "garbage": lambda event, context: "not an event",
               "timeout": stuck}[way]
    setup.triggers.set(setup.pool, trigger, fn)
    expected = {"raises": "UserLambdaValidationException", "garbage": "InvalidLambdaResponseException",
                "timeout": "UnexpectedLambdaException"}[way]
    try:
        with pytest.raises(getattr(setup.idp.exceptions, expected)) as exc:
            act(setup, state)
    finally:
        stuck.released.set()
    if way == "raises":
        assert exc.value.response["Error"]["Message"] == f"{trigger} failed with error boom."
    check(setup, state)


def test_the_matrix_covers_every_synchronous_trigger() -> None:
    from emulator.triggers import ASYNC_TRIGGERS
    from emulator.triggers.registry import TRIGGERS

    assert {t for t, *_ in SCENARIOS.values()} == set(TRIGGERS) - ASYNC_TRIGGERS


@pytest.mark.parametrize("way", ["raises", "garbage", "timeout"])
def test_a_failing_v3_function_refuses_get_client_token(setup: Setup, way: str) -> None:
    """GetClientToken's model lists no Lambda errors: NotAuthorizedException, nothing issued."""
    s = setup
    s.idp.create_resource_server(UserPoolId=s.pool, Identifier="orders", Name="orders",
                                 Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}])
    machine = s.idp.create_user_pool_client(
        UserPoolId=s.pool, ClientName="machine", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"])["UserPoolClient"]
    stuck = Stuck()
    fn: Any = {"raises": Recorder(error="boom"), "garbage": lambda event, context: "not an event",
               "timeout": stuck}[way]
    s.triggers.set(s.pool, "PreTokenGeneration", fn, version="V3_0")
    try:
        with pytest.raises(s.idp.exceptions.NotAuthorizedException):
            s.idp.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"])
    finally:
        stuck.released.set()
