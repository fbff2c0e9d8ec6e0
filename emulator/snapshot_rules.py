"""What a snapshot must be before it may replace anything: its format and schema version,
every table and column known, every value of its column's SQLite type, JSON columns
that parse to what the emulator reads back, ids and names in Cognito's shapes (botocore's
model), rows that belong to a pool of the snapshot, and keys that load as RSA private
keys named by valid pool ids. `check()` raises ValueError naming the first problem."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from typing import Any

from .lookup import user_key
from .model import service_model
from .records import Pool
from .store import Column

FORMAT = "cognito-emulator-snapshot"
Tables = dict[str, list[dict[str, Any]]]


class Refused(ValueError):
    """The snapshot, and why; nothing has been touched."""


def check(snapshot: Any, schema_version: int, columns: dict[str, dict[str, Column]]) -> tuple[Tables, dict[str, str]]:
    """The snapshot's tables and keys, once all of it has been found sound."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise Refused(f"not a snapshot: expected an object with format {FORMAT!r}")
    version = snapshot.get("schemaVersion")
    if type(version) is not int or version != schema_version:
        raise Refused(f"snapshot schema version {_show(version)} does not match this emulator's {schema_version}")
    tables, keys = snapshot.get("tables"), snapshot.get("keys", {})
    if not isinstance(tables, dict) or not isinstance(keys, dict):
        raise Refused("snapshot 'tables' and 'keys' must be objects")
    for table, rows in tables.items():
        if table not in columns:
            raise Refused(f"unknown table {_show(table)}")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise Refused(f"table {table!r} must be a list of row objects")
        for i, row in enumerate(rows):
            _check_columns(f"{table}[{i}]", row, columns[table])
    pools = {row["id"]: Pool(id=row["id"], name="", created=0, modified=0, config=_object(row.get("config")))
             for row in tables.get("pools", [])}
    for table in sorted(tables, key=lambda t: t != "pools"):  # the pools first: other rows name them
        for i, row in enumerate(tables[table]):
            _check_row(f"{table}[{i}]", row, RULES.get(table, {}), pools)
    _check_keys(keys)
    return tables, keys


# -- columns: names and SQLite types ------------------------------------------------------


def _check_columns(where: str, row: dict[str, Any], columns: dict[str, Column]) -> None:
    extra = set(row) - set(columns)
    if extra:
        raise Refused(f"{where}: unknown column(s) {_show(sorted(extra))}")
    for name, column in columns.items():
        if name not in row:
            if column.needed:
                raise Refused(f"{where}: column {name!r} is missing")
            continue
        problem = _type_problem(row[name], column)
        if problem:
            raise Refused(f"{where}.{name}: {problem}")


