"""CUSTOM_AUTH through a live server: Define / Create / Verify round by round with the
challenge history, issueTokens and failAuthentication, and the SRP_A variant; driven by
boto3, pycognito (SRP) and amazon-cognito-identity-js (Node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from pycognito.aws_srp import AWSSRP

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .outbox import new_pool
from .test_triggers import Recorder, error_of

SECRET = "42"


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


class Quiz:
    """Define / Create / Verify for a quiz: up to three tries at SECRET; with SRP_A first,
    the password before the quiz."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def define(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(json.loads(json.dumps(event)))
        session = event["request"]["session"]
        last = session[-1] if session else None
        if last and last["challengeName"] == "SRP_A":
            event["response"]["challengeName"] = "PASSWORD_VERIFIER"
        elif last and last["challengeName"] == "CUSTOM_CHALLENGE" and last["challengeResult"]:
            event["response"]["issueTokens"] = True
        elif sum(1 for s in session if s["challengeName"] == "CUSTOM_CHALLENGE") >= 3:
            event["response"]["failAuthentication"] = True
        else:
            event["response"]["challengeName"] = "CUSTOM_CHALLENGE"
        return event

    def create(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(json.loads(json.dumps(event)))
        tries = len([s for s in event["request"]["session"] if s["challengeName"] == "CUSTOM_CHALLENGE"])
        event["response"] = {"publicChallengeParameters": {"question": "6 x 7?", "try": tries + 1},
                             "privateChallengeParameters": {"answer": SECRET},
                             "challengeMetadata": f"QUIZ-{tries + 1}"}
        return event

    def verify(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(json.loads(json.dumps(event)))
        request = event["request"]
        event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
        return event

    def install(self, triggers: Triggers, pool: str) -> None:
        triggers.set(pool, "DefineAuthChallenge", self.define)
        triggers.set(pool, "CreateAuthChallenge", self.create)
        triggers.set(pool, "VerifyAuthChallengeResponse", self.verify)


def custom_pool(cognito: Any, triggers: Triggers) -> tuple[str, str, Quiz]:
    pool = new_pool(cognito)
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool, "alice", email="alice@example.com")
    quiz = Quiz()
    quiz.install(triggers, pool)
    return pool, client, quiz


def answer(cognito: Any, client: str, session: str, text: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=session,
        ChallengeResponses={"USERNAME": "alice", "ANSWER": text}, ClientMetadata={"k": "v"})
    return result


def test_custom_auth_rounds_with_the_challenge_history(cognito: Any, triggers: Triggers) -> None:
    pool, client, quiz = custom_pool(cognito, triggers)
    first = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "6 x 7?", "try": "1", "USERNAME": "alice"}
    second = answer(cognito, client, first["Session"], "41")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["ChallengeParameters"]["try"] == "2"
    done = answer(cognito, client, second["Session"], SECRET)
    claims = jwt.decode(done["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "alice"
    sources = [e["triggerSource"] for e in quiz.events]
    assert sources == ["DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication",
                       "VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication",
                       "CreateAuthChallenge_Authentication", "VerifyAuthChallengeResponse_Authentication",
                       "DefineAuthChallenge_Authentication"]
    assert quiz.events[0]["request"]["session"] == [] and quiz.events[0]["request"]["userNotFound"] is False
    assert quiz.events[2]["request"]["privateChallengeParameters"] == {"answer": SECRET}
    assert quiz.events[2]["request"]["challengeAnswer"] == "41"
    assert quiz.events[2]["request"]["clientMetadata"] == {"k": "v"}
    assert quiz.events[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "QUIZ-1"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "QUIZ-2"},
    ]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):  # a session answers once
        answer(cognito, client, second["Session"], SECRET)


def test_fail_authentication_ends_the_sign_in(cognito: Any, triggers: Triggers) -> None:
    _, client, _ = custom_pool(cognito, triggers)
    step = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    for _ in range(2):
        step = answer(cognito, client, step["Session"], "nope")
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        answer(cognito, client, step["Session"], "nope")
    assert error_of(exc)[1] == "Incorrect username or password."


def test_custom_auth_needs_the_flow_and_a_define_function(cognito: Any, triggers: Triggers) -> None:
    pool, client, _ = custom_pool(cognito, triggers)
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName="no-custom", ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH"])["UserPoolClient"]["ClientId"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.initiate_auth(ClientId=other, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    triggers.remove(pool, "DefineAuthChallenge")
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error_of(exc)[1] == "Custom auth lambda trigger is not configured for the user pool."


