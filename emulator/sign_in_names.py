"""Sign-in names beyond the username: UsernameAttributes (an email or phone number
*is* the sign-in name and the real username becomes a UUID), AliasAttributes (verified
email or phone, or preferred_username, sign in too) and the uniqueness rules of each."""

from __future__ import annotations

import re

from .api import Context
from .errors import AliasExistsException, InvalidParameterException, UsernameExistsException
from .lookup import user_key
from .records import Pool, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+[0-9]{1,15}$")
_LABEL = {"email": "email", "phone_number": "phone_number", "preferred_username": "preferred_username"}


def new_username(pool: Pool, username: str, attributes: dict[str, str], sub: str) -> str:
    """The username a new user gets; with UsernameAttributes the given name fills the
    email or phone_number attribute and the username is the user's sub."""
    sign_in = pool.config.get("UsernameAttributes") or []
    if not sign_in:
        aliases = pool.config.get("AliasAttributes") or []
        if "email" in aliases and EMAIL.match(username):
            raise InvalidParameterException(
                "Username cannot be of email format, since user pool is configured for email alias.")
        if "phone_number" in aliases and PHONE.match(username):
            raise InvalidParameterException(
                "Username cannot be of phone number format, since user pool is configured for phone number alias.")
        return username
    if "email" in sign_in and EMAIL.match(username):
        attributes["email"] = username
    elif "phone_number" in sign_in and PHONE.match(username):
        attributes["phone_number"] = username
    elif sign_in == ["email"]:
        raise InvalidParameterException("Username should be an email.")
    elif sign_in == ["phone_number"]:
        raise InvalidParameterException("Username should be a phone number.")
    else:
        raise InvalidParameterException("Username should be either an email or a phone number.")
    return sub


def check_free(ctx: Context, pool: Pool, user: User, values: dict[str, str], *, creating: bool) -> None:
    """UsernameAttributes are unique among all users; so is a preferred_username alias."""
    for attribute in pool.config.get("UsernameAttributes") or []:
        value = values.get(attribute)
        if value and _others(ctx, pool, user, attribute, value, verified_only=False):
            raise (UsernameExistsException if creating else AliasExistsException)(
                f"An account with the given {_LABEL[attribute]} already exists."
            )
    if "preferred_username" in (pool.config.get("AliasAttributes") or []):
        value = values.get("preferred_username")
        if value and _others(ctx, pool, user, "preferred_username", value, verified_only=False):
            raise (UsernameExistsException if creating else AliasExistsException)(
                "An account with the given preferred_username already exists.")


def claim_alias(ctx: Context, pool: Pool, user: User, attribute: str, force: bool) -> None:
    """Before `attribute` becomes verified on `user`: an email/phone alias belongs to one
    verified user; ForceAliasCreation moves it, else AliasExistsException."""
    if attribute not in (pool.config.get("AliasAttributes") or []):
        return
    value = user.attributes.get(attribute)
    if not value:
        return
    holders = _others(ctx, pool, user, attribute, value, verified_only=True)
    if holders and not force:
        raise AliasExistsException(f"An account with the {_LABEL[attribute].replace('_', ' ')} already exists.")
    for other in holders:
        other.attributes[f"{attribute}_verified"] = "false"
        other.modified = ctx.now()
        ctx.store.put_user(other, user_key(pool, other.username))


def _others(ctx: Context, pool: Pool, user: User, attribute: str, value: str,
            *, verified_only: bool) -> list[User]:
    return [
        u for u in ctx.store.find_users_by(pool.id, attribute, value)
        if u.sub != user.sub
        and (not verified_only or u.attributes.get(f"{attribute}_verified") == "true")
    ]
