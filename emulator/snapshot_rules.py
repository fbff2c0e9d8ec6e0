"""What a snapshot must be before it may replace anything: its format and schema version,
every table and column known, every value of its column's SQLite type, JSON columns
that parse to what the emulator reads back, ids and names in Cognito's shapes (botocore's
model), rows that belong to a pool of the snapshot, and keys that load as RSA private
keys named by valid pool ids (or the identity pools' key). Checked as the snapshot
streams in (snapshot.py): each member and row as it is read, then the rows' rules on the
new database file; a Refused (ValueError) names the first problem."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from .lookup import user_key
from .model import IDENTITY_SERVICE, service_model
from .records import Pool
from .store import SEARCHED_ATTRIBUTES, Column
from .tokens import IDENTITY_KEY

FORMAT = "cognito-emulator-snapshot"


class Refused(ValueError):
    """The snapshot, and why; nothing has been touched."""


def check_member(name: str, value: Any, schema_version: int) -> None:
    """A top-level member of the snapshot other than its tables."""
    if name == "format" and value != FORMAT:
        raise Refused(f"not a snapshot: expected an object with format {FORMAT!r}")
    if name == "schemaVersion" and (type(value) is not int or value != schema_version):
        raise Refused(f"snapshot schema version {_show(value)} does not match this emulator's {schema_version}")
    if name == "keys" and not isinstance(value, dict):
        raise Refused("snapshot 'tables' and 'keys' must be objects")


def check_head(head: dict[str, Any], schema_version: int) -> None:
    """Once the whole document has been read: the members it must have."""
    if head.get("format") != FORMAT:
        raise Refused(f"not a snapshot: expected an object with format {FORMAT!r}")
    check_member("schemaVersion", head.get("schemaVersion"), schema_version)


def check_table(table: str, columns: dict[str, dict[str, Column]]) -> None:
    if table not in columns:
        raise Refused(f"unknown table {_show(table)}")


def check_columns(where: str, row: Any, table: str, columns: dict[str, dict[str, Column]]) -> None:
    """A row as it is read: an object of the table's columns, each value of its type."""
    if not isinstance(row, dict):
        raise Refused(f"table {table!r} must be a list of row objects")
    _check_columns(where, row, columns[table])


def check_rows(db: sqlite3.Connection) -> None:
    """Every row of the new database file (all read by check_columns and stored) against
    its table's rules, the pools first: other rows name them. Reads a row at a time."""
    pools = {r[0]: Pool(id=r[0], name="", created=0, modified=0, config=_object(r[1]))
             for r in db.execute("SELECT id, config FROM pools")}
    for table in sorted(RULES, key=lambda t: t != "pools"):
        cur = db.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
        names = [c[0] for c in cur.description]
        for i, values in enumerate(cur):
            _check_row(f"{table}[{i}]", dict(zip(names, values, strict=True)), RULES[table], pools)
    _check_identity_refs(db)


def check_keys(keys: dict[str, Any]) -> None:
    _check_keys(keys)


def _check_identity_refs(db: sqlite3.Connection) -> None:
    """Identities and logins belong to identity pools of the snapshot, logins to its identities."""
    pools = {r[0] for r in db.execute("SELECT id FROM identity_pools")}
    identities = dict(db.execute("SELECT id, identity_pool_id FROM identities").fetchall())
    for table in ("identities", "identity_logins"):
        for i, (pool_id,) in enumerate(db.execute(f"SELECT identity_pool_id FROM [{table}] ORDER BY rowid")):
            if pool_id not in pools:
                raise Refused(f"{table}[{i}].identity_pool_id: names identity pool "
                              f"{_show(pool_id)}, which is not in the snapshot's identity_pools")
    logins = db.execute("SELECT identity_id, identity_pool_id FROM identity_logins ORDER BY rowid")
    for i, (identity_id, pool_id) in enumerate(logins):
        if identities.get(identity_id) != pool_id:
            raise Refused(f"identity_logins[{i}].identity_id: names no identity of its identity pool")


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
            parsed = _loads(value)
            if "\\u" in value:  # an escape may decode to a lone surrogate, which UTF-8 refuses
                json.dumps(parsed, ensure_ascii=False).encode("utf-8")
            else:
                value.encode("utf-8")
        except (ValueError, RecursionError, AttributeError):  # UnicodeEncodeError is a ValueError
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