def test_a_failing_define_or_verify_is_cognitos_lambda_error(cognito: Any, triggers: Triggers) -> None:
    pool, client, quiz = custom_pool(cognito, triggers)
    step = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    triggers.set(pool, "VerifyAuthChallengeResponse", Recorder(error="verifier down"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        answer(cognito, client, step["Session"], SECRET)
    assert error_of(exc)[1] == "VerifyAuthChallengeResponse failed with error verifier down."
    triggers.set(pool, "DefineAuthChallenge", Recorder(error="no flow"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error_of(exc)[1] == "DefineAuthChallenge failed with error no flow."


def test_custom_auth_with_srp_a_proves_the_password_first(cognito: Any, triggers: Triggers) -> None:
    pool, client, quiz = custom_pool(cognito, triggers)
    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    verifier = cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters=srp.get_auth_params())
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    assert quiz.events[0]["request"]["session"] == [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}]
    session = {"Session": verifier["Session"]} if "Session" in verifier else {}
    custom = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="PASSWORD_VERIFIER", **session,
        ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], srp.get_auth_params()))
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert [s["challengeName"] for s in quiz.events[-2]["request"]["session"]] == ["SRP_A", "PASSWORD_VERIFIER"]
    assert answer(cognito, client, custom["Session"], SECRET)["AuthenticationResult"]["AccessToken"]


def run_node(js: Path, server: LiveServer, pool: str, client: str, password: str, *answers: str) -> dict[str, Any]:
    done = subprocess.run(["node", str(js / "custom_auth.mjs"), server.url, pool, client, "alice", password, *answers],
                          capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(done.stdout))


def test_amazon_cognito_identity_js_custom_challenge(cognito: Any, server: LiveServer, triggers: Triggers,
                                                    node_clients: Path) -> None:
    pool, client, _ = custom_pool(cognito, triggers)
    result = run_node(node_clients, server, pool, client, "-", "7", SECRET)
    assert result["ok"] is True, result
    assert [c["try"] for c in result["challenges"]] == ["1", "2"]
    assert jwt.decode(result["idToken"], options={"verify_signature": False})["cognito:username"] == "alice"
    refused = run_node(node_clients, server, pool, client, "-", "1", "2", "3")
    assert refused["ok"] is False and refused["code"] == "NotAuthorizedException"


def test_amazon_cognito_identity_js_custom_auth_with_srp(cognito: Any, server: LiveServer, triggers: Triggers,
                                                        node_clients: Path) -> None:
    pool, client, quiz = custom_pool(cognito, triggers)
    result = run_node(node_clients, server, pool, client, PASSWORD, SECRET)
    assert result["ok"] is True, result
    assert [s["challengeName"] for s in quiz.events[-1]["request"]["session"]] == [
        "SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"]
    wrong = run_node(node_clients, server, pool, client, "Wr0ngPassword", SECRET)
    assert wrong["ok"] is False and wrong["code"] == "NotAuthorizedException"


AMPLIFY_DIR = Path(__file__).parent / "amplify_js"


@pytest.fixture(scope="module")
def amplify() -> Path:
    """Amplify v6 from the npm registry (tests/amplify_js), installed once per checkout."""
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "Node.js and npm are needed for the Amplify tests"
    if not (AMPLIFY_DIR / "node_modules" / "aws-amplify" / "package.json").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AMPLIFY_DIR, check=True, timeout=600,
                       capture_output=True)
    return AMPLIFY_DIR


@pytest.mark.parametrize(("flow", "password", "history"), [
    ("CUSTOM_WITHOUT_SRP", "-", ["CUSTOM_CHALLENGE", "CUSTOM_CHALLENGE"]),
    ("CUSTOM_WITH_SRP", PASSWORD, ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "CUSTOM_CHALLENGE"]),
])
def test_amplify_v6_sign_in_with_a_custom_flow(cognito: Any, server: LiveServer, triggers: Triggers, amplify: Path,
                                               flow: str, password: str, history: list[str]) -> None:
    pool, client, quiz = custom_pool(cognito, triggers)
    done = subprocess.run(["node", str(amplify / "custom_auth.mjs"), server.url, pool, client, flow, "alice",
                           password, "41", SECRET], capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(done.stdout)
    assert result["ok"] is True, result
    assert [s["step"] for s in result["steps"]] == ["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"] * 2
    assert result["steps"][0]["parameters"]["question"] == "6 x 7?"
    assert jwt.decode(result["idToken"], options={"verify_signature": False})["cognito:username"] == "alice"
    assert [s["challengeName"] for s in quiz.events[-1]["request"]["session"]] == history
