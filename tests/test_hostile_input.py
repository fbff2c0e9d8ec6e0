"""Hostile input at the edges, over raw HTTP: forged access tokens whose parts decode to
JSON no store can hold (lone surrogates, deep nesting), tampered pagination tokens in
every list action, and methods other than POST on the JSON API. Each is a 4xx in the
form the endpoint speaks, never a 500."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import botocore.session
import httpx
import pytest

import emulator.app  # noqa: F401  (registers every action in ACTIONS)
from emulator.api import ACTIONS
from emulator.tokens import KeyStore

from .conftest import LiveServer, confirmed_user, sign_in
from .test_protocol import JSON11, TARGET, UUID, aws_error, call


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- forged access tokens ------------------------------------------------------------------------

# Bodies that get every access-token action as far as the token check.
ACCESS_TOKEN_BODIES: dict[str, dict[str, Any]] = {
    "AssociateSoftwareToken": {},
    "ChangePassword": {"PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"},
    "DeleteUser": {},
    "DeleteUserAttributes": {"UserAttributeNames": ["name"]},
    "GetUser": {},
    "GetUserAttributeVerificationCode": {"AttributeName": "email"},
    "GlobalSignOut": {},
    "SetUserMFAPreference": {},
    "UpdateUserAttributes": {"UserAttributes": [{"Name": "name", "Value": "x"}]},
    "VerifySoftwareToken": {"UserCode": "123456"},
    "VerifyUserAttribute": {"AttributeName": "email", "Code": "123456"},
    "SetUserSettings": {"MFAOptions": []},
    "GetUserAuthFactors": {},
    "ConfirmDevice": {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
    "GetDevice": {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
    "ListDevices": {},
    "UpdateDeviceStatus": {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
    "ForgetDevice": {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
    "ListUserSessions": {},
    "RevokeUserSession": {"SessionId": "tkn" + "0" * 25},
}


def test_every_supported_access_token_action_is_covered() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    takes_token = {name for name in model.operation_names
                   if "AccessToken" in model.operation_model(name).input_shape.members}
    assert takes_token & set(ACTIONS) == set(ACCESS_TOKEN_BODIES)


def jws(header: bytes | dict[str, Any], payload: bytes | dict[str, Any], signature: str) -> str:
    parts = [part if isinstance(part, bytes) else json.dumps(part).encode() for part in (header, payload)]
    return f"{b64(parts[0])}.{b64(parts[1])}.{signature}"


def forged_tokens(real: str) -> dict[str, str]:
    """Tokens whose header or payload is JSON that decodes to something hostile; the real
    token's header (its kid) and signature are kept where that gets them further."""
    head, body, sig = real.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    rs256 = {"alg": "RS256"}
    nested = deep(5000).encode()
    return {
        "lone surrogate in iss": jws(rs256, b'{"iss":"\\ud800"}', sig),
        "lone surrogate in iss, real header": jws(header, b'{"iss":"\\ud800"}', sig),
        "lone surrogate in sub of the real pool": jws(header, {**payload, "sub": "\ud800"}, sig),
        "lone surrogate in origin_jti": jws(header, {**payload, "origin_jti": "\udfff"}, sig),
        "deep nesting in iss": jws(rs256, b'{"iss":' + nested + b"}", sig),
        "deep nesting beside a real iss": jws(header, json.dumps({"iss": payload["iss"]}).encode()[:-1]
                                              + b',"x":' + nested + b"}", sig),
        "deep nesting in the header": jws(b'{"alg":' + nested + b"}", b"{}", sig),
        "lone surrogate in kid": jws({"alg": "RS256", "kid": "\udc00"}, payload, sig),
        "raw surrogate bytes": jws(rs256, b'{"iss":"\xed\xa0\x80"}', sig),
        "iss not a string": jws(header, {**payload, "iss": {"a": [1]}}, sig),
    }


@pytest.fixture(scope="module")
def real_access_token(server: LiveServer) -> str:
    cognito = server.client()
    pool = cognito.create_user_pool(PoolName="forged")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    confirmed_user(cognito, pool)
    return sign_in(cognito, client["UserPoolClient"]["ClientId"])["AccessToken"]


