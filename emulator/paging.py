"""Opaque pagination tokens: the last key of the page, base64-wrapped. A key is a string
(a name, a username key) or a (value, username key) pair for a listing in value order.
Keys name a position, not a row, so a token stays valid while rows come and go."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from .errors import InvalidParameterException

Key = str | tuple[str, str]


def encode(last_key: Key) -> str:
    body = {"k": last_key} if isinstance(last_key, str) else {"k": last_key[1], "v": last_key[0]}
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


def decode(token: str | None) -> str:
    """The string key of a token ("" without one)."""
    if not token:
        return ""
    return decode_key(token)[1]


def decode_pair(token: str | None) -> Key:
    """The key of a token that may hold a (value, key) pair ("" without a token)."""
    if not token:
        return ""
    value, key = decode_key(token)
    return key if value is None else (value, key)


def decode_key(token: str) -> tuple[str | None, str]:
    """(value or None, key) from a token; InvalidParameterException if it is not ours."""
    try:
        # Strict UTF-8 (json.loads alone would read UTF-16 too), and a key SQLite can
        # take: a tampered token may decode to a lone surrogate or to deep nesting.
        body = json.loads(base64.urlsafe_b64decode(token.encode()).decode("utf-8"))
        key, value = body["k"], body.get("v")
        if not isinstance(key, str) or not isinstance(value, str | None):
            raise TypeError("not a key")
        key.encode("utf-8")
        (value or "").encode("utf-8")
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # UnicodeError is a ValueError; AttributeError: a body that is not an object.
        raise InvalidParameterException("Invalid pagination token.") from None
    return value, key


def listing(keys_and_items: Sequence[tuple[Key, Any]], limit: int, key: str, wire: Callable[[Any], Any],
            token_name: str = "NextToken") -> dict[str, Any]:
    """A list action's response from a fetch of limit+1 (key, item) rows: the page under
    `key`, and the token for the next page when there is one."""
    items, token = page(keys_and_items, limit)
    out: dict[str, Any] = {key: [wire(i) for i in items]}
    if token:
        out[token_name] = token
    return out


def page(keys_and_items: Sequence[tuple[Key, Any]], limit: int) -> tuple[list[Any], str | None]:
    """Split a fetch of limit+1 rows into (items, next token)."""
    items = keys_and_items[:limit]
    more = len(keys_and_items) > limit
    return [i for _, i in items], (encode(items[-1][0]) if more and items else None)
