"""`userNotFound`: with the client's PreventUserExistenceErrors ENABLED, a sign-in for a
name the pool does not know still runs PreAuthentication and the CUSTOM_AUTH triggers,
with `request.userNotFound: true`, so the answer does not tell whether the user exists;
it never ends in tokens. With LEGACY, UserNotFoundException and no trigger runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .outbox import new_pool
from .test_triggers import Recorder, error_of
from .test_triggers_custom_auth import SECRET, Quiz

WRONG = "Incorrect username or password."


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def hiding_pool(cognito: Any, triggers: Triggers, prevent: str = "ENABLED") -> tuple[str, str, Quiz]:
    pool = new_pool(cognito)
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="app", PreventUserExistenceErrors=prevent, ExplicitAuthFlows=[
            "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
        ])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool, "alice", email="alice@example.com")
    quiz = Quiz()
    quiz.install(triggers, pool)
    return pool, client, quiz


def start(cognito: Any, client: str, username: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH",
                                                   AuthParameters={"USERNAME": username})
    return result


def reply(cognito: Any, client: str, username: str, session: str, text: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=session,
        ChallengeResponses={"USERNAME": username, "ANSWER": text})
    return result


def test_custom_auth_for_an_unknown_user_runs_every_trigger_with_user_not_found(
        cognito: Any, triggers: Triggers) -> None:
    _, client, quiz = hiding_pool(cognito, triggers)
    real = start(cognito, client, "alice")
    first = start(cognito, client, "nobody")
    # The same answer as for a real user.
    assert first["ChallengeName"] == real["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {**real["ChallengeParameters"], "USERNAME": "nobody"}
    define, create = quiz.events[2], quiz.events[3]
    assert define["triggerSource"] == "DefineAuthChallenge_Authentication" and define["userName"] == "nobody"
    assert define["request"]["userNotFound"] is True and define["request"]["userAttributes"] == {}
    assert define["request"]["session"] == []
    assert create["triggerSource"] == "CreateAuthChallenge_Authentication"
    assert create["request"]["userNotFound"] is True and create["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    second = reply(cognito, client, "nobody", first["Session"], "41")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["ChallengeParameters"]["try"] == "2"
    verify = quiz.events[4]
    assert verify["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verify["request"]["userNotFound"] is True and verify["request"]["challengeAnswer"] == "41"
    assert verify["request"]["privateChallengeParameters"] == {"answer": SECRET}
    assert quiz.events[5]["request"]["session"][0]["challengeResult"] is False
    # Even an answer Define accepts hands out no tokens for a user who does not exist.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        reply(cognito, client, "nobody", second["Session"], SECRET)
    assert error_of(exc)[1] == WRONG
    assert quiz.events[-1]["request"]["userNotFound"] is True
    assert quiz.events[-1]["request"]["session"][-1]["challengeResult"] is True


def test_an_unknown_users_session_answers_for_that_name_only(cognito: Any, triggers: Triggers) -> None:
    _, client, _ = hiding_pool(cognito, triggers)
    first = start(cognito, client, "nobody")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        reply(cognito, client, "alice", first["Session"], SECRET)


def test_define_failing_an_unknown_user_and_a_failing_trigger(cognito: Any, triggers: Triggers) -> None:
    pool, client, _ = hiding_pool(cognito, triggers)
    step = start(cognito, client, "nobody")
    for _ in range(2):
        step = reply(cognito, client, "nobody", step["Session"], "nope")
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:  # failAuthentication after three
        reply(cognito, client, "nobody", step["Session"], "nope")
    assert error_of(exc)[1] == WRONG
    triggers.set(pool, "DefineAuthChallenge", Recorder(error="no such user"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as lambda_exc:
        start(cognito, client, "nobody")
    assert error_of(lambda_exc)[1] == "DefineAuthChallenge failed with error no such user."


def test_custom_auth_with_srp_a_for_an_unknown_user_gets_a_verifier_that_never_matches(
        cognito: Any, triggers: Triggers) -> None:
    pool, client, quiz = hiding_pool(cognito, triggers)
    srp = AWSSRP(username="nobody", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    verifier = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters=srp.get_auth_params())
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    [define] = quiz.events
    assert define["request"]["userNotFound"] is True
    assert [s["challengeName"] for s in define["request"]["session"]] == ["SRP_A"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        cognito.respond_to_auth_challenge(
            ClientId=client, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], srp.get_auth_params()))
    assert error_of(exc)[1] == WRONG


def test_legacy_clients_say_user_not_found_and_run_no_trigger(cognito: Any, triggers: Triggers) -> None:
    pool, client, quiz = hiding_pool(cognito, triggers, prevent="LEGACY")
    pre = Recorder()
    triggers.set(pool, "PreAuthentication", pre)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        start(cognito, client, "nobody")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})
    assert quiz.events == [] and pre.events == []


def test_pre_authentication_runs_for_an_unknown_user_with_user_not_found(cognito: Any, triggers: Triggers) -> None:
    pool, client, _ = hiding_pool(cognito, triggers)
    pre = Recorder()
    triggers.set(pool, "PreAuthentication", pre)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
                              ClientMetadata={"ip": "10.0.0.1"})
    assert error_of(exc)[1] == WRONG
    [event] = pre.events
    assert event["triggerSource"] == "PreAuthentication_Authentication" and event["userName"] == "nobody"
    assert event["request"] == {"userAttributes": {}, "validationData": {"ip": "10.0.0.1"}, "userNotFound": True}
    # Over SRP: the decoy challenge, after the same trigger.
    srp = AWSSRP(username="ghost", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    decoy = cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
    assert decoy["ChallengeName"] == "PASSWORD_VERIFIER"
    assert pre.events[-1]["userName"] == "ghost" and pre.events[-1]["request"]["userNotFound"] is True
    # A function that fails on unknown users fails the call, as Cognito's does.
    triggers.set(pool, "PreAuthentication", Recorder(error="who is this"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException):
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})
