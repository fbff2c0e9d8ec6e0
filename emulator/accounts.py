"""User accounts: creating them, setting passwords and attributes, the wire shapes
GetUser / AdminGetUser return. Shared by the admin and self-service actions and the
hosted UI (the ListUsers filter is in userfilter.py)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

from . import mfa
from .api import Context
from .attributes import Schema, check_deletable, check_required, check_values, normalise
from .errors import UsernameExistsException
from .lookup import find_user, user_key
from .passwords import NewPassword, check_policy
from .records import Pool, User
from .sign_in_names import check_free, claim_alias, new_username
from .srp import make_verifier
from .store import Conflict

CONTACTS = (("email", "email_verified"), ("phone_number", "phone_number_verified"))


def password_policy(pool: Pool) -> dict[str, Any]:
    policy: dict[str, Any] = pool.config.get("Policies", {}).get("PasswordPolicy", {})
    return policy


def save(ctx: Context, pool: Pool, user: User) -> None:
    user.modified = ctx.now()
    ctx.store.put_user(user, user_key(pool, user.username))


def create_user(
    ctx: Context, pool: Pool, username: str, attributes: dict[str, str],
    *, password: NewPassword | None, status: str, mark_unverified: bool = False,
    taken: str = "User already exists", enforce_policy: bool = True, sub: str | None = None,
    schema_read: Schema | None = None, exists: Callable[[str], bool] | None = None,
    add: Callable[[User, str], None] | None = None,
) -> User:
    """A new user with the attributes given (and sub). `mark_unverified` (SignUp) records
    an email or phone number the request does not mark as "<name>_verified": "false";
    AdminCreateUser adds no such attribute (AWS's examples show none). `taken` is the
    message of a username in use: Cognito words it per action. An import job's batch hands
    on the sub it picked (ids.spread_subs), the pool's schema read once, and in a pool that
    signs users in by username only, `exists` (the names it found taken with one query)
    and `add` (it stores the batch's users with one statement)."""
    attributes = normalise(attributes)
    sub = sub or ctx.ids.sub(pool.id, username, lambda s: ctx.store.get_user_by_sub(pool.id, s) is not None
                             or ctx.store.get_user(pool.id, user_key(pool, s)) is not None)
    real_username = new_username(pool, username, attributes, sub)
    # With UsernameAttributes the name is an email or phone: check_free reports a clash.
    if real_username == username and (exists(username) if exists else find_user(ctx, pool, username) is not None):
        raise UsernameExistsException(taken)
    check_values(pool, attributes, creating=True, schema_read=schema_read)
    check_required(pool, attributes, schema_read)
    for name, flag in CONTACTS if mark_unverified else ():
        if attributes.get(name) and flag not in attributes:
            attributes[flag] = "false"
    if password is not None and enforce_policy:  # not for a user migrated with their old password
        check_policy(password_policy(pool), password.text)
    now = ctx.now()
    user = User(
        pool_id=pool.id, username=real_username, sub=sub, status=status, enabled=True,
        created=now, modified=now, attributes=attributes,
    )
    check_free(ctx, pool, user, attributes, creating=True)
    if password is not None:
        _store_password(ctx, pool, user, password)
    if add is not None:
        add(user, user_key(pool, real_username))
        return user
    try:
        ctx.store.add_user(user, user_key(pool, real_username))
    except Conflict:  # found taken after the checks above: another process won the race
        raise UsernameExistsException("User already exists") from None
    return user


def _store_password(ctx: Context, pool: Pool, user: User, password: NewPassword) -> None:
    """The bcrypt hash (password flows) and the SRP verifier (USER_SRP_AUTH), never the password."""
    user.password_hash = password.hashed
    user.extra["srp"] = make_verifier(pool.id, user.username, password.text)
    user.password_set = ctx.now()


def set_password(ctx: Context, pool: Pool, user: User, password: NewPassword, *, status: str) -> None:
    check_policy(password_policy(pool), password.text)
    _store_password(ctx, pool, user, password)
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


def update_attributes(ctx: Context, pool: Pool, user: User, updates: dict[str, str]) -> list[str]:
    """Write attributes the way Cognito does; returns the contact attributes (email,
    phone_number) that now want a verification code.

    A changed contact becomes unverified unless the caller marks it verified. When the
    pool lists it in AttributesRequireVerificationBeforeUpdate, the old value stays
    (verified, usable for sign-in) and the new one waits in `pending` until verified."""
    updates = normalise(updates)
    check_values(pool, updates, creating=False)
    auto = pool.config.get("AutoVerifiedAttributes") or []
    hold = (pool.config.get("UserAttributeUpdateSettings") or {}).get(
        "AttributesRequireVerificationBeforeUpdate") or []
    pending = dict(user.extra.get("pending") or {})
    to_verify: list[str] = []
    for name, flag in CONTACTS:
        if name not in updates:
            # Marking the contact verified (an admin's call) accepts its pending value.
            if updates.get(flag) == "true" and name in pending:
                updates[name] = pending.pop(name)
            continue
        pending.pop(name, None)  # a later write of the contact abandons a pending one
        if updates[name] == user.attributes.get(name) or updates.get(flag) == "true":
            continue
        if name in hold and name in auto and user.attributes.get(flag) == "true":
            pending[name] = updates.pop(name)
            updates.pop(flag, None)
        else:
            updates[flag] = "false"
        if name in auto:
            to_verify.append(name)
    merged = {**user.attributes, **updates}
    check_required(pool, merged)
    check_free(ctx, pool, user, merged, creating=False)
    user.attributes = merged
    for name, flag in CONTACTS:
        if updates.get(flag) == "true":
            claim_alias(ctx, pool, user, name, force=False)
    user.extra["pending"] = pending
    return to_verify


def verify_contact(ctx: Context, pool: Pool, user: User, attribute: str, *, force: bool = False) -> None:
    """Mark email or phone_number verified, applying a pending update first."""
    pending = dict(user.extra.get("pending") or {})
    if attribute in pending:
        user.attributes[attribute] = pending.pop(attribute)
        user.extra["pending"] = pending
    user.attributes[f"{attribute}_verified"] = "true"
    claim_alias(ctx, pool, user, attribute, force=force)


def delete_attributes(pool: Pool, user: User, names: list[str]) -> None:
    check_deletable(pool, names)
    remaining = {k: v for k, v in user.attributes.items() if k not in names}
    check_required(pool, remaining)
    user.attributes = remaining


def admin_user_wire(pool: Pool, user: User) -> dict[str, Any]:
    """AdminGetUserResponse."""
    return {
        "Username": user.username,
        "UserAttributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
        **mfa.user_wire(pool, user),
    }