@pytest.mark.parametrize("action", sorted(ACCESS_TOKEN_BODIES))
def test_forged_access_tokens_are_invalid_in_every_action(server: LiveServer, real_access_token: str,
                                                          action: str) -> None:
    for how, token in forged_tokens(real_access_token).items():
        resp = call(server, action, {**ACCESS_TOKEN_BODIES[action], "AccessToken": token})
        assert aws_error(resp, "NotAuthorizedException") == "Invalid Access Token", how
    resp = call(server, "GetUser", {"AccessToken": real_access_token})
    assert resp.status_code == 200, resp.text  # the real token still works


def test_forged_access_tokens_are_invalid_tokens_at_user_info(server: LiveServer, real_access_token: str) -> None:
    for how, token in forged_tokens(real_access_token).items():
        resp = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, (how, resp.status_code, resp.text)
        assert resp.json()["error"] == "invalid_token", how
        assert 'error="invalid_token"' in resp.headers["www-authenticate"], how


def test_keys_are_found_by_kid_across_processes_and_never_made_for_a_token(tmp_path: Path) -> None:
    mine, theirs = KeyStore(tmp_path), KeyStore(tmp_path)  # two processes on one keys directory
    made = theirs.get("us-east-1_aaaaaaaaa")
    found = mine.find(made.kid)
    assert found is not None and found[0] == "us-east-1_aaaaaaaaa" and found[1].kid == made.kid
    assert mine.find("no such kid") is None and mine.find(["not", "a", "string"]) is None
    theirs.forget("us-east-1_aaaaaaaaa")  # the pool is deleted elsewhere
    other = KeyStore(tmp_path)
    assert other.find(made.kid) is None
    assert list(tmp_path.glob("*.pem")) == []  # looking a kid up never makes a key


# -- tampered pagination tokens ------------------------------------------------------------------


def page_token(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode()


TAMPERED_PAGE_TOKENS = {
    "lone surrogate": page_token(b'{"k":"\\ud800"}'),
    "lone low surrogate in a longer key": page_token(b'{"k":"user\\udfffname"}'),
    "deep nesting": page_token(b'{"k":' + deep(5000).encode() + b"}"),
    "deep nesting beside the key": page_token(b'{"k":"a","x":' + deep(5000).encode() + b"}"),
    "raw surrogate bytes": page_token(b'{"k":"\xed\xa0\x80"}'),
    "utf-16 with a lone surrogate": page_token('{"k":"\ud800"}'.encode("utf-16", "surrogatepass")),
    "not an object": page_token(b'["k"]'),
    "not base64": "%%%",
}


@pytest.fixture(scope="module")
def listed(server: LiveServer) -> dict[str, Any]:
    """One of everything the list actions list."""
    cognito = server.client()
    pool = cognito.create_user_pool(PoolName="paged")["UserPool"]["Id"]
    cognito.create_group(UserPoolId=pool, GroupName="g")
    confirmed_user(cognito, pool)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName="g")
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
    return {"UserPoolId": pool, "ClientId": client["ClientId"],
            "AccessToken": sign_in(cognito, client["ClientId"])["AccessToken"]}


LIST_ACTIONS = {
    "ListUserPools": ("NextToken", lambda w: {"MaxResults": 10}),
    "ListUsers": ("PaginationToken", lambda w: {"UserPoolId": w["UserPoolId"]}),
    "ListGroups": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"]}),
    "ListUsersInGroup": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "GroupName": "g"}),
    "AdminListGroupsForUser": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "Username": "alice"}),
    "ListUserPoolClients": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"]}),
    "ListResourceServers": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "MaxResults": 10}),
    "ListIdentityProviders": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "MaxResults": 10}),
    "AdminListDevices": ("PaginationToken", lambda w: {"UserPoolId": w["UserPoolId"], "Username": "alice"}),
    "ListDevices": ("PaginationToken", lambda w: {"AccessToken": w["AccessToken"]}),
    "ListUserSessions": ("NextToken", lambda w: {"AccessToken": w["AccessToken"]}),
    "AdminListUserSessions": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "Username": "alice"}),
    "ListUserImportJobs": ("PaginationToken", lambda w: {"UserPoolId": w["UserPoolId"], "MaxResults": 10}),
    "ListUserPoolClientSecrets": ("NextToken", lambda w: {"UserPoolId": w["UserPoolId"], "ClientId": w["ClientId"]}),
}


