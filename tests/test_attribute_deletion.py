"""AdminDeleteUserAttributes and DeleteUserAttributes with real boto3: a name the
schema lacks, `sub` or a required attribute is refused with InvalidParameterException
and nothing is deleted; a schema attribute the user has no value for is no error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import confirmed_user, sign_in

SCHEMA = [{"Name": "email", "AttributeDataType": "String", "Required": True},
          {"Name": "tier", "AttributeDataType": "String"}]
VALUES = {"email": "d@example.com", "given_name": "Dora", "custom:tier": "gold"}
Delete = Callable[[list[str]], Any]


@pytest.fixture
def pool(cognito: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName=f"del-{uuid.uuid4().hex[:8]}", Schema=SCHEMA)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "dora", **VALUES)
    return pool_id, client_id


@pytest.fixture(params=["admin", "self"])
def delete(request: pytest.FixtureRequest, cognito: Any, pool: tuple[str, str]) -> Delete:
    """AdminDeleteUserAttributes or DeleteUserAttributes for dora."""
    pool_id, client_id = pool
    if request.param == "admin":
        return lambda names: cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="dora",
                                                                  UserAttributeNames=names)
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    return lambda names: cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=names)


def values_of(cognito: Any, pool_id: str) -> dict[str, str]:
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserAttributes"]
    return {a["Name"]: a["Value"] for a in got}


@pytest.mark.parametrize("names, message", [
    (["custom:foo"], "Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\n"),
    (["given_name", "custom:foo", "nickname_x"],
     "Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\n"
     "user.nickname_x: Attribute does not exist in the schema.\n"),
    (["tier"], "Invalid user attributes: user.tier: Attribute does not exist in the schema.\n"),
    (["sub"], "Invalid user attributes: user.sub: Attribute cannot be deleted.\n"),
    (["given_name", "email"], "Attributes did not conform to the schema: email: The attribute is required"),
])
def test_refused_deletions_delete_nothing(cognito: Any, pool: tuple[str, str], delete: Delete,
                                          names: list[str], message: str) -> None:
    before = values_of(cognito, pool[0])
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        delete(names)
    assert caught.value.response["Error"]["Message"] == message
    assert values_of(cognito, pool[0]) == before


def test_schema_attributes_are_deleted_even_without_a_value(cognito: Any, pool: tuple[str, str],
                                                           delete: Delete) -> None:
    delete(["given_name", "custom:tier", "nickname", "phone_number"])
    values = values_of(cognito, pool[0])
    assert "given_name" not in values and "custom:tier" not in values
    assert values["email"] == "d@example.com"
