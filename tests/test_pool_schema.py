"""CreateUserPool's Schema, driven over raw JSON (extra keys, nulls, strings the model
allows but Cognito refuses) and with boto3: every combination of attribute kind, data
type and constraint answers a pool or InvalidParameterException, never a 500, and a pool
it accepts can be described and written to."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from .conftest import LiveServer

TARGET = "AWSCognitoIdentityProviderService"
HUGE = "9" * 5000

# Constraint values -> what Cognito makes of them: None accepted, else the refusal
# ("invalid" for a value that is not a count/number, "2048" for a length above the cap).
LENGTHS: dict[str, str | None] = {
    "0": None, "5": None, "0005": None, "2048": None, "2049": "2048", HUGE: "2048",
    "-1": "invalid", "abc": "invalid", "": "invalid", " 5": "invalid", "1.5": "invalid",
    "\u0663": "invalid", "1e3": "invalid",
}
VALUES: dict[str, str | None] = {
    "0": None, "150": None, "-5": None, "1.5": None,
    "abc": "invalid", "": "invalid", "1e999": "invalid", "9" * 400: "invalid", "NaN": "invalid",
    "Infinity": "invalid", " 5": "invalid", "1_000": "invalid", "0x10": "invalid",
}
# Unexpected members: none, or one in the Schema entry and one in its constraints object.
EXTRAS = ["none", "extra keys"]
STRING_TARGETS = {"email": ("email", None), "custom String": ("custom:tier", "String")}
NUMBER_TARGETS = {"updated_at": ("updated_at", None), "custom Number": ("custom:age", "Number")}


def raw(server: LiveServer, action: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}/", content=json.dumps(body), timeout=30, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{TARGET}.{action}"})


def create(server: LiveServer, *schema: dict[str, Any]) -> httpx.Response:
    return raw(server, "CreateUserPool", {"PoolName": f"s-{uuid.uuid4().hex[:8]}", "Schema": list(schema)})


def refused(resp: httpx.Response) -> str:
    """The message of an InvalidParameterException (and nothing else)."""
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert resp.json()["__type"] == "InvalidParameterException", resp.text
    return str(resp.json()["message"])


def accepted(server: LiveServer, cognito: Any, resp: httpx.Response) -> dict[str, dict[str, Any]]:
    """The pool's schema; the pool reads back through boto3 (its shape checked)."""
    assert resp.status_code == 200, (resp.status_code, resp.text)
    pool_id = resp.json()["UserPool"]["Id"]
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {a["Name"]: a for a in described["SchemaAttributes"]}


def entry(name: str, kind: str | None, constraints_key: str, constraints: dict[str, Any],
          extra: str) -> dict[str, Any]:
    item: dict[str, Any] = {"Name": name.removeprefix("custom:"), constraints_key: dict(constraints)}
    if kind is not None:
        item["AttributeDataType"] = kind
    if extra == "extra keys":
        item["Unexpected"] = {"x": [1, None]}
        item[constraints_key]["Unexpected"] = "1"
    return item


def writes_without_error(server: LiveServer, resp: httpx.Response, name: str, value: str) -> None:
    """A user write of the constrained attribute is answered, whatever the constraint."""
    pool_id = resp.json()["UserPool"]["Id"]
    got = raw(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "u", "MessageAction": "SUPPRESS",
                                          "UserAttributes": [{"Name": name, "Value": value}]})
    assert got.status_code == 200 or got.json()["__type"] == "InvalidParameterException", got.text