def test_every_supported_list_action_is_covered() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    paged = {name for name in model.operation_names
             if {"NextToken", "PaginationToken"} & set(model.operation_model(name).input_shape.members)}
    assert paged & set(ACTIONS) == set(LIST_ACTIONS)


@pytest.mark.parametrize("action", sorted(LIST_ACTIONS))
def test_tampered_pagination_tokens_are_invalid_parameters(server: LiveServer, listed: dict[str, Any],
                                                          action: str) -> None:
    member, body = LIST_ACTIONS[action]
    for how, token in TAMPERED_PAGE_TOKENS.items():
        resp = call(server, action, {**body(listed), member: token})
        assert aws_error(resp, "InvalidParameterException"), how
    assert call(server, action, body(listed)).status_code == 200


# -- methods other than POST on the JSON API -----------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "PROPFIND", "TRACE"])
def test_other_methods_on_the_api_are_aws_json_errors(server: LiveServer, method: str) -> None:
    resp = httpx.request(method, f"{server.url}/", content=b'{"MaxResults": 10}',
                         headers={"X-Amz-Target": f"{TARGET}.ListUserPools", "Content-Type": JSON11})
    assert resp.status_code == 405, (resp.status_code, resp.text)
    assert resp.headers["allow"] == "POST, OPTIONS"
    assert resp.headers["content-type"] == JSON11
    body = resp.json()
    assert body["__type"] == "UnknownOperationException" and method in body["message"], body
    assert resp.headers["x-amzn-ErrorType"].split(":", 1)[0] == "UnknownOperationException"
    assert UUID.fullmatch(resp.headers["x-amzn-RequestId"]), resp.headers


def test_head_on_the_api_answers_the_same_headers(server: LiveServer) -> None:
    resp = httpx.head(f"{server.url}/")
    assert resp.status_code == 405 and resp.headers["allow"] == "POST, OPTIONS"
    assert resp.headers["x-amzn-ErrorType"].split(":", 1)[0] == "UnknownOperationException"
    assert UUID.fullmatch(resp.headers["x-amzn-RequestId"]), resp.headers


def test_boto3_reads_the_wrong_method_error_by_name(server: LiveServer) -> None:
    import boto3
    import botocore.exceptions

    # No ResponseRecorder here: no operation lists UnknownOperationException, the answer
    # to a request that names no operation the way the API takes it.
    cognito = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
    cognito.meta.events.register("before-send.cognito-idp.*", _send_as_put)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        cognito.list_user_pools(MaxResults=1)
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405


def _send_as_put(request: Any, **_: Any) -> None:
    request.method = "PUT"


# -- members the model does not know -------------------------------------------------------------

UNKNOWN_MEMBERS = [
    ("SetUserPoolMfaConfig", {"SoftwareTokenMfaConfiguration": {"Enabled": True, "Bogus": 1},
                              "MfaConfiguration": "OPTIONAL", "": None}),
    ("UpdateUserPool", {"Policies": {"PasswordPolicy": {"MinimumLength": 9, "Bogus": "x"}, "Extra": {}},
                        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "Nope": [1]}}),
    ("CreateUserPoolClient", {"ClientName": "c", "TokenValidityUnits": {"AccessToken": "hours", "Bogus": "days"},
                              "AnalyticsConfiguration": None, "Unknown": {"deep": True}}),
    ("CreateGroup", {"GroupName": "unknowns", "Bogus": "x"}),
]


@pytest.mark.parametrize(("action", "body"), UNKNOWN_MEMBERS, ids=[a for a, _ in UNKNOWN_MEMBERS])
def test_unknown_members_are_ignored_not_echoed(server: LiveServer, listed: dict[str, Any], action: str,
                                                body: dict[str, Any]) -> None:
    from .shapes import check_value

    model = botocore.session.get_session().get_service_model("cognito-idp")
    resp = call(server, action, {"UserPoolId": listed["UserPoolId"], **body})
    assert resp.status_code == 200, resp.text
    assert check_value(model.operation_model(action).output_shape, resp.json()) == []
    described = call(server, "DescribeUserPool", {"UserPoolId": listed["UserPoolId"]})
    assert check_value(model.operation_model("DescribeUserPool").output_shape, described.json()) == []
    mfa = call(server, "GetUserPoolMfaConfig", {"UserPoolId": listed["UserPoolId"]})
    assert check_value(model.operation_model("GetUserPoolMfaConfig").output_shape, mfa.json()) == []
