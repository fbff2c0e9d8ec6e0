"""ListUsers' Filter: parsing `<attribute> = "<value>"` / `<attribute> ^= "<value>"` into
a UserQuery the store answers from an index, with Cognito's case rules.

Every searchable attribute maps to one indexed SQL expression (the indexes are made by
store migration 6), so a search costs the same in a pool of a thousand users as in one of
a million. Results come in ascending order of the searched attribute, then of the
username (Cognito's guide: results are sorted by the attribute searched); without a
filter, in username order."""

from __future__ import annotations

import re

from .errors import InvalidParameterException
from .lookup import user_key
from .records import Pool
from .store import UserQuery

_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')

# attribute -> (indexed SQL expression, how a searched value is folded to match it).
# email and preferred_username are stored lower-cased: they search case-insensitively,
# as they sign in; cognito:user_status is upper-case and searched case-insensitively.
_EXACT = None
SEARCHABLE: dict[str, tuple[str, str | None]] = {
    "username": ("ukey", "username"),
    "email": ("email", "lower"),
    "phone_number": ("phone_number", _EXACT),
    "preferred_username": ("preferred_username", "lower"),
    "name": ("name", _EXACT),
    "given_name": ("given_name", _EXACT),
    "family_name": ("family_name", _EXACT),
    "cognito:user_status": ("status", "upper"),
    "status": ("enabled", "status"),
    "sub": ("sub", _EXACT),
}


def parse(pool: Pool, text: str | None) -> UserQuery:
    """The query for a ListUsers Filter (empty or absent: every user, by username)."""
    if not text or not text.strip():
        return UserQuery()
    match = _FILTER.match(text)
    if not match:
        raise InvalidParameterException("Error while parsing filter.")
    name, op, raw = match.groups()
    if name not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    column, fold = SEARCHABLE[name]
    value = re.sub(r"\\(.)", r"\1", raw)
    if fold == "status":
        if op != "=" or value not in ("Enabled", "Disabled"):
            return UserQuery(nothing=True)
        return UserQuery(column=column, equals=1 if value == "Enabled" else 0)
    if fold == "username":
        value = user_key(pool, value)
    elif fold == "lower":
        value = value.lower()
    elif fold == "upper":
        value = value.upper()
    if op == "=":
        return UserQuery(column=column, equals=value)
    return UserQuery(column=column, prefix=value)