@pytest.mark.parametrize("extra", EXTRAS)
@pytest.mark.parametrize("value", list(LENGTHS), ids=lambda v: repr(v[:8]))
@pytest.mark.parametrize("key", ["MinLength", "MaxLength"])
@pytest.mark.parametrize("target", list(STRING_TARGETS))
def test_string_length_constraints(server: LiveServer, cognito: Any, target: str, key: str, value: str,
                                   extra: str) -> None:
    name, kind = STRING_TARGETS[target]
    resp = create(server, entry(name, kind, "StringAttributeConstraints", {key: value}, extra))
    problem = LENGTHS[value]
    if problem == "invalid":
        assert refused(resp) == f"Invalid StringAttributeConstraints for schema attribute {name}"
    elif problem == "2048":
        assert refused(resp) == f"user.{name}: String attributes cannot have a length of more than 2048"
    else:
        schema = accepted(server, cognito, resp)
        assert schema[name]["StringAttributeConstraints"][key] == value
        assert "Unexpected" not in schema[name] and "Unexpected" not in schema[name]["StringAttributeConstraints"]
        writes_without_error(server, resp, name, "x@example.com")


@pytest.mark.parametrize("extra", EXTRAS)
@pytest.mark.parametrize("value", list(VALUES), ids=lambda v: repr(v[:8]))
@pytest.mark.parametrize("key", ["MinValue", "MaxValue"])
@pytest.mark.parametrize("target", list(NUMBER_TARGETS))
def test_number_value_constraints(server: LiveServer, cognito: Any, target: str, key: str, value: str,
                                  extra: str) -> None:
    name, kind = NUMBER_TARGETS[target]
    resp = create(server, entry(name, kind, "NumberAttributeConstraints", {key: value}, extra))
    if VALUES[value] == "invalid":
        assert refused(resp) == f"Invalid NumberAttributeConstraints for schema attribute {name}"
    elif name == "updated_at" and key == "MaxValue" and float(value) < 0:  # below its MinValue 0
        assert refused(resp) == "user.updated_at: Max value cannot be less than min value."
    else:
        schema = accepted(server, cognito, resp)
        assert schema[name]["NumberAttributeConstraints"][key] == value
        writes_without_error(server, resp, name, "7")


@pytest.mark.parametrize("extra", EXTRAS)
@pytest.mark.parametrize("kind, constraints_key, value", [
    ("String", "NumberAttributeConstraints", {"MinValue": "abc", "MaxValue": HUGE}),
    ("Number", "StringAttributeConstraints", {"MinLength": "abc", "MaxLength": "-1"}),
    ("Boolean", "StringAttributeConstraints", {"MinLength": "abc"}),
    ("Boolean", "NumberAttributeConstraints", {"MinValue": "abc"}),
    ("DateTime", "StringAttributeConstraints", {"MaxLength": HUGE}),
    ("DateTime", "NumberAttributeConstraints", {"MaxValue": "1e999"}),
])
def test_constraints_of_another_type_are_ignored(server: LiveServer, cognito: Any, kind: str,
                                                 constraints_key: str, value: dict[str, str], extra: str) -> None:
    resp = create(server, entry("custom:thing", kind, constraints_key, value, extra))
    schema = accepted(server, cognito, resp)
    assert schema["custom:thing"]["AttributeDataType"] == kind
    assert constraints_key not in schema["custom:thing"]
    writes_without_error(server, resp, "custom:thing", "true")


@pytest.mark.parametrize("item, message", [
    ({"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "6", "MaxLength": "5"}},
     "user.email: Max length cannot be less than min length."),
    ({"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "10", "MaxLength": "9"}},
     "user.custom:tier: Max length cannot be less than min length."),
    ({"Name": "birthdate", "StringAttributeConstraints": {"MinLength": "11"}},
     "user.birthdate: Max length cannot be less than min length."),
    ({"Name": "updated_at", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "2", "MaxValue": "1"}},
     "user.updated_at: Max value cannot be less than min value."),
    ({"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "1.5", "MaxValue": "1.25"}},
     "user.custom:age: Max value cannot be less than min value."),
    ({"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "-1", "MaxValue": "-2"}},
     "user.custom:age: Max value cannot be less than min value."),
])
def test_min_above_max_is_refused(server: LiveServer, item: dict[str, Any], message: str) -> None:
    assert refused(create(server, item)) == message


@pytest.mark.parametrize("item", [
    {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "5"}},
    {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "-3", "MaxValue": "-3"}},
    {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "2", "MaxValue": "10"}},
])
def test_equal_or_ordered_bounds_are_accepted(server: LiveServer, cognito: Any, item: dict[str, Any]) -> None:
    accepted(server, cognito, create(server, item))