# The emulator's own pool keys held to a shape of the model (the MFA ones above aside).
_POOL_OWN_SHAPES = {"_LogConfigurations": "LogConfigurationListType", "_RiskConfiguration": "RiskConfigurationType"}


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
    for key, shape in _POOL_OWN_SHAPES.items():
        if config.get(key) is not None:
            out.extend(model.problems(shape, config[key], key, loose=True))
    out.extend(_identity_providers(config.get("_IdentityProviders", {})))
    return f"is not a valid pool configuration: {out[0]}" if out else None


def _identity_providers(value: Any) -> list[str]:
    """"_IdentityProviders": provider name -> IdentityProviderType's members (type,
    details and both dates required), as emulator/providers.py keeps them."""
    if not isinstance(value, dict):
        return ["_IdentityProviders must map provider names to objects"]
    out: list[str] = []
    for name, record in value.items():
        path = f"_IdentityProviders.{name}"
        if not isinstance(record, dict):
            out.append(f"{path} must be an object")
            continue
        out.extend(service_model().problems("IdentityProviderType", record, path, loose=True))
        out.extend(f"{path}.{k} is required" for k in ("ProviderType", "ProviderDetails", "CreationDate",
                                                          "LastModifiedDate") if k not in record)
    return out


def _client_config(config: Any) -> str | None:
    """CreateUserPoolClient's settings as DescribeUserPoolClient answers them, plus the
    emulator's own "_ClientSecrets" (AddUserPoolClientSecret: one or two {Id, Value, Created})
    and "_RiskConfiguration" (SetRiskConfiguration for the client)."""
    if not isinstance(config, dict):
        return "must be a JSON object"
    model = service_model()
    own = {k: v for k, v in config.items() if not k.startswith("_")}
    out = model.problems("UserPoolClientType", own, "config", loose=True)
    if "_ClientSecrets" in config and not _client_secrets_ok(config["_ClientSecrets"]):
        out.append("_ClientSecrets must hold one or two {Id, Value, Created} secrets")
    if config.get("_RiskConfiguration") is not None:
        out += model.problems("RiskConfigurationType", config["_RiskConfiguration"], "_RiskConfiguration", loose=True)
    return f"is not a valid client configuration: {out[0]}" if out else None


def _client_secrets_ok(secrets: Any) -> bool:
    model = service_model()

    def ok(entry: Any) -> bool:
        return (isinstance(entry, dict) and isinstance(entry.get("Created"), (int, float))
                and not model.problems("ClientSecretIdType", entry.get("Id"), "Id")
                and not model.problems("ClientSecretType", entry.get("Value"), "Value"))

    return isinstance(secrets, list) and 1 <= len(secrets) <= 2 and all(ok(e) for e in secrets)


