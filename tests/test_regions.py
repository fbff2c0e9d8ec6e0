"""Regions, as Cognito keeps them apart: a pool belongs to the region in its id, and a
signed call sees only its own region's pools (its region is its SigV4 credential scope).
Calls Cognito leaves unsigned (SignUp, InitiateAuth, ...) carry no region: the client's
pool decides."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer, sign_in


def every_pool(cognito: Any) -> list[str]:
    pages = cognito.get_paginator("list_user_pools").paginate(MaxResults=1)
    return [p["Id"] for page in pages for p in page["UserPools"]]


def test_list_user_pools_lists_only_the_callers_region(own_server: LiveServer) -> None:
    east, west = own_server.client(region="us-east-1"), own_server.client(region="us-west-2")
    eastern = {east.create_user_pool(PoolName=f"e{i}")["UserPool"]["Id"] for i in range(2)}
    western = {west.create_user_pool(PoolName=f"w{i}")["UserPool"]["Id"] for i in range(3)}
    assert all(p.startswith("us-east-1_") for p in eastern) and all(p.startswith("us-west-2_") for p in western)
    assert sorted(every_pool(east)) == sorted(eastern)
    assert sorted(every_pool(west)) == sorted(western)
    assert own_server.client(region="eu-west-1").list_user_pools(MaxResults=60)["UserPools"] == []


def test_a_pool_of_another_region_does_not_exist(cognito: Any, server: LiveServer, pool_id: str,
                                                  client_id: str) -> None:
    west = server.client(region="us-west-2")
    calls = {
        "describe_user_pool": {}, "update_user_pool": {}, "delete_user_pool": {},
        "list_users": {}, "admin_get_user": {"Username": "alice"},
        "admin_create_user": {"Username": "intruder", "MessageAction": "SUPPRESS"},
        "create_user_pool_client": {"ClientName": "x"},
        "describe_user_pool_client": {"ClientId": client_id},
        "admin_initiate_auth": {"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}},
        "create_group": {"GroupName": "g"}, "get_user_pool_mfa_config": {},
    }
    for name, extra in calls.items():
        with pytest.raises(west.exceptions.ResourceNotFoundException) as refused:
            getattr(west, name)(UserPoolId=pool_id, **extra)
        assert refused.value.response["Error"]["Message"] == f"User pool {pool_id} does not exist.", name
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id  # untouched
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="intruder")


def test_unsigned_calls_reach_the_pool_of_their_client(cognito: Any, server: LiveServer, pool_id: str,
                                                       client_id: str) -> None:
    """SignUp and InitiateAuth are unsigned (boto3 sends no Authorization), whatever
    region the client was made for; so is a raw call to a signed action."""
    west = server.client(region="us-west-2")
    west.sign_up(ClientId=client_id, Username="wes", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="wes")
    tokens = sign_in(west, client_id, "wes")
    assert west.get_user(AccessToken=tokens["AccessToken"])["Username"] == "wes"
    raw = httpx.post(server.url, json={"UserPoolId": pool_id}, headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserPool",
        "Content-Type": "application/x-amz-json-1.1"})
    assert raw.status_code == 200 and raw.json()["UserPool"]["Id"] == pool_id
