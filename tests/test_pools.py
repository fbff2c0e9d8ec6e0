"""User pools with real boto3: CreateUserPool, DescribeUserPool, UpdateUserPool,
DeleteUserPool, ListUserPools."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .conftest import LiveServer, confirmed_user

POOL_ID = re.compile(r"us-east-1_[0-9A-Za-z]{9}")
DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
    "RequireNumbers": True, "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
}


def new_pool(cognito: Any, **kwargs: Any) -> dict[str, Any]:
    return cognito.create_user_pool(PoolName=f"p-{uuid.uuid4().hex[:8]}", **kwargs)["UserPool"]


def schema_of(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


# -- CreateUserPool / DescribeUserPool ----------------------------------------------


def test_create_user_pool_returns_id_arn_and_cognito_defaults(cognito: Any, server: LiveServer) -> None:
    before = server.clock.now()
    pool = cognito.create_user_pool(PoolName="orders")["UserPool"]
    after = server.clock.now()
    assert POOL_ID.fullmatch(pool["Id"]), pool["Id"]
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool['Id']}"
    assert pool["Name"] == "orders"
    assert pool["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["LambdaConfig"] == {}
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["CreationDate"] == pool["LastModifiedDate"]
    assert before - 0.001 <= pool["CreationDate"].timestamp() <= after + 0.001
    for absent in ("UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes"):
        assert absent not in pool


def test_pool_ids_are_unique(cognito: Any) -> None:
    ids = {new_pool(cognito)["Id"] for _ in range(5)}
    assert len(ids) == 5


def test_standard_schema_attributes(cognito: Any) -> None:
    schema = schema_of(new_pool(cognito))
    assert schema["sub"] == {
        "Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": False, "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    }
    assert schema["email"]["AttributeDataType"] == "String"
    assert schema["email"]["Required"] is False and schema["email"]["Mutable"] is True
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert schema["updated_at"]["AttributeDataType"] == "Number"
    assert schema["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    for name in ("name", "given_name", "family_name", "phone_number", "address", "locale", "zoneinfo"):
        assert name in schema, name
    assert not [n for n in schema if n.startswith("custom:")]


def test_custom_schema_attributes_get_the_custom_prefix(cognito: Any) -> None:
    pool = new_pool(cognito, Schema=[
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"}},
        {"Name": "age", "AttributeDataType": "Number", "Mutable": False,
         "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
    ])
    schema = schema_of(pool)
    assert "tier" not in schema and "age" not in schema
    tier = schema["custom:tier"]
    assert tier["AttributeDataType"] == "String" and tier["Mutable"] is True and tier["Required"] is False
    assert tier["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "16"}
    age = schema["custom:age"]
    assert age["AttributeDataType"] == "Number" and age["Mutable"] is False
    assert age["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "150"}
    assert schema["email"]["Required"] is True
    # The pool enforces what it shows: the prefixed name is a real attribute, with its limits.
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="u1", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "u1@example.com"},
                                              {"Name": "custom:tier", "Value": "gold"}])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="custom:tier"):
        cognito.admin_create_user(UserPoolId=pool["Id"], Username="u2", MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": "u2@example.com"},
                                                  {"Name": "custom:tier", "Value": "x" * 17}])


def test_create_keeps_the_settings_it_was_given(cognito: Any) -> None:
    policy = {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
              "RequireNumbers": True, "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}
    pool = new_pool(cognito, Policies={"PasswordPolicy": policy}, UsernameAttributes=["email"],
                    AutoVerifiedAttributes=["email"], DeletionProtection="ACTIVE",
                    UsernameConfiguration={"CaseSensitive": False}, UserPoolTags={"team": "auth"})
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    for got in (pool, described):
        assert got["Policies"]["PasswordPolicy"] == policy
        assert got["UsernameAttributes"] == ["email"]
        assert got["AutoVerifiedAttributes"] == ["email"]
        assert got["DeletionProtection"] == "ACTIVE"
        assert got["UsernameConfiguration"] == {"CaseSensitive": False}
        assert got["UserPoolTags"] == {"team": "auth"}


def test_partial_password_policy_leaves_other_rules_off(cognito: Any) -> None:
    pool = new_pool(cognito, Policies={"PasswordPolicy": {"MinimumLength": 10}})
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 10
    assert not any(policy[k] for k in ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"))


def test_describe_user_pool_matches_create_and_counts_users(cognito: Any) -> None:
    created = new_pool(cognito)
    assert cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"] == created
    confirmed_user(cognito, created["Id"], "alice")
    confirmed_user(cognito, created["Id"], "bob")
    assert cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]["EstimatedNumberOfUsers"] == 2


@pytest.mark.parametrize("schema, match", [
    ([{"Name": "tier", "AttributeDataType": "String", "Required": True}], "Required custom attributes"),
    ([{"Name": "tier", "AttributeDataType": "String"}, {"Name": "tier", "AttributeDataType": "Number"}],
     "custom:tier"),
    ([{"Name": "email", "AttributeDataType": "Number"}], "email"),
    ([{"Name": "sub", "AttributeDataType": "String", "Mutable": True}], "sub"),
])
def test_create_user_pool_refuses_bad_schemas(cognito: Any, schema: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match=match):
        new_pool(cognito, Schema=schema)


def test_create_user_pool_refuses_username_and_alias_attributes_together(cognito: Any) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="UsernameAttributes"):
        new_pool(cognito, UsernameAttributes=["email"], AliasAttributes=["phone_number"])


@pytest.mark.parametrize("length", [5, 100])
def test_create_user_pool_refuses_minimum_length_out_of_range(unchecked: Any, length: int) -> None:
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="minimumLength"):
        unchecked.create_user_pool(PoolName="p", Policies={"PasswordPolicy": {"MinimumLength": length}})


def test_create_user_pool_needs_a_valid_name(unchecked: Any) -> None:
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="'poolName'.*not be null"):
        unchecked.create_user_pool()
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="regular expression"):
        unchecked.create_user_pool(PoolName="bad/name")


def test_describe_unknown_pool(cognito: Any) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException, match="us-east-1_NoSuchP00l"):
        cognito.describe_user_pool(UserPoolId="us-east-1_NoSuchP00l")


@pytest.mark.parametrize("bad", ["not-a-pool", "us-east-1_", "us-east-1_abc!", "x" * 56])
def test_pool_id_must_match_the_pattern(cognito: Any, bad: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="userPoolId"):
        cognito.describe_user_pool(UserPoolId=bad)


# -- UpdateUserPool -----------------------------------------------------------------


def test_update_user_pool_resets_what_it_omits_and_keeps_what_is_fixed(cognito: Any, server: LiveServer) -> None:
    created = new_pool(
        cognito, Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": False}},
        AutoVerifiedAttributes=["email"], DeletionProtection="ACTIVE", UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[{"Name": "tier", "AttributeDataType": "String"}],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True, "UnusedAccountValidityDays": 7},
    )
    server.clock.advance(90)
    cognito.update_user_pool(UserPoolId=created["Id"], MfaConfiguration="OFF",
                             AccountRecoverySetting={"RecoveryMechanisms": [
                                 {"Priority": 1, "Name": "verified_email"}]})
    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    # Named in the request: set.
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
    # Updatable but omitted: back to Cognito's defaults.
    assert pool["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert "AutoVerifiedAttributes" not in pool
    # Fixed at creation: untouched.
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["SchemaAttributes"] == created["SchemaAttributes"]
    assert pool["Id"] == created["Id"] and pool["Arn"] == created["Arn"] and pool["Name"] == created["Name"]
    assert pool["CreationDate"] == created["CreationDate"]
    assert (pool["LastModifiedDate"] - created["LastModifiedDate"]).total_seconds() > 89.999


def test_update_user_pool_sets_policy_and_name(cognito: Any, pool_id: str) -> None:
    cognito.update_user_pool(UserPoolId=pool_id, PoolName="renamed", DeletionProtection="ACTIVE",
                             Policies={"PasswordPolicy": {"MinimumLength": 20, "RequireNumbers": True}})
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "renamed"
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 20
    assert pool["Policies"]["PasswordPolicy"]["RequireNumbers"] is True
    assert pool["Policies"]["PasswordPolicy"]["RequireUppercase"] is False
    # The new policy is the one sign-ups meet.
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="u", TemporaryPassword="Short1Aa!",
                                  MessageAction="SUPPRESS")


def test_update_user_pool_errors(cognito: Any, unchecked: Any) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_user_pool(UserPoolId="us-east-1_NoSuchP00l")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="userPoolId"):
        cognito.update_user_pool(UserPoolId="nope")
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="'userPoolId'.*not be null"):
        unchecked.update_user_pool(MfaConfiguration="OFF")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="mfaConfiguration"):
        cognito.update_user_pool(UserPoolId="us-east-1_NoSuchP00l", MfaConfiguration="SOMETIMES")


# -- DeleteUserPool -----------------------------------------------------------------


def test_delete_user_pool_removes_it_and_everything_in_it(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool(UserPoolId=pool_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool(UserPoolId=pool_id)


def test_deletion_protection_refuses_delete_until_turned_off(cognito: Any) -> None:
    pool = new_pool(cognito, DeletionProtection="ACTIVE")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="deletion protection"):
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]
    cognito.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool(UserPoolId=pool["Id"])


def test_delete_user_pool_errors(cognito: Any, unchecked: Any) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool(UserPoolId="us-east-1_NoSuchP00l")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="userPoolId"):
        cognito.delete_user_pool(UserPoolId="no_such-pool")
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="not be null"):
        unchecked.delete_user_pool()


# -- ListUserPools ------------------------------------------------------------------


def test_list_user_pools_pages_through_every_pool(own_server: LiveServer) -> None:
    cognito = own_server.client()
    made = {new_pool(cognito)["Id"] for _ in range(5)}
    pages: list[list[dict[str, Any]]] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        resp = cognito.list_user_pools(**kwargs)
        pages.append(resp["UserPools"])
        if "NextToken" not in resp:
            break
        kwargs["NextToken"] = resp["NextToken"]
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [p["Id"] for page in pages for p in page]
    assert sorted(listed) == sorted(made) and len(set(listed)) == 5
    summary = pages[0][0]
    described = cognito.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
    assert summary["Name"] == described["Name"]
    assert summary["CreationDate"] == described["CreationDate"]
    assert summary["LastModifiedDate"] == described["LastModifiedDate"]
    assert "Policies" not in summary and "Arn" not in summary


def test_list_user_pools_paginator_and_deletion(own_server: LiveServer) -> None:
    cognito = own_server.client()
    ids = [new_pool(cognito)["Id"] for _ in range(3)]
    cognito.delete_user_pool(UserPoolId=ids[1])
    found = [p["Id"] for page in cognito.get_paginator("list_user_pools").paginate(
        MaxResults=1) for p in page["UserPools"]]
    assert sorted(found) == sorted([ids[0], ids[2]])
    one_page = cognito.list_user_pools(MaxResults=60)
    assert len(one_page["UserPools"]) == 2 and "NextToken" not in one_page


def test_list_user_pools_empty(own_server: LiveServer) -> None:
    resp = own_server.client().list_user_pools(MaxResults=10)
    assert resp["UserPools"] == [] and "NextToken" not in resp


@pytest.mark.parametrize("kwargs, match", [
    ({}, "'maxResults'.*not be null"),
    ({"MaxResults": 0}, "greater than or equal to 1"),
    ({"MaxResults": 61}, "less than or equal to 60"),
    ({"MaxResults": 5, "NextToken": "not a token"}, "token"),
])
def test_list_user_pools_errors(unchecked: Any, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match=match):
        unchecked.list_user_pools(**kwargs)