def _attributes(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a JSON object of attribute names and string values"
    for name, text in value.items():
        # AttributeValueType is a string of at most 2,048 characters: that checked here,
        # the model is asked only about a value that fails it (for its words).
        problem = _attribute_name_problem(name) if isinstance(name, str) else _ATTRIBUTE_NAME(name)
        if not problem and not (isinstance(text, str) and len(text) <= 2048):
            problem = _ATTRIBUTE_VALUE(text)
        if problem:
            return f"attribute {_show(name)} {problem}"
    return None


_ATTRIBUTE_NAME = _of_shape("AttributeNameType")
_ATTRIBUTE_VALUE = _of_shape("AttributeValueType")


@functools.lru_cache(maxsize=4096)
def _attribute_name_problem(name: str) -> str | None:
    """A pool's attribute names repeat from user to user: each is checked once."""
    return _ATTRIBUTE_NAME(name)


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


def _string_list(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if ok else "must be a JSON array of strings"


def _object_list(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return None if ok else "must be a JSON array of objects"


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
    """users.email, phone_number, preferred_username, name...: the attribute, for lookups."""

    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        wanted = _object(row.get("attributes")).get(attribute)
        if lower and isinstance(wanted, str):
            wanted = wanted.lower()
        return None if value == wanted else f"does not match the user's {attribute} attribute"

    return rule


def _nonempty(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    return None if value else "must not be empty"


def _identity_shape(name: str) -> Rule:
    def rule(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
        found = service_model(IDENTITY_SERVICE).problems(name, value, "value")
        return f"is not a valid {name}: {found[0]}" if found else None

    return rule


def _identity_pool_ref(value: Any, row: dict[str, Any], pools: dict[str, Pool]) -> str | None:
    """Checked against the snapshot's identity_pools by check_identity_refs()."""
    return _identity_shape("IdentityPoolId")(value, row, pools)


def _identity_pool_config(config: Any) -> str | None:
    """CreateIdentityPool's settings as DescribeIdentityPool answers them, plus the
    emulator's own "_Roles", "_RoleMappings" (SetIdentityPoolRoles) and "_PrincipalTags"."""
    if not isinstance(config, dict):
        return "must be a JSON object"
    model = service_model(IDENTITY_SERVICE)
    own = {"IdentityPoolId": "x:y", "IdentityPoolName": "x",
           **{k: v for k, v in config.items() if not k.startswith("_")}}
    out = model.problems("IdentityPool", own, "config", loose=True)
    out += model.problems("RolesMap", config.get("_Roles", {}), "_Roles", loose=True)
    out += model.problems("RoleMappingMap", config.get("_RoleMappings", {}), "_RoleMappings", loose=True)
    tags = config.get("_PrincipalTags", {})
    if not isinstance(tags, dict) or not all(isinstance(v, dict) for v in tags.values()):
        out.append("_PrincipalTags must map provider names to objects")
    return f"is not a valid identity pool configuration: {out[0]}" if out else None


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
              "preferred_username": _derived("preferred_username", True),
              **{a: _derived(a, False) for a in SEARCHED_ATTRIBUTES}},
    "groups": {"pool_id": POOL_ID, "name": _shape("GroupNameType"), "description": _shape("DescriptionType"),
               "role_arn": _shape("ArnType"), "precedence": _shape("PrecedenceType")},
    "members": {"pool_id": POOL_ID, "group_name": _shape("GroupNameType")},
    "user_signouts": {"pool_id": POOL_ID},
    "token_families": {"pool_id": POOL_ID, "revoked": _flag},
    "lockouts": {"pool_id": POOL_ID},
    "user_sessions": {"session_id": _shape("SessionIdType"), "pool_id": POOL_ID,
                      "client_id": _shape("ClientIdType"), "origin_session": _shape("SessionIdType")},
    "provider_links": {"pool_id": POOL_ID, "provider": _shape("ProviderNameType")},
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
    "auth_codes": {"pool_id": POOL_ID, "client_id": _shape("ClientIdType"), "sso_session": _shape("SessionIdType")},
    "hosted_sessions": {"pool_id": POOL_ID, "client_id": _shape("ClientIdType")},
    # Identity pools (cognito-identity): their rows name identity pools, not user pools.
    "identity_pools": {"id": _identity_shape("IdentityPoolId"), "name": _identity_shape("IdentityPoolName"),
                       "config": _json(_identity_pool_config)},
    "identities": {"id": _identity_shape("IdentityId"), "identity_pool_id": _identity_pool_ref},
    "identity_logins": {"identity_pool_id": _identity_pool_ref, "identity_id": _identity_shape("IdentityId"),
                        "provider": _nonempty, "subject": _nonempty},
    "import_jobs": {"pool_id": POOL_ID, "job_id": _shape("UserImportJobIdType"),
                    "status": _shape("UserImportJobStatusType"), "header": _json(_string_list),
                    "failures": _json(_object_list)},
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
        # Besides the user pools' keys, the one that signs identity pools' OpenID tokens.
        if pool_id != IDENTITY_KEY and service_model().problems("UserPoolIdType", pool_id, "key"):
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


@functools.lru_cache(maxsize=8)
def _loads(text: str) -> Any:
    """json.loads, remembered for the last few texts: a row's JSON column is read by its
    own rule and by every derived column's (users' attributes: a dozen times a row).
    Callers only read what it returns."""
    return json.loads(text)


def _parses(text: str) -> bool:
    try:
        _loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _object(text: Any) -> dict[str, Any]:
    """A JSON column's object, or {} (a bad one is reported by its own rule)."""
    if not isinstance(text, str) or not _parses(text):
        return {}
    value = _loads(text)
    return value if isinstance(value, dict) else {}


def _show(value: Any) -> str:
    """A value for a message: repr() escapes NUL bytes and lone surrogates; long ones are cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
