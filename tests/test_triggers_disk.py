"""Trigger handlers on disk (--lambda-dir), one of each kind through a live server: a
directory of `<function>.py` files, and an importable module of functions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, start_server
from .outbox import attrs, new_client, new_pool

HANDLERS = {
    "pre-token": """
def handler(event, context):
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}}}
    return event
""",
    "message": """
def handler(event, context):
    event["response"]["emailMessage"] = "From disk: " + event["request"]["codeParameter"]
    return event
""",
    "migrate": """
from legacy_users import USERS   # a handler imports its neighbours


def handler(event, context):
    if USERS.get(event["userName"]) != event["request"].get("password"):
        raise Exception("Bad password")
    event["response"]["userAttributes"] = {"email": event["userName"] + "@example.com", "email_verified": "true"}
    return event
""",
    "legacy_users": "USERS = {'ada': 'legacy'}\n",
    "pre-sign-up": """
def handler(event, context):
    event["response"]["autoConfirmUser"] = event["request"]["userAttributes"]["email"].endswith("@test.example")
    return event
""",
    "post-confirmation": """
import pathlib


def handler(event, context):  # the profile row an application writes
    pathlib.Path(__file__).with_name(event["userName"] + ".profile").write_text(event["triggerSource"])
    return event
""",
    "pre-auth": """
def handler(event, context):
    if event["request"]["userAttributes"].get("custom:blocked") == "yes":
        raise Exception("This account is blocked")
    return event
""",
    "post-auth": """
import pathlib


def handler(event, context):
    pathlib.Path(__file__).with_name(event["userName"] + ".seen").write_text(event["triggerSource"])
    return event
""",
    "define": """
def handler(event, context):
    session = event["request"]["session"]
    if session and session[-1]["challengeResult"]:
        event["response"]["issueTokens"] = True
    else:
        event["response"]["challengeName"] = "CUSTOM_CHALLENGE"
    return event
""",
    "create": """
def handler(event, context):
    event["response"]["publicChallengeParameters"] = {"hint": "the answer"}
    event["response"]["privateChallengeParameters"] = {"answer": "42"}
    return event
""",
    "verify": """
def handler(event, context):
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event
""",
    "sender": """
import base64
import pathlib


def handler(event, context):  # delivers by writing the code next to itself
    code = base64.b64decode(event["request"]["code"]).decode()
    pathlib.Path(__file__).with_suffix(".sent").write_text(code)
""",
}


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


@pytest.fixture(scope="module")
def disk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("disk-triggers")
    (root / "handlers").mkdir()
    for name, source in HANDLERS.items():
        (root / "handlers" / f"{name}.py").write_text(source)
    live = start_server(root, lambda_dir=str(root / "handlers"))
    yield live
    live.stop()


def test_pre_token_generation_and_custom_message_from_disk(disk_server: LiveServer) -> None:
    idp = disk_server.client()
    pool = new_pool(idp, AutoVerifiedAttributes=["email"], LambdaConfig={
        "CustomMessage": arn("message"),
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("pre-token")}})
    client = new_client(idp, pool)
    idp.sign_up(ClientId=client, Username="alice", Password=PASSWORD, UserAttributes=attrs(email="alice@example.com"))
    message = disk_server.messages(userPoolId=pool)[-1]
    assert message["body"] == f"From disk: {message['code']}"
    idp.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=message["code"])
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["tenant"] == "acme"


def test_sign_up_and_authentication_triggers_from_disk(disk_server: LiveServer) -> None:
    idp = disk_server.client()
    pool = new_pool(idp, Schema=[{"Name": "blocked", "AttributeDataType": "String"}], LambdaConfig={
        "PreSignUp": arn("pre-sign-up"), "PostConfirmation": arn("post-confirmation"),
        "PreAuthentication": arn("pre-auth"), "PostAuthentication": arn("post-auth")})
    client = new_client(idp, pool)
    folder = Path(disk_server.settings_overrides["lambda_dir"])
    signed = idp.sign_up(ClientId=client, Username="tess", Password=PASSWORD,
                         UserAttributes=attrs(email="tess@test.example"))
    assert signed["UserConfirmed"] is True  # PreSignUp confirmed her
    assert (folder / "tess.profile").read_text() == "PostConfirmation_ConfirmSignUp"
    assert not idp.sign_up(ClientId=client, Username="rita", Password=PASSWORD,
                           UserAttributes=attrs(email="rita@example.com"))["UserConfirmed"]
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "tess", "PASSWORD": PASSWORD})
    assert (folder / "tess.seen").read_text() == "PostAuthentication_Authentication"
    idp.admin_update_user_attributes(UserPoolId=pool, Username="tess",
                                     UserAttributes=[{"Name": "custom:blocked", "Value": "yes"}])
    with pytest.raises(idp.exceptions.UserLambdaValidationException,
                       match="PreAuthentication failed with error This account is blocked."):
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "tess", "PASSWORD": PASSWORD})


def test_user_migration_from_disk(disk_server: LiveServer) -> None:
    idp = disk_server.client()
    pool = new_pool(idp, LambdaConfig={"UserMigration": arn("migrate")})
    client = new_client(idp, pool)
    assert idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ada", "PASSWORD": "legacy"})["AuthenticationResult"]
    with pytest.raises(idp.exceptions.UserLambdaValidationException):
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "bob", "PASSWORD": "legacy"})


def test_custom_auth_from_disk(disk_server: LiveServer) -> None:
    idp = disk_server.client()
    pool = new_pool(idp, LambdaConfig={"DefineAuthChallenge": arn("define"), "CreateAuthChallenge": arn("create"),
                                       "VerifyAuthChallengeResponse": arn("verify")})
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="app",
                                         ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(idp, pool, "alice")
    step = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert step["ChallengeParameters"]["hint"] == "the answer"
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                                         ChallengeResponses={"USERNAME": "alice", "ANSWER": "42"})
    assert done["AuthenticationResult"]["IdToken"]


def test_a_custom_sender_from_disk(disk_server: LiveServer) -> None:
    idp = disk_server.client()
    pool = new_pool(idp, AutoVerifiedAttributes=["email"], LambdaConfig={
        "KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/test",
        "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": arn("sender")}})
    idp.sign_up(ClientId=new_client(idp, pool), Username="alice", Password=PASSWORD,
                UserAttributes=attrs(email="alice@example.com"))
    sent = Path(disk_server.settings_overrides["lambda_dir"]) / "sender.sent"
    assert sent.read_text() == disk_server.last_code(userPoolId=pool)


def test_handlers_from_an_importable_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_triggers.py").write_text(
        "def auto_confirm(event, context):\n"
        "    event['response']['autoConfirmUser'] = True\n"
        "    return event\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    live = start_server(tmp_path, lambda_dir="my_triggers")
    try:
        idp = live.client()
        pool = new_pool(idp, LambdaConfig={"PreSignUp": arn("auto-confirm")})  # hyphens as underscores
        out = idp.sign_up(ClientId=new_client(idp, pool), Username="alice", Password=PASSWORD)
        assert out["UserConfirmed"] is True
    finally:
        live.stop()
