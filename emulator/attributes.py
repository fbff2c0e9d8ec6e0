"""User attributes: the pool schema (standard + `custom:`), value checks, and the
client's read/write permissions."""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import InvalidParameterException, NotAuthorizedException
from .records import Client, Pool

# Cognito's standard (OIDC) attributes and the type each has in SchemaAttributes.
STANDARD: dict[str, str] = {
    "sub": "String", "name": "String", "given_name": "String", "family_name": "String",
    "middle_name": "String", "nickname": "String", "preferred_username": "String",
    "profile": "String", "picture": "String", "website": "String", "email": "String",
    "email_verified": "Boolean", "gender": "String", "birthdate": "String",
    "zoneinfo": "String", "locale": "String", "phone_number": "String",
    "phone_number_verified": "Boolean", "address": "String", "updated_at": "Number",
}
VERIFIED_FLAGS = {"email_verified", "phone_number_verified"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{1,15}$")


def _standard_entry(name: str) -> dict[str, Any]:
    kind = STANDARD[name]
    entry: dict[str, Any] = {
        "Name": name, "AttributeDataType": kind, "DeveloperOnlyAttribute": False,
        "Mutable": name != "sub", "Required": name == "sub",
    }
    if kind == "String":
        lo = "10" if name == "birthdate" else ("1" if name == "sub" else "0")
        hi = "10" if name == "birthdate" else "2048"
        entry["StringAttributeConstraints"] = {"MinLength": lo, "MaxLength": hi}
    elif kind == "Number":
        entry["NumberAttributeConstraints"] = {"MinValue": "0"}
    return entry


def build_schema(requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SchemaAttributes as DescribeUserPool shows them, from CreateUserPool's Schema."""
    schema = {name: _standard_entry(name) for name in STANDARD}
    for item in requested:
        name = item["Name"]
        if name in STANDARD:
            entry = schema[name]
            if name == "sub":
                raise InvalidParameterException("sub attribute cannot be modified.")
            if "AttributeDataType" in item and item["AttributeDataType"] != entry["AttributeDataType"]:
                raise InvalidParameterException(
                    f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )
            for key in ("Mutable", "Required"):
                if key in item:
                    entry[key] = item[key]
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if key in item and key in entry:
                    entry[key].update(item[key])
            continue
        if item.get("Required"):
            raise InvalidParameterException("Required custom attributes are not supported currently.")
        prefix = "dev:custom:" if item.get("DeveloperOnlyAttribute") else "custom:"
        full = prefix + name
        if full in schema:
            raise InvalidParameterException(f"Existing attribute already has name {full}.")
        kind = item.get("AttributeDataType", "String")
        entry = {
            "Name": full, "AttributeDataType": kind,
            "DeveloperOnlyAttribute": bool(item.get("DeveloperOnlyAttribute", False)),
            "Mutable": bool(item.get("Mutable", True)), "Required": False,
        }
        if kind == "String":
            entry["StringAttributeConstraints"] = {"MinLength": "0", "MaxLength": "2048", **item.get("StringAttributeConstraints", {})}
        elif kind == "Number" and "NumberAttributeConstraints" in item:
            entry["NumberAttributeConstraints"] = dict(item["NumberAttributeConstraints"])
        schema[full] = entry
    for entry in schema.values():
        _check_constraints(entry)
    return list(schema.values())


def _check_constraints(entry: dict[str, Any]) -> None:
    """Constraints are strings on the wire: refuse ones that are not numbers here, not
    on every later write of the attribute."""
    for key in ("MinLength", "MaxLength"):
        value = entry.get("StringAttributeConstraints", {}).get(key)
        if value is not None and not (value.isascii() and value.isdigit()):
            raise InvalidParameterException(f"{entry['Name']}: {key} must be a non-negative integer.")
    for key in ("MinValue", "MaxValue"):
        value = entry.get("NumberAttributeConstraints", {}).get(key)
        if value is not None and _number(value) is None:
            raise InvalidParameterException(f"{entry['Name']}: {key} must be a number.")


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def schema_of(pool: Pool) -> dict[str, dict[str, Any]]:
    return {e["Name"]: e for e in pool.config.get("SchemaAttributes", [])}


def from_wire(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {i["Name"]: i.get("Value", "") for i in (items or [])}


def _conform(problems: list[str]) -> None:
    if problems:
        raise InvalidParameterException("Attributes did not conform to the schema: " + ", ".join(problems))


def check_values(pool: Pool, values: dict[str, str], *, creating: bool) -> None:
    """Every attribute exists in the schema, may be written now, and has a valid value."""
    schema = schema_of(pool)
    problems: list[str] = []
    for name, value in values.items():
        entry = schema.get(name)
        if entry is None or name == "sub":
            if name == "sub":
                problems.append("sub: Attribute cannot be updated.")
            else:
                problems.append(f"{name}: Attribute does not exist in the schema.")
            continue
        if not creating and not entry.get("Mutable", True):
            problems.append(f"{name}: Attribute cannot be updated. (changing an immutable attribute)")
            continue
        problems.extend(_value_problems(name, entry, value))
    _conform(problems)


def _value_problems(name: str, entry: dict[str, Any], value: str) -> list[str]:
    kind = entry.get("AttributeDataType", "String")
    if kind == "String":
        c = entry.get("StringAttributeConstraints", {})
        if len(value) > int(c.get("MaxLength", 2048)):
            return [f"{name}: String must be no longer than {c.get('MaxLength', 2048)} characters"]
        if value and len(value) < int(c.get("MinLength", 0)):
            return [f"{name}: String must be no shorter than {c.get('MinLength')} characters"]
    elif kind == "Number":
        number = _number(value)
        if number is None:
            return [f"{name}: Number expected"]
        c = entry.get("NumberAttributeConstraints", {})
        if "MinValue" in c and number < float(c["MinValue"]):
            return [f"{name}: Number must be greater than or equal to {c['MinValue']}"]
        if "MaxValue" in c and number > float(c["MaxValue"]):
            return [f"{name}: Number must be less than or equal to {c['MaxValue']}"]
    elif kind == "Boolean" and value.lower() not in ("true", "false"):
        return [f"{name}: Boolean expected"]
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and value and not _PHONE.match(value):
        raise InvalidParameterException("Invalid phone number format.")
    return []


def check_required(pool: Pool, values: dict[str, str]) -> None:
    missing = [
        f"{e['Name']}: The attribute is required"
        for e in pool.config.get("SchemaAttributes", [])
        if e.get("Required") and e["Name"] != "sub" and not values.get(e["Name"])
    ]
    _conform(missing)


def normalise(values: dict[str, str]) -> dict[str, str]:
    """Booleans are stored as Cognito returns them: 'true' / 'false'."""
    return {k: (v.lower() if k in VERIFIED_FLAGS else v) for k, v in values.items()}


# -- client permissions -------------------------------------------------------------


def readable(client: Client, pool: Pool) -> set[str]:
    names = client.config.get("ReadAttributes")
    if names:
        return {"sub", *names}
    return {"sub", *(n for n in schema_of(pool) if not n.startswith("dev:"))}


def writable(client: Client, pool: Pool) -> set[str]:
    names = client.config.get("WriteAttributes")
    if names:
        return set(names)
    return {n for n in schema_of(pool) if n not in VERIFIED_FLAGS and n != "sub" and not n.startswith("dev:")}


def check_writable(client: Client, pool: Pool, names: set[str]) -> None:
    # A name the schema lacks is the schema check's to report (InvalidParameterException).
    allowed = writable(client, pool)
    if (names & set(schema_of(pool))) - allowed:
        raise NotAuthorizedException("A client attempted to write unauthorized attribute")
