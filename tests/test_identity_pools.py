"""Identity pools (cognito-identity) on the same port, with real boto3: the pools
themselves, roles and role mappings, tags, principal tags, and the edge's handling of
a second service (its X-Amz-Target prefix, its error namespace, its model's checks)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import LiveServer

ID_FORMAT = re.compile(r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def identity(server: LiveServer) -> Any:
    return server.client("cognito-identity")


def make_pool(identity: Any, **extra: Any) -> dict[str, Any]:
    return dict(identity.create_identity_pool(IdentityPoolName="app", AllowUnauthenticatedIdentities=True, **extra))


def test_create_describe_update_delete(identity: Any) -> None:
    created = make_pool(identity, IdentityPoolTags={"team": "web"}, DeveloperProviderName="login.example")
    pool_id = created["IdentityPoolId"]
    assert ID_FORMAT.fullmatch(pool_id)
    described = identity.describe_identity_pool(IdentityPoolId=pool_id)
    assert described["IdentityPoolName"] == "app" and described["AllowUnauthenticatedIdentities"] is True
    assert described["AllowClassicFlow"] is False and described["IdentityPoolTags"] == {"team": "web"}
    assert described["DeveloperProviderName"] == "login.example"
    providers = [{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", "ClientId": "c1",
                  "ServerSideTokenCheck": True}]
    updated = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="renamed",
                                            AllowUnauthenticatedIdentities=False, CognitoIdentityProviders=providers)
    assert updated["IdentityPoolName"] == "renamed" and updated["CognitoIdentityProviders"] == providers
    described = identity.describe_identity_pool(IdentityPoolId=pool_id)
    assert "DeveloperProviderName" not in described  # the update is the whole pool
    assert described["IdentityPoolTags"] == {"team": "web"}
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity_pool(IdentityPoolId=pool_id)


def test_list_pages_through_pools(identity: Any) -> None:
    made = {make_pool(identity)["IdentityPoolId"] for _ in range(3)}
    seen: set[str] = set()
    token: dict[str, str] = {}
    while True:
        page = identity.list_identity_pools(MaxResults=2, **token)
        assert len(page["IdentityPools"]) <= 2
        seen |= {p["IdentityPoolId"] for p in page["IdentityPools"]}
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert made <= seen


def test_roles_and_role_mappings_round_trip(identity: Any) -> None:
    pool_id = make_pool(identity)["IdentityPoolId"]
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}
    roles = {"authenticated": "arn:aws:iam::123456789012:role/auth",
             "unauthenticated": "arn:aws:iam::123456789012:role/guest"}
    mappings = {"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client1": {
        "Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
        "RulesConfiguration": {"Rules": [{"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold",
                                          "RoleARN": "arn:aws:iam::123456789012:role/gold"}]}}}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == roles and got["RoleMappings"] == mappings and got["IdentityPoolId"] == pool_id


def test_role_mapping_needs_its_ambiguous_resolution_and_known_role_types(identity: Any) -> None:
    pool_id = make_pool(identity)["IdentityPoolId"]
    with pytest.raises(identity.exceptions.InvalidParameterException):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={},
                                         RoleMappings={"p:c": {"Type": "Token"}})
    with pytest.raises(identity.exceptions.InvalidParameterException):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"admin": "arn:aws:iam::1:role/x"})


def test_tags_by_arn(identity: Any) -> None:
    pool_id = make_pool(identity, IdentityPoolTags={"a": "1"})["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{pool_id}"
    identity.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    identity.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    assert identity.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"b": "2"}
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.list_tags_for_resource(ResourceArn=arn.replace("us-east-1:1", "us-east-1:9"))


def test_principal_tag_maps(identity: Any) -> None:
    pool_id = make_pool(identity)["IdentityPoolId"]
    provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
    assert got["UseDefaults"] is True and got["PrincipalTags"] == {"client": "aud", "username": "sub"}
    set_ = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                                    UseDefaults=False, PrincipalTags={"dept": "custom:dept"})
    assert set_["PrincipalTags"] == {"dept": "custom:dept"} and set_["UseDefaults"] is False
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
    assert got["PrincipalTags"] == {"dept": "custom:dept"}


def test_second_service_has_its_own_error_namespace_and_validation(server: LiveServer) -> None:
    headers = {"X-Amz-Target": "AWSCognitoIdentityService.DescribeIdentityPool",
               "Content-Type": "application/x-amz-json-1.1"}
    resp = httpx.post(server.url, headers=headers, json={"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"})
    assert resp.status_code == 400 and resp.json()["__type"] == "ResourceNotFoundException"
    assert resp.headers["x-amzn-ErrorType"] == (
        "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.cognito.identity.model/")
    bad = httpx.post(server.url, headers=headers, json={"IdentityPoolId": "no colon"})
    assert bad.json()["__type"] == "InvalidParameterException"
    assert "at 'identityPoolId' failed to satisfy constraint" in bad.json()["message"]
    # A user-pool action under the identity prefix is no action at all.
    wrong = httpx.post(server.url, headers={**headers, "X-Amz-Target": "AWSCognitoIdentityService.ListUserPools"},
                       json={"MaxResults": 1})
    assert wrong.json()["__type"] == "UnknownOperationException"
    idp = httpx.post(server.url, headers={**headers, "X-Amz-Target": "AWSCognitoIdentityProviderService.GetId"},
                     json={})
    assert idp.json()["__type"] == "UnknownOperationException"


def test_state_survives_restart_and_reset_clears_it(own_server: LiveServer) -> None:
    identity = own_server.client("cognito-identity")
    pool_id = make_pool(identity)["IdentityPoolId"]
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    own_server.restart()
    identity = own_server.client("cognito-identity")
    assert identity.describe_identity(IdentityId=guest)["IdentityId"] == guest
    own_server.reset()
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity_pool(IdentityPoolId=pool_id)


def test_the_documented_long_target_form_is_accepted(server: LiveServer) -> None:
    """Cognito's API reference (and curl scripts after it) write the target with its model
    namespace: com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.<Action>."""
    headers = {"X-Amz-Target": "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.CreateIdentityPool",
               "Content-Type": "application/x-amz-json-1.1"}
    made = httpx.post(server.url, headers=headers, json={"IdentityPoolName": "curl",
                                                         "AllowUnauthenticatedIdentities": True})
    assert made.status_code == 200, made.text
    headers["X-Amz-Target"] = "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.GetId"
    got = httpx.post(server.url, headers=headers, json={"IdentityPoolId": made.json()["IdentityPoolId"]})
    assert got.status_code == 200 and ID_FORMAT.fullmatch(got.json()["IdentityId"])
