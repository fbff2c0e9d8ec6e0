"""emulator/model.py's request validator, in process: the counts, member paths and wording
of Cognito's `InvalidParameterException: N validation error(s) detected: ...`."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from emulator.errors import InvalidParameterException
from emulator.model import service_model


def problems(action: str, body: dict[str, Any]) -> str:
    model = service_model()
    with pytest.raises(InvalidParameterException) as info:
        model.validate_input(model.operations[action], body)
    return info.value.message


def passes(action: str, body: dict[str, Any]) -> None:
    model = service_model()
    model.validate_input(model.operations[action], body)


def botocore_enum(shape: str) -> list[str]:
    """The enum as botocore itself loads it: an independent reading of the same model."""
    return botocore.session.get_session().get_service_model("cognito-idp").shape_for(shape).enum


# -- what passes ------------------------------------------------------------------------------

def test_a_full_valid_request_passes() -> None:
    passes("CreateUserPool", {
        "PoolName": "turn-based-users",
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                        "RequireNumbers": True, "RequireSymbols": False}},
        "Schema": [{"Name": "phone_number", "AttributeDataType": "String", "Mutable": True, "Required": True}],
        "UserPoolTags": {"team": "games"},
        "AutoVerifiedAttributes": ["email"],
    })
    passes("AdminInitiateAuth", {"UserPoolId": "us-east-1_abc123", "ClientId": "abc123",
                                 "AuthFlow": "ADMIN_NO_SRP_AUTH",
                                 "AuthParameters": {"USERNAME": "player1", "PASSWORD": "Secret123"}})


def test_unknown_members_are_ignored() -> None:
    passes("ListUserPools", {"MaxResults": 10, "SomethingNew": {"x": 1}})


def test_bounds_themselves_pass() -> None:
    passes("ListUserPools", {"MaxResults": 1})
    passes("ListUserPools", {"MaxResults": 60})
    passes("CreateUserPool", {"PoolName": "p" * 128})


# -- counts -----------------------------------------------------------------------------------

def test_one_error_is_singular() -> None:
    assert problems("DescribeUserPool", {"UserPoolId": "x"}) == (
        "1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )


def test_two_errors_are_plural_and_joined_by_semicolons() -> None:
    assert problems("AdminGetUser", {}) == (
        "2 validation errors detected: "
        "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; "
        "Value null at 'username' failed to satisfy constraint: Member must not be null"
    )


def test_every_broken_constraint_counts() -> None:
    message = problems("AdminCreateUser", {"UserPoolId": 1, "Username": "", "MessageAction": "LOUD"})
    assert message.startswith("4 validation errors detected: ")
    parts = message.removeprefix("4 validation errors detected: ").split("; ")
    assert parts == [
        "Value '1' at 'userPoolId' failed to satisfy constraint: Member must be of type string",
        "Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        "Value 'LOUD' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: "
        "[RESEND, SUPPRESS]",
    ]


def test_null_is_missing() -> None:
    assert problems("AdminGetUser", {"UserPoolId": None, "Username": "player1"}) == (
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: "
        "Member must not be null"
    )


# -- member paths: lowerCamelCase, 1-based list items, map keys ---------------------------------

def test_nested_structure_paths_are_lower_camel_case() -> None:
    message = problems("CreateUserPool", {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}})
    assert message == (
        "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to "
        "satisfy constraint: Member must have value greater than or equal to 6"
    )


def test_list_items_count_from_one() -> None:
    message = problems("AdminCreateUser", {
        "UserPoolId": "us-east-1_abc", "Username": "player1",
        "UserAttributes": [{"Name": "email", "Value": "a@example.com"}, {"Name": 5, "Value": "b"}],
    })
    assert message == (
        "1 validation error detected: Value '5' at 'userAttributes.2.member.name' failed to satisfy "
        "constraint: Member must be of type string"
    )


def test_list_of_structures_inside_a_structure() -> None:
    message = problems("CreateUserPool", {"PoolName": "p",
                                          "Schema": [{"Name": "nickname", "AttributeDataType": "Strung"}]})
    assert message == (
        "1 validation error detected: Value 'Strung' at 'schema.1.member.attributeDataType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [String, Number, DateTime, Boolean]"
    )


def test_list_of_scalars_inside_a_structure() -> None:
    message = problems("CreateUserPool", {
        "PoolName": "p",
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email", "bogus"]},
    })
    assert "Value 'bogus' at 'userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate.2.member'" in message


def test_map_values_are_addressed_by_key() -> None:
    message = problems("AdminCreateUser", {"UserPoolId": "us-east-1_abc", "Username": "player1",
                                           "ClientMetadata": {"source": 7}})
    assert message == (
        "1 validation error detected: Value '7' at 'clientMetadata.source.value' failed to satisfy "
        "constraint: Member must be of type string"
    )


# -- wording: enums, ranges, lengths, types ----------------------------------------------------

def test_enum_wording_lists_the_whole_set_in_model_order() -> None:
    message = problems("AdminInitiateAuth", {"UserPoolId": "us-east-1_abc", "ClientId": "abc",
                                             "AuthFlow": "PASSWORD"})
    allowed = botocore_enum("AuthFlowType")
    assert "ADMIN_NO_SRP_AUTH" in allowed
    assert message == (
        "1 validation error detected: Value 'PASSWORD' at 'authFlow' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


@pytest.mark.parametrize(("value", "constraint"), [
    (0, "Member must have value greater than or equal to 1"),
    (61, "Member must have value less than or equal to 60"),
])
def test_range_wording(value: int, constraint: str) -> None:
    assert problems("ListUserPools", {"MaxResults": value}) == (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: {constraint}"
    )


def test_length_wording() -> None:
    name = "p" * 129
    assert problems("CreateUserPool", {"PoolName": name}) == (
        f"1 validation error detected: Value '{name}' at 'poolName' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )


def test_empty_string_breaks_length_and_pattern() -> None:
    assert problems("CreateUserPool", {"PoolName": ""}) == (
        "2 validation errors detected: "
        "Value '' at 'poolName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value '' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[\\w\\s+=,.@-]+"
    )


@pytest.mark.parametrize(("action", "body", "shown", "member", "kind"), [
    ("ListUserPools", {"MaxResults": "10"}, "'10'", "maxResults", "integer"),
    ("ListUserPools", {"MaxResults": 1.5}, "'1.5'", "maxResults", "integer"),
    ("ListUserPools", {"MaxResults": True}, "'true'", "maxResults", "integer"),
    ("ListUserPools", {"MaxResults": 2**31}, f"'{2**31}'", "maxResults", "integer"),
    ("DescribeUserPool", {"UserPoolId": ["us-east-1_abc"]}, '\'["us-east-1_abc"]\'', "userPoolId", "string"),
    ("CreateUserPoolClient", {"UserPoolId": "us-east-1_abc", "ClientName": "c", "GenerateSecret": "yes"},
     "'yes'", "generateSecret", "boolean"),
    ("CreateUserPool", {"PoolName": "p", "Policies": []}, "'[]'", "policies", "structure"),
    ("AdminCreateUser", {"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": {}},
     "'{}'", "userAttributes", "list"),
])
def test_type_wording(action: str, body: dict[str, Any], shown: str, member: str, kind: str) -> None:
    assert problems(action, body) == (
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: "
        f"Member must be of type {kind}"
    )


def test_integers_beyond_java_int_are_not_integers() -> None:
    # Precedence has a minimum but no maximum in the model; Java's int is the bound.
    base = {"UserPoolId": "us-east-1_abc", "GroupName": "players"}
    passes("CreateGroup", {**base, "Precedence": 2**31 - 1})
    assert problems("CreateGroup", {**base, "Precedence": 2**31}).endswith("Member must be of type integer")
    assert problems("CreateGroup", {**base, "Precedence": -1}).endswith(
        "Member must have value greater than or equal to 0")


# -- sensitive members leave their values out -------------------------------------------------

def test_sensitive_values_are_left_out() -> None:
    message = problems("SignUp", {"ClientId": "a b", "Username": "player1", "Password": "x" * 257})
    assert message == (
        "2 validation errors detected: "
        "Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+; "
        "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"
    )


def test_values_inside_a_sensitive_map_are_left_out() -> None:
    message = problems("InitiateAuth", {"ClientId": "abc", "AuthFlow": "USER_PASSWORD_AUTH",
                                        "AuthParameters": {"USERNAME": "player1", "PASSWORD": 12345678}})
    assert "12345678" not in message
    assert message == (
        "1 validation error detected: Value at 'authParameters.PASSWORD.value' failed to satisfy "
        "constraint: Member must be of type string"
    )


def test_a_sensitive_member_of_the_wrong_type_is_left_out() -> None:
    message = problems("SignUp", {"ClientId": "abc", "Username": "player1", "Password": 12345678})
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must be of type string"
    )