def _type_problem(value: Any, column: Column) -> str | None:
    if value is None:
        return "must not be null" if column.not_null else None
    if column.type == "TEXT":
        if not isinstance(value, str):
            return f"must be a string, not {_show(value)}"
        return _text_problem(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {_show(value)}"
    if column.type == "INTEGER" and not isinstance(value, int):
        return f"must be an integer, not {_show(value)}"
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return "is too large for SQLite"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be finite"
    return None


def _text_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


# -- rows: ids, names, JSON columns, and the pool each row belongs to -------------------------

Rule = Callable[[Any, dict[str, Any], dict[str, Pool]], str | None]


def _shape(name: str) -> Rule:
    """The value must be an instance of botocore's shape `name` (null passes: the column
    type said whether null may be)."""

    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        if value is None:
            return None
        found = service_model().problems(name, value, "value")
        return f"is not a valid {name}: {found[0]}" if found else None

    return rule


def _json(inner: Callable[[Any], str | None]) -> Rule:
    """A JSON text whose value `inner` accepts."""

    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        if value is None:
            return None
        try:
            parsed = json.loads(value)
            json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            return "is not valid JSON text"
        if _depth(parsed) > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        return inner(parsed)

    return rule


def _pool_ref(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    if value not in pools:
        return f"names pool {_show(value)}, which is not in the snapshot's pools"
    return None


def _both(*rules: Rule) -> Rule:
    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        return next((p for p in (r(value, row, pools) for r in rules) if p), None)

    return rule


def _flag(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    return None if value in (0, 1) else "must be 0 or 1"


def _of_shape(name: str, loose: bool = False) -> Callable[[Any], str | None]:
    def inner(value: Any) -> str | None:
        found = service_model().problems(name, value, "value", loose=loose)
        return f"is not a valid {name}: {found[0]}" if found else None

    return inner


def _pool_config(config: Any) -> str | None:
    """CreateUserPool's settings as DescribeUserPool answers them (UserPoolType), plus the
    emulator's own keys ("_SmsMfaConfiguration": SetUserPoolMfaConfig's shapes)."""
    if not isinstance(config, dict):
        return "must be a JSON object"
    model = service_model()
    mfa = model.shapes["SetUserPoolMfaConfigRequest"]["members"]
    own = {k: v for k, v in config.items() if not k.startswith("_")}
    out = model.problems("UserPoolType", own, "config", loose=True)
    for key, value in config.items():
        if key.startswith("_") and key[1:] in mfa and value is not None:
            out.extend(model.problems(mfa[key[1:]]["shape"], value, key, loose=True))
    return f"is not a valid pool configuration: {out[0]}" if out else None


def _client_config(config: Any) -> str | None:
    if not isinstance(config, dict):
        return "must be a JSON object"
    out = service_model().problems("UserPoolClientType", config, "config", loose=True)
    return f"is not a valid client configuration: {out[0]}" if out else None


def _attributes(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a JSON object of attribute names and string values"
    for name, text in value.items():
        problem = _of_shape("AttributeNameType")(name) or _of_shape("AttributeValueType")(text)
        if problem:
            return f"attribute {_show(name)} {problem}"
    return None


_HEX = re.compile(r"[0-9a-fA-F]+")
# What the emulator reads back from a user's `extra` (other members are kept as they are).
_EXTRA: dict[str, Callable[[Any], bool]] = {
    "srp": lambda v: isinstance(v, dict) and all(isinstance(v.get(k), str) and _HEX.fullmatch(v[k])
                                                 for k in ("salt", "verifier")),
    "mfa": lambda v: isinstance(v, dict) and all(isinstance(s, dict) for s in v.values()),
    "totp": lambda v: isinstance(v, dict) and isinstance(v.get("secret", ""), str),
    "pending": lambda v: isinstance(v, dict) and all(isinstance(s, str) for s in v.values()),
}


def _extra(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a JSON object"
    bad = [k for k, ok in _EXTRA.items() if value.get(k) is not None and not ok(value[k])]
    return f"member {bad[0]!r} is not in the shape the emulator keeps" if bad else None


def _json_object(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be a JSON object"


def _domain_config(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a JSON object"
    version = value.get("managed_login_version")
    if version is not None and (type(version) is not int or version not in (1, 2)):
        return "managed_login_version must be 1 or 2"
    return _of_shape("CustomDomainConfigType", loose=True)(value["custom"]) if value.get("custom") is not None else None


_BCRYPT = re.compile(r"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}")


def _bcrypt(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    return None if value is None or _BCRYPT.fullmatch(value) else "is not a bcrypt hash"


def _base64(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is not base64"
    return None


def _ukey(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    pool, username = pools.get(row.get("pool_id", "")), row.get("username")
    if pool is not None and isinstance(username, str) and value != user_key(pool, username):
        return "does not match the username as the pool looks it up"
    return None


def _derived(attribute: str, lower: bool) -> Rule:
    """users.email, phone_number, preferred_username: the attribute, for lookups."""

    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        wanted = _object(row.get("attributes")).get(attribute)
        if lower and isinstance(wanted, str):
            wanted = wanted.lower()
        return None if value == wanted else f"does not match the user's {attribute} attribute"

    return rule


def _nonempty(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    return None if value else "must not be empty"


POOL_ID = _both(_shape("UserPoolIdType"), _pool_ref)
RULES: dict[str, dict[str, Rule]] = {
    "pools": {"id": _shape("UserPoolIdType"), "name": _shape("UserPoolNameType"),
              "config": _json(_pool_config)},
    "clients": {"id": _shape("ClientIdType"), "pool_id": POOL_ID, "name": _shape("ClientNameType"),
                "secret": _shape("ClientSecretType"), "config": _json(_client_config)},
    "users": {"pool_id": POOL_ID, "username": _shape("UsernameType"), "ukey": _ukey,
              "sub": _both(_shape("StringType"), _nonempty), "status": _shape("UserStatusType"), "enabled": _flag,
              "attributes": _json(_attributes), "password_hash": _bcrypt, "extra": _json(_extra),
              "email": _derived("email", True), "phone_number": _derived("phone_number", False),
              "preferred_username": _derived("preferred_username", True)},
    "groups": {"pool_id": POOL_ID, "name": _shape("GroupNameType"), "description": _shape("DescriptionType"),
               "role_arn": _shape("ArnType"), "precedence": _shape("PrecedenceType")},
    "members": {"pool_id": POOL_ID, "group_name": _shape("GroupNameType")},
    "user_signouts": {"pool_id": POOL_ID},
    "token_families": {"pool_id": POOL_ID, "revoked": _flag},
    "lockouts": {"pool_id": POOL_ID},
    "user_sessions": {"session_id": _shape("SessionIdType"), "pool_id": POOL_ID,
                      "client_id": _shape("ClientIdType")},
    "devices": {"device_key": _shape("DeviceKeyType"), "pool_id": POOL_ID, "confirmed": _flag,
                "status": _shape("DeviceRememberedStatusType")},
    "challenges": {"pool_id": POOL_ID, "client_id": _shape("ClientIdType"), "data": _json(_json_object)},
    "messages": {"pool_id": POOL_ID},
    "codes": {"pool_id": POOL_ID, "data": _json(_json_object)},
    "attempts": {"pool_id": POOL_ID},
    "domains": {"domain": _shape("DomainType"), "pool_id": POOL_ID, "custom": _flag,
                "config": _json(_domain_config)},
    "resource_servers": {"pool_id": POOL_ID, "identifier": _shape("ResourceServerIdentifierType"),
                         "name": _shape("ResourceServerNameType"),
                         "scopes": _json(_of_shape("ResourceServerScopeListType", loose=True))},
    "ui_customizations": {"pool_id": POOL_ID, "client_id": _shape("ClientIdType"), "image": _base64,
                          "css": _shape("CSSType")},
    "auth_codes": {"pool_id": POOL_ID, "client_id": _shape("ClientIdType")},
    "hosted_sessions": {"pool_id": POOL_ID},
}


def _check_row(where: str, row: dict[str, Any], rules: dict[str, Rule], pools: dict[str, Pool]) -> None:
    for column, rule in rules.items():
        if column in row:
            problem = rule(row[column], row, pools)
            if problem:
                raise Refused(f"{where}.{column}: {problem}")


# -- keys ---------------------------------------------------------------------------------------


def _check_keys(keys: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    for pool_id, pem in keys.items():
        if service_model().problems("UserPoolIdType", pool_id, "key"):
            raise Refused(f"key name {_show(pool_id)} is not a user pool id")
        if not isinstance(pem, str) or _text_problem(pem):
            raise Refused(f"key for pool {pool_id!r} must be PEM text")
        try:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError):
            raise Refused(f"key for pool {pool_id!r} is not a PEM private key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise Refused(f"key for pool {pool_id!r} is not an RSA key")


# -- helpers ---------------------------------------------------------------------------------------


MAX_DEPTH = 32  # far above anything the emulator writes; deep values would crash copies


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _object(text: Any) -> dict[str, Any]:
    """A JSON column's object, or {} (a bad one is reported by its own rule)."""
    if not isinstance(text, str) or not _parses(text):
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _show(value: Any) -> str:
    """A value for a message: repr() escapes NUL bytes and lone surrogates; long ones are cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
