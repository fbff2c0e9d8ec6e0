"""PreTokenGeneration for machine-to-machine tokens (TokenGeneration_ClientCredentials):
a V3_0 function runs for the client_credentials grant at /oauth2/token and for
GetClientToken, sees no user, and changes the access token's claims and scopes; V1_0
and V2_0 functions are not invoked for these tokens. Through a live server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.triggers.registry import Triggers

from .conftest import LiveServer, confirmed_user
from .hosted import oauth_client, oauth_pool
from .outbox import HTTP
from .test_triggers import Recorder, error_of
from .test_triggers_tokens import claims, password_sign_in


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def machine(cognito: Any) -> tuple[str, dict[str, Any]]:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool, secret=True, AllowedOAuthFlows=["client_credentials"],
                          AllowedOAuthScopes=["orders/read", "orders/write"])
    return pool, client


def grant(server: LiveServer, client: dict[str, Any], **form: str) -> httpx.Response:
    return HTTP.post(server.url + "/oauth2/token", auth=(client["ClientId"], client["ClientSecret"]),
                     data={"grant_type": "client_credentials", **form})


ANSWER = {"claimsAndScopeOverrideDetails": {
    "idTokenGeneration": {"claimsToAddOrOverride": {"never": "seen"}},
    "accessTokenGeneration": {
        "claimsToAddOrOverride": {"tenant": "acme", "limits": {"rps": 10}, "sub": "forged", "client_id": "forged",
                                  "token_use": "id"},
        "claimsToSuppress": ["iss", "exp", "version"],
        "scopesToAdd": ["orders/audit"], "scopesToSuppress": ["orders/write"]},
}}


def test_v3_runs_for_the_client_credentials_grant(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = machine(cognito)
    fn = Recorder(ANSWER)
    triggers.set(pool, "PreTokenGeneration", fn, version="V3_0")
    answer = grant(server, client, aws_client_metadata=json.dumps({"caller": "billing"}))
    assert answer.status_code == 200, answer.text
    [event] = fn.events
    assert event["version"] == "3" and event["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert "userName" not in event  # a machine, no user
    assert event["callerContext"]["clientId"] == client["ClientId"] and event["userPoolId"] == pool
    assert event["request"] == {
        "userAttributes": {}, "scopes": ["orders/read", "orders/write"], "clientMetadata": {"caller": "billing"},
        "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}}
    token = claims(answer.json()["access_token"])
    assert token["tenant"] == "acme" and token["limits"] == {"rps": 10}
    # What a trigger may not change stays as Cognito wrote it.
    assert token["sub"] == token["client_id"] == client["ClientId"] and token["token_use"] == "access"
    assert token["iss"].endswith(pool) and "exp" in token and token["version"] == 2
    assert token["scope"].split() == ["orders/read", "orders/audit"]
    assert "never" not in token


def test_v3_runs_for_get_client_token_with_its_client_metadata(cognito: Any, triggers: Triggers) -> None:
    pool, client = machine(cognito)
    fn = Recorder(ANSWER)
    triggers.set(pool, "PreTokenGeneration", fn, version="V3_0")
    result = cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"],
                                      Scopes=["orders/write"], ClientMetadata={"job": "nightly"})
    [event] = fn.events
    assert event["triggerSource"] == "TokenGeneration_ClientCredentials" and "userName" not in event
    assert event["request"]["scopes"] == ["orders/write"] and event["request"]["clientMetadata"] == {"job": "nightly"}
    token = claims(result["ClientAuthenticationResult"]["AccessToken"])
    assert token["tenant"] == "acme" and token["scope"] == "orders/audit"


def test_a_v3_pool_still_runs_for_user_sign_ins_as_version_3(cognito: Any, triggers: Triggers) -> None:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool)["ClientId"]
    confirmed_user(cognito, pool, "alice", email="alice@example.com")
    fn = Recorder()
    triggers.set(pool, "PreTokenGeneration", fn, version="V3_0")
    password_sign_in(cognito, client)
    [event] = fn.events
    assert event["version"] == "3" and event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["userName"] == "alice" and event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]


@pytest.mark.parametrize("version", [None, "V1_0", "V2_0"])
def test_v1_and_v2_functions_are_not_invoked_for_machine_tokens(cognito: Any, server: LiveServer,
                                                                 triggers: Triggers, version: str | None) -> None:
    pool, client = machine(cognito)
    fn = Recorder(ANSWER)
    triggers.set(pool, "PreTokenGeneration", fn, version=version)
    answer = grant(server, client)
    assert answer.status_code == 200, answer.text
    result = cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
    assert fn.events == []
    for token in (answer.json()["access_token"], result["ClientAuthenticationResult"]["AccessToken"]):
        assert "tenant" not in claims(token) and claims(token)["scope"] == "orders/read orders/write"


def test_the_pools_lambda_config_names_a_v3_function(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = machine(cognito)
    cognito.update_user_pool(UserPoolId=pool, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V3_0", "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:m2m-claims"}})
    fn = Recorder(ANSWER)
    triggers.register("m2m-claims", fn)
    assert claims(grant(server, client).json()["access_token"])["tenant"] == "acme"
    assert len(fn.events) == 1


def test_a_failing_v3_function_issues_no_machine_token(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = machine(cognito)
    triggers.set(pool, "PreTokenGeneration", Recorder(error="unknown partner"), version="V3_0")
    answer = grant(server, client)
    assert answer.status_code == 400 and "access_token" not in answer.json()
    assert answer.json() == {"error": "invalid_request",
                             "error_description": "PreTokenGeneration failed with error unknown partner."}
    # GetClientToken's model lists no Lambda errors: the refusal is NotAuthorizedException.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
    assert error_of(exc)[1] == "PreTokenGeneration failed with error unknown partner."
    bad = Recorder({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": "orders/read"}}})
    triggers.set(pool, "PreTokenGeneration", bad, version="V3_0")
    assert grant(server, client).json()["error"] == "invalid_request"
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid lambda response"):
        cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])


def test_aws_client_metadata_must_be_a_json_object_of_strings(cognito: Any, server: LiveServer,
                                                              triggers: Triggers) -> None:
    pool, client = machine(cognito)
    fn = Recorder()
    triggers.set(pool, "PreTokenGeneration", fn, version="V3_0")
    for wrong in ("not json", "[1, 2]", json.dumps({"n": 1})):
        answer = grant(server, client, aws_client_metadata=wrong)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", wrong
    assert fn.events == []
