"""Triggers through a real Lambda Invoke API: serverless-offline (from npm, no Docker)
runs Python handlers (tests/lambda_offline) and the emulator invokes them with
botocore's lambda client through --lambda-endpoint."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from .conftest import LiveServer, start_server
from .outbox import attrs, new_client, new_pool

OFFLINE_DIR = Path(__file__).parent / "lambda_offline"
PASSWORD = "Passw0rd!"


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:cognito-triggers-dev-{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def invoke_api() -> Iterator[str]:
    """serverless-offline's Lambda Invoke API on a free loopback port, stopped after the module."""
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "Node.js and npm are needed for the Lambda Invoke API tests"
    if not (OFFLINE_DIR / "node_modules" / "serverless-offline" / "package.json").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OFFLINE_DIR, check=True, timeout=600,
                       capture_output=True)
    port = free_port()
    env = {**os.environ, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off",
           "SLS_DEPRECATION_DISABLE": "*"}
    proc = subprocess.Popen(
        ["node", "node_modules/serverless/bin/serverless.js", "offline", "start", "--lambdaPort", str(port),
         "--httpPort", str(free_port())],
        cwd=OFFLINE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        for line in proc.stdout:  # waits for its start-up line, not for time to pass
            if f"127.0.0.1:{port}" in line:
                break
            assert time.monotonic() < deadline, "serverless-offline did not start"
        else:
            pytest.fail("serverless-offline exited before it listened")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: node and its Python workers
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def emulator(invoke_api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # A Python handler under serverless-offline starts a process per invocation: a
    # roomy timeout for a loaded machine (the timeout itself is tested elsewhere).
    live = start_server(tmp_path_factory.mktemp("http-triggers"), lambda_endpoint=invoke_api,
                        lambda_timeout_ms=60_000)
    yield live
    live.stop()


def test_pre_sign_up_over_the_invoke_api(emulator: LiveServer) -> None:
    idp = emulator.client()
    pool = new_pool(idp, LambdaConfig={"PreSignUp": arn("pre-sign-up")})
    client = new_client(idp, pool)
    out = idp.sign_up(ClientId=client, Username="alice", Password=PASSWORD,
                      UserAttributes=attrs(email="alice@example.com"))
    assert out["UserConfirmed"] is True
    # A function error comes back as the Invoke API's FunctionError (a Node.js handler here).
    refusing = new_pool(idp, LambdaConfig={"PreSignUp": arn("refuse")})
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as exc:
        idp.sign_up(ClientId=new_client(idp, refusing), Username="bob", Password=PASSWORD)
    assert exc.value.response["Error"]["Message"] == "PreSignUp failed with error Sign-ups are closed for bob."
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=refusing, Username="bob")


def test_pre_token_generation_v2_and_custom_message_over_the_invoke_api(emulator: LiveServer) -> None:
    idp = emulator.client()
    pool = new_pool(idp, AutoVerifiedAttributes=["email"], LambdaConfig={
        "CustomMessage": arn("custom-message"),
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("pre-token")}})
    client = new_client(idp, pool)
    idp.sign_up(ClientId=client, Username="alice", Password=PASSWORD, UserAttributes=attrs(email="alice@example.com"))
    message = emulator.messages(userPoolId=pool)[-1]
    assert message["body"] == f"Acme says: {message['code']}" and message["subject"] == "Acme"
    idp.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=message["code"])
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    access = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert access["tenant"] == "acme" and "orders/read" in access["scope"].split()
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["tenant"] == "acme"


def test_user_migration_over_the_invoke_api(emulator: LiveServer) -> None:
    idp = emulator.client()
    pool = new_pool(idp, LambdaConfig={"UserMigration": arn("user-migration")})
    client = new_client(idp, pool)
    result = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "ada", "PASSWORD": "legacy"})
    assert result["AuthenticationResult"]["AccessToken"]
    assert idp.admin_get_user(UserPoolId=pool, Username="ada")["UserStatus"] == "CONFIRMED"


def test_custom_auth_over_the_invoke_api(emulator: LiveServer) -> None:
    idp = emulator.client()
    pool = new_pool(idp, LambdaConfig={"DefineAuthChallenge": arn("define"), "CreateAuthChallenge": arn("create"),
                                       "VerifyAuthChallengeResponse": arn("verify")})
    client = new_client(idp, pool)
    idp.update_user_pool_client(UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
    idp.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
    step = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert step["ChallengeParameters"] == {"question": "6 x 7?", "USERNAME": "alice"}
    step = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                                         ChallengeResponses={"USERNAME": "alice", "ANSWER": "41"})
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                                         ChallengeResponses={"USERNAME": "alice", "ANSWER": "42"})
    assert done["AuthenticationResult"]["IdToken"]


def test_a_function_the_invoke_api_does_not_have_is_unexpected(emulator: LiveServer) -> None:
    idp = emulator.client()
    pool = new_pool(idp, LambdaConfig={"PreSignUp": arn("missing")})
    with pytest.raises(idp.exceptions.UnexpectedLambdaException):
        idp.sign_up(ClientId=new_client(idp, pool), Username="alice", Password=PASSWORD)


def test_an_unreachable_endpoint_is_unexpected(tmp_path: Path) -> None:
    live = start_server(tmp_path, lambda_endpoint=f"http://127.0.0.1:{free_port()}")
    try:
        idp = live.client()
        pool = new_pool(idp, LambdaConfig={"PreSignUp": arn("pre-sign-up")})
        with pytest.raises(idp.exceptions.UnexpectedLambdaException):
            idp.sign_up(ClientId=new_client(idp, pool), Username="alice", Password=PASSWORD)
        with pytest.raises(idp.exceptions.UserNotFoundException):
            idp.admin_get_user(UserPoolId=pool, Username="alice")
    finally:
        live.stop()


