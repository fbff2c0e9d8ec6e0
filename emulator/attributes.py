"""User attributes: the pool schema (standard + `custom:`), value checks, and the
client's read/write permissions."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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


# The constraints each data type keeps (a Schema entry's others are ignored, as in Cognito).
CONSTRAINTS = {"String": ("StringAttributeConstraints", ("MinLength", "MaxLength")),
               "Number": ("NumberAttributeConstraints", ("MinValue", "MaxValue"))}
MAX_STRING_LENGTH = 2048
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# NumberAttributeConstraints: "a number less than or equal to 2^1023" (botocore's model).
_NUMBER_LIMIT = 2.0 ** 1023


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """SchemaAttributes as DescribeUserPool shows them, from CreateUserPool's Schema.
    A member sent as JSON null counts as absent; members the model lacks are dropped."""
    schema = {name: _standard_entry(name) for name in STANDARD}
    for index, given in enumerate(requested or [], start=1):
        item = _present(given)
        name = item.get("Name")
        if name is None:
            raise InvalidParameterException(
                f"1 validation error detected: Value null at 'schema.{index}.member.name' "
                "failed to satisfy constraint: Member must not be null")
        if name in STANDARD:
            _apply_standard(schema[name], item)
            continue
        entry = _custom_entry(item)
        if entry["Name"] in schema:
            raise InvalidParameterException(f"Existing attribute already has name {entry['Name']}.")
        schema[entry["Name"]] = entry
    for entry in schema.values():
        _check_constraints(entry)
    return list(schema.values())


MAX_CUSTOM_ATTRIBUTES = 50


def add_custom(schema: list[dict[str, Any]], requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pool's SchemaAttributes with AddCustomAttributes' entries after them: all of
    them or, on the first refusal, none."""
    taken = {entry["Name"] for entry in schema}
    added: list[dict[str, Any]] = []
    for given in requested:
        entry = _custom_entry(_present(given))
        if entry["Name"] in taken:
            raise InvalidParameterException(f"Existing attribute already has name {entry['Name']}.")
        _check_constraints(entry)
        taken.add(entry["Name"])
        added.append(entry)
    customs = sum(1 for entry in schema if entry["Name"] not in STANDARD) + len(added)
    if customs > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")
    return schema + added


