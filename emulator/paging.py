"""Opaque pagination tokens: the last key of the page, base64-wrapped."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from .errors import InvalidParameterException


def encode(last_key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": last_key}).encode()).decode()


def decode(token: str | None) -> str:
    if not token:
        return ""
    try:
        # Strict UTF-8 (json.loads alone would read UTF-16 too), and a key SQLite can
        # take: a tampered token may decode to a lone surrogate or to deep nesting.
        value = json.loads(base64.urlsafe_b64decode(token.encode()).decode("utf-8"))["k"]
        if not isinstance(value, str):
            raise TypeError("not a key")
        value.encode("utf-8")
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError):  # UnicodeError is a ValueError
        raise InvalidParameterException("Invalid pagination token.") from None
    return value


def listing(keys_and_items: list[tuple[str, Any]], limit: int, key: str, wire: Callable[[Any], Any],
            token_name: str = "NextToken") -> dict[str, Any]:
    """A list action's response from a fetch of limit+1 (key, item) rows: the page under
    `key`, and the token for the next page when there is one."""
    items, token = page(keys_and_items, limit)
    out: dict[str, Any] = {key: [wire(i) for i in items]}
    if token:
        out[token_name] = token
    return out


def page(keys_and_items: list[tuple[str, Any]], limit: int) -> tuple[list[Any], str | None]:
    """Split a fetch of limit+1 rows into (items, next token)."""
    items = keys_and_items[:limit]
    more = len(keys_and_items) > limit
    return [i for _, i in items], (encode(items[-1][0]) if more and items else None)
