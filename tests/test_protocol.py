"""The AWS JSON 1.1 edge over raw HTTP: every bad request is a 400 in AWS's error form
(never a 500), plus regions from SigV4, health, JWKS and the discovery document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import httpx
import jwt
import pytest
from botocore.config import Config

import emulator.app  # noqa: F401  (registers every action in ACTIONS)
from emulator.api import ACTIONS

from .conftest import LiveServer, confirmed_user, sign_in
from .shapes import ResponseRecorder

TARGET = "AWSCognitoIdentityProviderService"
JSON11 = "application/x-amz-json-1.1"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MIB = 1024 * 1024


def post(server: LiveServer, content: bytes | str | Iterator[bytes], action: str | None = None,
         headers: dict[str, str] | None = None, content_type: str | None = JSON11) -> httpx.Response:
    sent: dict[str, str] = {}
    if action is not None:
        sent["X-Amz-Target"] = f"{TARGET}.{action}"
    if content_type is not None:
        sent["Content-Type"] = content_type
    sent.update(headers or {})
    return httpx.post(f"{server.url}/", content=content, headers=sent, timeout=30)


def call(server: LiveServer, action: str, body: dict[str, Any]) -> httpx.Response:
    return post(server, json.dumps(body), action)


def aws_error(resp: httpx.Response, code: str) -> str:
    """Assert `resp` is AWS JSON 1.1's 400 for `code`; return its message."""
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert resp.headers["content-type"] == JSON11
    body = resp.json()
    assert set(body) == {"__type", "message"}, body
    assert body["__type"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    assert resp.headers["x-amzn-ErrorType"].split(":", 1)[0] == code
    assert UUID.fullmatch(resp.headers["x-amzn-RequestId"]), resp.headers
    return body["message"]


def validation(*problems: str) -> str:
    n = len(problems)
    return f"{n} validation error{'' if n == 1 else 's'} detected: " + "; ".join(problems)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# -- bad requests: each a 400 with __type, message, x-amzn-ErrorType, x-amzn-RequestId ----------

BAD_REQUESTS = [
    # (id, action, content, content_type, extra headers, __type, message fragment)
    ("malformed-json", "ListUserPools", b'{"MaxResults": ', JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("json-array", "ListUserPools", b'[{"MaxResults": 10}]', JSON11, {},
     "InvalidParameterException", "Request body must be a JSON object."),
    ("json-null", "ListUserPools", b"null", JSON11, {},
     "InvalidParameterException", "Request body must be a JSON object."),
    ("not-utf8", "ListUserPools", b'{"MaxResults": 1\xff}', JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("deeply-nested-array", "ListUserPools", nested(100_000), JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("deeply-nested-member", "SignUp", b'{"ClientMetadata": {"k": ' + nested(100_000) + b"}}", JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("lone-surrogate", "CreateGroup",
     b'{"UserPoolId": "us-east-1_abc", "GroupName": "g", "Description": "\\ud800"}', JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("lone-surrogate-in-utf16", "CreateGroup",
     '{"UserPoolId": "us-east-1_abc", "GroupName": "g", "Description": "\\ud800"}'.encode("utf-16"), JSON11, {},
     "InvalidParameterException", "Request body is not valid JSON"),
    ("unknown-action", "FlyToTheMoon", b"{}", JSON11, {},
     "UnknownOperationException", "FlyToTheMoon"),
    ("missing-target", None, b"{}", JSON11, {},
     "UnknownOperationException", "X-Amz-Target"),
    ("other-service-target", None, b"{}", JSON11, {"X-Amz-Target": "DynamoDB_20120810.ListTables"},
     "UnknownOperationException", "DynamoDB_20120810.ListTables"),
    ("identity-pools-prefix", None, b'{"MaxResults": 10}', JSON11,
     {"X-Amz-Target": "AWSCognitoIdentityService.ListUserPools"},
     "UnknownOperationException", "AWSCognitoIdentityService.ListUserPools"),
    ("text-plain", "ListUserPools", b'{"MaxResults": 10}', "text/plain", {},
     "InvalidParameterException", "Content-Type"),
    ("form-urlencoded", "ListUserPools", b"MaxResults=10", "application/x-www-form-urlencoded", {},
     "InvalidParameterException", "Content-Type"),
    ("oversized", "CreateUserPool", b'{"PoolName": "' + b"a" * MIB + b'"}', JSON11, {},
     "InvalidParameterException", "larger than 1048576 bytes"),
]


@pytest.mark.parametrize(
    ("action", "content", "content_type", "headers", "code", "fragment"),
    [case[1:] for case in BAD_REQUESTS], ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_request_is_a_400_in_aws_form(server: LiveServer, action: str | None, content: bytes,
                                          content_type: str, headers: dict[str, str], code: str,
                                          fragment: str) -> None:
    message = aws_error(post(server, content, action, headers, content_type), code)
    assert fragment in message


def test_oversized_chunked_body_is_refused_without_a_length(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"PoolName": "'
        for _ in range(17):
            yield b"a" * 65536
        yield b'"}'

    resp = post(server, chunks(), "CreateUserPool")
    assert "content-length" not in resp.request.headers
    assert resp.request.headers["transfer-encoding"] == "chunked"
    assert "larger than 1048576 bytes" in aws_error(resp, "InvalidParameterException")


WRONG_MEMBERS = [
    ("max-results-string", "ListUserPools", {"MaxResults": "10"},
     validation("Value '10' at 'maxResults' failed to satisfy constraint: Member must be of type integer")),
    ("max-results-bool", "ListUserPools", {"MaxResults": True},
     validation("Value 'true' at 'maxResults' failed to satisfy constraint: Member must be of type integer")),
    ("max-results-beyond-int32", "ListUserPools", {"MaxResults": 2**31},
     validation(f"Value '{2**31}' at 'maxResults' failed to satisfy constraint: Member must be of type integer")),
    ("user-pool-id-number", "DescribeUserPool", {"UserPoolId": 42},
     validation("Value '42' at 'userPoolId' failed to satisfy constraint: Member must be of type string")),
    ("missing-required", "AdminGetUser", {},
     validation("Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
                "Value null at 'username' failed to satisfy constraint: Member must not be null")),
    ("empty-body", "ListUserPools", None,
     validation("Value null at 'maxResults' failed to satisfy constraint: Member must not be null")),
    ("user-pool-id-pattern", "DescribeUserPool", {"UserPoolId": "x"},
     validation("Value 'x' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: [\\w-]+_[0-9a-zA-Z]+")),
    # Precedence has no upper bound in the model; one past a Java long once reached SQLite.
    ("precedence-beyond-int32", "CreateGroup",
     {"UserPoolId": "us-east-1_abc", "GroupName": "g", "Precedence": 2**63},
     validation(f"Value '{2**63}' at 'precedence' failed to satisfy constraint: Member must be of type integer")),
]


@pytest.mark.parametrize(("action", "body", "message"), [c[1:] for c in WRONG_MEMBERS],
                         ids=[c[0] for c in WRONG_MEMBERS])
def test_validation_errors_read_like_aws(server: LiveServer, action: str, body: dict[str, Any] | None,
                                         message: str) -> None:
    resp = post(server, b"" if body is None else json.dumps(body), action)
    assert aws_error(resp, "InvalidParameterException") == message


def test_pattern_in_the_message_is_botocores(server: LiveServer) -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    pattern = model.shape_for("UserPoolIdType").metadata["pattern"]
    message = aws_error(call(server, "DescribeUserPool", {"UserPoolId": "not a pool"}), "InvalidParameterException")
    assert message.endswith(f"Member must satisfy regular expression pattern: {pattern}")


@pytest.mark.parametrize("password", ["has a space", "P" * 300, 12345678], ids=["pattern", "length", "type"])
def test_sensitive_values_stay_out_of_messages(server: LiveServer, password: Any) -> None:
    body = {"ClientId": "abc123", "Username": "player1", "Password": password}
    message = aws_error(call(server, "SignUp", body), "InvalidParameterException")
    assert message.startswith("1 validation error detected: Value at 'password' failed to satisfy constraint")
    assert str(password) not in message


def test_sensitive_map_values_stay_out_of_messages(server: LiveServer) -> None:
    body = {"ClientId": "abc123", "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "player1", "PASSWORD": 98765432}}
    message = aws_error(call(server, "InitiateAuth", body), "InvalidParameterException")
    assert message == validation("Value at 'authParameters.PASSWORD.value' failed to satisfy constraint: "
                                 "Member must be of type string")
    assert "98765432" not in message


def test_unimplemented_real_action_is_unsupported(server: LiveServer) -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    missing = sorted(set(model.operation_names) - set(ACTIONS))
    if not missing:
        pytest.skip("every action in botocore's model is implemented")
    name = missing[0]
    message = aws_error(call(server, name, {}), "UnsupportedOperationException")
    assert name in message


def test_request_ids_are_fresh_on_success_and_failure(server: LiveServer) -> None:
    ok = call(server, "ListUserPools", {"MaxResults": 1})
    bad = call(server, "ListUserPools", {"MaxResults": 0})
    assert ok.status_code == 200 and bad.status_code == 400
    ids = {ok.headers["x-amzn-RequestId"], bad.headers["x-amzn-RequestId"]}
    assert len(ids) == 2 and all(UUID.fullmatch(i) for i in ids)
    assert "x-amzn-ErrorType" not in ok.headers


# -- signing and regions ---------------------------------------------------------------------------

def test_unsigned_calls_work_and_use_the_default_region(server: LiveServer) -> None:
    created = call(server, "CreateUserPool", {"PoolName": "unsigned"})
    assert "authorization" not in created.request.headers
    assert created.status_code == 200, created.text
    assert created.headers["content-type"] == JSON11
    pool = created.json()["UserPool"]
    assert pool["Id"].startswith("us-east-1_") and pool["Name"] == "unsigned"
    described = call(server, "DescribeUserPool", {"UserPoolId": pool["Id"]})
    assert described.status_code == 200
    assert described.json()["UserPool"]["Name"] == "unsigned"


def test_sigv4_credential_scope_picks_the_region(server: LiveServer) -> None:
    client = boto3.client("cognito-idp", endpoint_url=server.url, region_name="eu-west-1",
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    ResponseRecorder.instance().attach(client)
    scopes: list[str] = []
    client.meta.events.register(
        "before-send.cognito-idp",
        lambda request, **_: scopes.append(request.headers["Authorization"].decode()),
    )
    pool = client.create_user_pool(PoolName="irish")["UserPool"]
    assert len(scopes) == 1 and "/eu-west-1/cognito-idp/aws4_request" in scopes[0]
    assert pool["Id"].startswith("eu-west-1_")
    assert client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "irish"


# -- plain HTTP documents -----------------------------------------------------------------------

def test_health(server: LiveServer) -> None:
    resp = httpx.get(f"{server.url}/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


def test_jwks_of_unknown_pool_is_404(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/us-east-1_doesNotExist/.well-known/jwks.json").status_code == 404
    assert httpx.get(f"{server.url}/us-east-1_doesNotExist/.well-known/openid-configuration").status_code == 404


def test_discovery_document_matches_the_tokens(cognito: Any, server: LiveServer, pool_id: str,
                                               client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client_id)
    doc = httpx.get(f"{server.url}/{pool_id}/.well-known/openid-configuration")
    assert doc.status_code == 200
    config = doc.json()
    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert config["issuer"] == id_claims["iss"] == access_claims["iss"]
    assert "RS256" in config["id_token_signing_alg_values_supported"]

    jwks = httpx.get(config["jwks_uri"])
    assert jwks.status_code == 200
    keys = jwt.PyJWKSet.from_dict(jwks.json())
    kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    claims = jwt.decode(tokens["IdToken"], key.key, algorithms=["RS256"], issuer=config["issuer"],
                        audience=client_id)
    assert claims["cognito:username"] == "alice"


# -- boto3's view of the same errors ------------------------------------------------------------

def test_boto3_catches_validation_errors_by_name(cognito: Any) -> None:
    # botocore checks types and lengths client-side, but not patterns: this one reaches the server.
    with pytest.raises(cognito.exceptions.InvalidParameterException) as info:
        cognito.describe_user_pool(UserPoolId="not-a-pool-id")
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith(
        "1 validation error detected: Value 'not-a-pool-id' at 'userPoolId' failed to satisfy constraint"
    )
    assert UUID.fullmatch(info.value.response["ResponseMetadata"]["RequestId"])



def test_timestamps_carry_milliseconds_as_cognito_sends_them(cognito: Any, server: LiveServer,
                                                             pool_id: str) -> None:
    """Cognito's dates are epoch seconds with a millisecond fraction (`1.682955829578E9` in
    the API reference); every date member of every answer is rounded to the millisecond."""
    confirmed_user(cognito, pool_id, "stamped")
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    answers = [
        call(server, "AdminGetUser", {"UserPoolId": pool_id, "Username": "stamped"}).json(),
        call(server, "ListUsers", {"UserPoolId": pool_id}).json(),
        call(server, "DescribeUserPool", {"UserPoolId": pool_id}).json(),
        call(server, "ListGroups", {"UserPoolId": pool_id}).json(),
    ]
    dates: list[float] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, member in value.items():
                if key.endswith("Date"):
                    dates.append(member)
                walk(member)
        elif isinstance(value, list):
            for member in value:
                walk(member)

    walk(answers)
    assert len(dates) >= 8, answers
    for date in dates:
        assert isinstance(date, (int, float)) and round(date, 3) == date, date