TYPE_REFUSALS = [
    ({"Name": "email", "AttributeDataType": "Number"},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"),
    ({"Name": "updated_at", "AttributeDataType": "String"},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute updated_at"),
    ({"Name": "email", "DeveloperOnlyAttribute": True},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"),
    ({"Name": "name", "AttributeDataType": "String", "DeveloperOnlyAttribute": True, "Mutable": True},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute name"),
    ({"Name": "tier"}, "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    ({"Name": "tier", "Mutable": True, "StringAttributeConstraints": {"MaxLength": "9"}},
     "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    ({"Name": "tier", "AttributeDataType": None},
     "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    ({"Name": "tier", "DeveloperOnlyAttribute": True, "Unexpected": 1},
     "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    ({"AttributeDataType": "String"},
     "1 validation error detected: Value null at 'schema.1.member.name' failed to satisfy constraint: "
     "Member must not be null"),
    ({"Name": None, "AttributeDataType": "String"},
     "1 validation error detected: Value null at 'schema.1.member.name' failed to satisfy constraint: "
     "Member must not be null"),
]


@pytest.mark.parametrize("extra", [False, True])
@pytest.mark.parametrize("item, message", TYPE_REFUSALS)
def test_data_type_and_developer_only_refusals(server: LiveServer, item: dict[str, Any], message: str,
                                               extra: bool) -> None:
    if extra:
        item = {**item, "NumberAttributeConstraints": {"MinValue": "abc"}, "Surplus": [1]}
    assert refused(create(server, item)) == message


def test_null_members_count_as_absent(server: LiveServer, cognito: Any) -> None:
    resp = create(server,
                  {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": None,
                   "Mutable": None, "DeveloperOnlyAttribute": None, "Required": None},
                  {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": None},
                  {"Name": "email", "StringAttributeConstraints": None, "Required": None},
                  {"Name": "code", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": None}})
    schema = accepted(server, cognito, resp)
    assert schema["custom:tier"]["Mutable"] is True and schema["custom:tier"]["DeveloperOnlyAttribute"] is False
    assert schema["email"]["Required"] is False
    assert schema["email"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
    assert schema["custom:code"]["StringAttributeConstraints"]["MinLength"] == "0"
    writes_without_error(server, resp, "custom:code", "x")
    body = {"PoolName": "nulls", "Schema": None, "Policies": None, "VerificationMessageTemplate": None,
            "AdminCreateUserConfig": None, "MfaConfiguration": None}
    assert raw(server, "CreateUserPool", body).status_code == 200


def test_developer_only_custom_attribute_is_prefixed_dev(server: LiveServer, cognito: Any) -> None:
    schema = accepted(server, cognito, create(
        server, {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
        {"Name": "email", "DeveloperOnlyAttribute": False, "Required": True}))
    assert schema["dev:custom:secret"]["DeveloperOnlyAttribute"] is True
    assert schema["email"]["DeveloperOnlyAttribute"] is False and schema["email"]["Required"] is True


def test_boto3_sees_cognitos_schema_messages(cognito: Any, unchecked: Any) -> None:
    name = f"s-{uuid.uuid4().hex[:8]}"
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="developerOnlyAttribute for standard"):
        cognito.create_user_pool(PoolName=name, Schema=[{"Name": "email", "DeveloperOnlyAttribute": True}])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="more than 2048"):
        cognito.create_user_pool(PoolName=name, Schema=[
            {"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "4096"}}])
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="provided AttributeDataType enum"):
        cognito.create_user_pool(PoolName=name, Schema=[{"Name": "tier", "Mutable": True}])
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="schema.1.member.attributeDataType"):
        unchecked.create_user_pool(PoolName=name, Schema=[{"Name": "tier", "AttributeDataType": "Text"}])
