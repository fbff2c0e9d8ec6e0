"""User accounts: creating them, setting passwords and attributes, the wire shapes
GetUser / AdminGetUser return, and the ListUsers filter. Shared by the admin and
self-service actions (and later the hosted UI)."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from . import ids
from .api import Context
from .attributes import check_required, check_values, normalise
from .errors import InvalidParameterException, UsernameExistsException
from .lookup import find_user, user_key
from .passwords import check_policy, hash_password
from .records import Pool, User


def password_policy(pool: Pool) -> dict[str, Any]:
    return pool.config.get("Policies", {}).get("PasswordPolicy", {})


def save(ctx: Context, pool: Pool, user: User) -> None:
    user.modified = ctx.now()
    ctx.store.put_user(user, user_key(pool, user.username))


def create_user(
    ctx: Context, pool: Pool, username: str, attributes: dict[str, str],
    *, password: str | None, status: str,
) -> User:
    if find_user(ctx, pool, username) is not None:
        raise UsernameExistsException("User already exists")
    attributes = normalise(attributes)
    check_values(pool, attributes, creating=True)
    check_required(pool, attributes)
    # Cognito records a contact as unverified until something verifies it.
    for name, flag in (("email", "email_verified"), ("phone_number", "phone_number_verified")):
        if attributes.get(name) and flag not in attributes:
            attributes[flag] = "false"
    if password is not None:
        check_policy(password_policy(pool), password)
    now = ctx.now()
    user = User(
        pool_id=pool.id, username=username, sub=ids.sub(), status=status, enabled=True,
        created=now, modified=now, attributes=attributes,
    )
    if password is not None:
        user.password_hash = hash_password(password, ctx.settings.bcrypt_rounds)
        user.password_set = now
    ctx.store.put_user(user, user_key(pool, username))
    return user


def set_password(ctx: Context, pool: Pool, user: User, password: str, *, status: str) -> None:
    check_policy(password_policy(pool), password)
    user.password_hash = hash_password(password, ctx.settings.bcrypt_rounds)
    user.password_set = ctx.now()
    user.status = status


def generate_temporary_password(pool: Pool) -> str:
    """A password that satisfies the pool's policy, for invitations without one."""
    policy = password_policy(pool)
    length = max(int(policy.get("MinimumLength", 8)), 12)
    picks = [secrets.choice(string.ascii_uppercase), secrets.choice(string.ascii_lowercase),
             secrets.choice(string.digits), secrets.choice("^$*.!@#%&")]
    alphabet = string.ascii_letters + string.digits
    picks += [secrets.choice(alphabet) for _ in range(length - len(picks))]
    secrets.SystemRandom().shuffle(picks)
    return "".join(picks)


def update_attributes(pool: Pool, user: User, updates: dict[str, str]) -> None:
    """Write attributes; a changed email or phone is unverified unless the caller says."""
    updates = normalise(updates)
    check_values(pool, updates, creating=False)
    for name, flag in (("email", "email_verified"), ("phone_number", "phone_number_verified")):
        if name in updates and updates[name] != user.attributes.get(name) and flag not in updates:
            updates[flag] = "false"
    merged = {**user.attributes, **updates}
    check_required(pool, merged)
    user.attributes = merged


def delete_attributes(pool: Pool, user: User, names: list[str]) -> None:
    remaining = {k: v for k, v in user.attributes.items() if k not in names}
    check_required(pool, remaining)
    user.attributes = remaining


def admin_user_wire(user: User) -> dict[str, Any]:
    """AdminGetUserResponse."""
    return {
        "Username": user.username,
        "UserAttributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


# -- ListUsers filter ----------------------------------------------------------------

_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')
_COLUMNS = {"username": "username", "sub": "sub", "email": "email", "phone_number": "phone_number"}
_JSON_ATTRS = {"name", "given_name", "family_name", "preferred_username"}


def filter_sql(pool: Pool, text: str | None) -> tuple[str, tuple[Any, ...]]:
    """A fixed SQL fragment and its parameters for a ListUsers Filter."""
    if not text or not text.strip():
        return "", ()
    match = _FILTER.match(text)
    if not match:
        raise InvalidParameterException("Error while parsing filter.")
    name, op, raw = match.groups()
    value = re.sub(r"\\(.)", r"\1", raw)
    if name == "username":
        column = "ukey"
        value = user_key(pool, value)
    elif name in _COLUMNS:
        column = _COLUMNS[name]
    elif name in _JSON_ATTRS:
        column = f"json_extract(attributes, '$.{name}')"
    elif name == "cognito:user_status":
        column, value = "upper(status)", value.upper()
    elif name == "status":
        if op != "=" or value not in ("Enabled", "Disabled"):
            return "0", ()
        return "enabled = ?", (1 if value == "Enabled" else 0,)
    else:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    if op == "=":
        return f"{column} = ?", (value,)
    return f"substr({column}, 1, ?) = ?", (len(value), value)