def _present(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


def _bounds(item: dict[str, Any], kind: str) -> dict[str, str] | None:
    """The entry's constraints for its data type (model members only), None if absent."""
    key, members = CONSTRAINTS[kind]
    given = item.get(key)
    return None if given is None else {k: v for k, v in _present(given).items() if k in members}


def _apply_standard(entry: dict[str, Any], item: dict[str, Any]) -> None:
    name = entry["Name"]
    if name == "sub":
        raise InvalidParameterException("sub attribute cannot be modified.")
    kind = entry["AttributeDataType"]
    if item.get("AttributeDataType", kind) != kind or item.get("DeveloperOnlyAttribute"):
        raise InvalidParameterException(
            f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )
    for key in ("Mutable", "Required"):
        if key in item:
            entry[key] = item[key]
    bounds = _bounds(item, kind) if kind in CONSTRAINTS else None
    if bounds:
        entry[CONSTRAINTS[kind][0]].update(bounds)


def _custom_entry(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("AttributeDataType")
    if kind is None:
        # Cognito's words; botocore's model checks the enum itself.
        raise InvalidParameterException("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.")
    if item.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    developer = bool(item.get("DeveloperOnlyAttribute", False))
    entry: dict[str, Any] = {
        "Name": ("dev:custom:" if developer else "custom:") + item["Name"], "AttributeDataType": kind,
        "DeveloperOnlyAttribute": developer, "Mutable": bool(item.get("Mutable", True)), "Required": False,
    }
    bounds = _bounds(item, kind) if kind in CONSTRAINTS else None
    if kind == "String":
        entry["StringAttributeConstraints"] = {"MinLength": "0", "MaxLength": str(MAX_STRING_LENGTH), **(bounds or {})}
    elif bounds is not None:
        entry[CONSTRAINTS[kind][0]] = bounds
    return entry


def _check_constraints(entry: dict[str, Any]) -> None:
    """Constraints are strings on the wire: refuse impossible ones here, in Cognito's
    words, rather than on every later write of the attribute."""
    name = entry["Name"]
    lengths = entry.get("StringAttributeConstraints")
    if lengths is not None:
        low, high = (_length(lengths.get(k), name) for k in ("MinLength", "MaxLength"))
        if max(low or 0, high or 0) > MAX_STRING_LENGTH:
            raise InvalidParameterException(
                f"user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}")
        if low is not None and high is not None and high < low:
            raise InvalidParameterException(f"user.{name}: Max length cannot be less than min length.")
    values = entry.get("NumberAttributeConstraints")
    if values is not None:
        low_value, high_value = (_bound(values.get(k), name) for k in ("MinValue", "MaxValue"))
        if low_value is not None and high_value is not None and high_value < low_value:
            raise InvalidParameterException(f"user.{name}: Max value cannot be less than min value.")


def _length(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidParameterException(f"Invalid StringAttributeConstraints for schema attribute {name}")
    digits = value.lstrip("0") or "0"
    # Past five digits it is above the cap anyway (and int() refuses 4,300+ digits).
    return MAX_STRING_LENGTH + 1 if len(digits) > 5 else int(digits)


def _bound(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    number = float(value) if _DECIMAL.fullmatch(value) else math.inf
    if not abs(number) <= _NUMBER_LIMIT:
        raise InvalidParameterException(f"Invalid NumberAttributeConstraints for schema attribute {name}")
    return number


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


@dataclass(frozen=True)
class Schema:
    """A pool's schema read once for the checks of many users (an import job's batch)."""

    entries: dict[str, dict[str, Any]]
    required: tuple[str, ...]
    strings: dict[str, tuple[str | int, str | int]]  # String attributes: (longest, shortest)


def schema_checks(pool: Pool) -> Schema:
    entries = schema_of(pool)
    return Schema(entries, tuple(n for n, e in entries.items() if e.get("Required") and n != "sub"),
                  {n: _string_bounds(e) for n, e in entries.items() if e.get("AttributeDataType", "String") == "String"})


def _string_bounds(entry: dict[str, Any]) -> tuple[str | int, str | int]:
    # `or`: a null stored by an older version means no bound, not a crash.
    c = entry.get("StringAttributeConstraints") or {}
    return c.get("MaxLength") or MAX_STRING_LENGTH, c.get("MinLength") or 0


def check_values(pool: Pool, values: dict[str, str], *, creating: bool, schema_read: Schema | None = None) -> None:
    """Every attribute exists in the schema, may be written now, and has a valid value."""
    read = schema_read or schema_checks(pool)
    schema, strings = read.entries, read.strings
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
        bounds = strings.get(name)
        if bounds is not None:
            problems.extend(_string_problems(name, value, *bounds))
        else:
            problems.extend(_value_problems(name, entry, value))
    _conform(problems)


def _string_problems(name: str, value: str, longest: str | int, shortest: str | int) -> list[str]:
    if len(value) > int(longest):
        return [f"{name}: String must be no longer than {longest} characters"]
    if value and len(value) < int(shortest):
        return [f"{name}: String must be no shorter than {shortest} characters"]
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and value and not _PHONE.match(value):
        raise InvalidParameterException("Invalid phone number format.")
    return []


def _value_problems(name: str, entry: dict[str, Any], value: str) -> list[str]:
    kind = entry.get("AttributeDataType", "String")
    if kind == "String":
        return _string_problems(name, value, *_string_bounds(entry))
    if kind == "Number":
        number = _number(value)
        if number is None:
            return [f"{name}: Number expected"]
        c = entry.get("NumberAttributeConstraints") or {}
        if c.get("MinValue") is not None and number < float(c["MinValue"]):
            return [f"{name}: Number must be greater than or equal to {c['MinValue']}"]
        if c.get("MaxValue") is not None and number > float(c["MaxValue"]):
            return [f"{name}: Number must be less than or equal to {c['MaxValue']}"]
    elif kind == "Boolean" and value.lower() not in ("true", "false"):
        return [f"{name}: Boolean expected"]
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and value and not _PHONE.match(value):
        raise InvalidParameterException("Invalid phone number format.")
    return []


def check_deletable(pool: Pool, names: list[str]) -> None:
    """Delete*UserAttributes names: each a schema attribute other than `sub` (a schema
    attribute the user has no value for is no error)."""
    schema = schema_of(pool)
    problems = [f"user.{n}: Attribute does not exist in the schema.\n" for n in dict.fromkeys(names)
                if n not in schema]
    if "sub" in names:
        problems.append("user.sub: Attribute cannot be deleted.\n")
    if problems:
        # Cognito's form: one line per attribute, each ending in a newline.
        raise InvalidParameterException("Invalid user attributes: " + "".join(problems))


def check_required(pool: Pool, values: dict[str, str], schema_read: Schema | None = None) -> None:
    names = (schema_read or schema_checks(pool)).required
    _conform([f"{n}: The attribute is required" for n in names if not values.get(n)])


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
