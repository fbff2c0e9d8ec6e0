"""Reading a snapshot document as it arrives, one row at a time: an incremental reader
of its JSON shape (`{"format": ..., "schemaVersion": ..., "tables": {"<table>": [rows]},
"keys": {...}}`, members in any order), so that an import never holds the whole
document, only the value being read (at most MAX_VALUE characters)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_VALUE = 64 * 1024 * 1024  # the largest single row or top-level member, in characters
_WS = " \t\n\r"


class Broken(ValueError):
    """The text is not a snapshot document."""


class _More(Exception):
    """The buffer ends before the next token does."""


class Reader:
    """feed() text as it arrives; `on_table(name)` when a table opens, `on_row(table, row)`
    for each of its rows, `on_member(name, value)` for each top-level member but tables."""

    def __init__(self, on_member: Callable[[str, Any], None], on_table: Callable[[str], None],
                 on_row: Callable[[str, Any], None]) -> None:
        self._on_member, self._on_table, self._on_row = on_member, on_table, on_row
        self._buf, self._pos, self._final = "", 0, False
        self._state = "start"
        self._table = ""
        self._decoder = json.JSONDecoder()

    def feed(self, text: str, final: bool = False) -> None:
        self._buf = self._buf[self._pos:] + text
        self._pos, self._final = 0, final
        try:
            while self._state != "done" or self._skip() < len(self._buf):
                step = getattr(self, "_" + self._state)
                step()
        except _More:
            if final:
                raise Broken("the document ends early") from None
            if len(self._buf) - self._pos > MAX_VALUE:
                raise Broken(f"a value longer than {MAX_VALUE} characters") from None

    # -- tokens -----------------------------------------------------------------------------

    def _skip(self) -> int:
        pos = self._pos
        while pos < len(self._buf) and self._buf[pos] in _WS:
            pos += 1
        return pos

    def _char(self, pos: int) -> tuple[str, int]:
        """The next non-blank character at or after pos, and the position after it."""
        while pos < len(self._buf) and self._buf[pos] in _WS:
            pos += 1
        if pos >= len(self._buf):
            raise _More
        return self._buf[pos], pos + 1

    def _value(self, pos: int) -> tuple[Any, int]:
        while pos < len(self._buf) and self._buf[pos] in _WS:
            pos += 1
        try:
            value, end = self._decoder.raw_decode(self._buf, pos)
        except json.JSONDecodeError as err:
            if self._final:
                raise Broken(f"not valid JSON: {err}") from None
            raise _More from None
        except RecursionError:
            raise Broken("nested too deeply") from None
        if not self._final and self._char_or_none(end) is None:
            raise _More  # a number may go on in the next piece
        return value, end

    def _char_or_none(self, pos: int) -> str | None:
        try:
            return self._char(pos)[0]
        except _More:
            return None

    def _expect(self, pos: int, wanted: str, what: str) -> int:
        char, pos = self._char(pos)
        if char not in wanted:
            raise Broken(f"expected {what} at {char!r}")
        return pos

    def _key(self, pos: int) -> tuple[str, int]:
        char, _ = self._char(pos)
        if char != '"':
            raise Broken(f"expected a member name at {char!r}")
        key, pos = self._value(pos)
        return key, self._expect(pos, ":", "':'")

    # -- states: each consumes input only when it completes --------------------------------

    def _start(self) -> None:
        self._pos = self._expect(self._pos, "{", "a JSON object")
        self._state = "first_member"

    def _first_member(self) -> None:
        char, after = self._char(self._pos)
        if char == "}":
            self._pos, self._state = after, "done"
        else:
            self._member()

    def _member(self) -> None:
        key, pos = self._key(self._pos)
        if key == "tables":
            self._pos, self._state = self._expect(pos, "{", "'tables' to be an object"), "first_table"
            return
        value, self._pos = self._value(pos)
        self._on_member(key, value)
        self._state = "after_member"

    def _after_member(self) -> None:
        char, self._pos = self._char(self._pos)
        if char not in ",}":
            raise Broken(f"expected ',' or '}}' at {char!r}")
        self._state = "member" if char == "," else "done"

    def _first_table(self) -> None:
        char, after = self._char(self._pos)
        if char == "}":
            self._pos, self._state = after, "after_member"
        else:
            self._table_start()

    def _table_start(self) -> None:
        name, pos = self._key(self._pos)
        char, pos = self._char(pos)
        self._on_table(name)
        if char != "[":
            raise Broken(f"table {name!r} must be a list of row objects")
        self._pos, self._table, self._state = pos, name, "first_row"

    def _first_row(self) -> None:
        char, after = self._char(self._pos)
        if char == "]":
            self._pos, self._state = after, "after_table"
        else:
            self._row()

    def _row(self) -> None:
        row, self._pos = self._value(self._pos)
        self._on_row(self._table, row)
        self._state = "after_row"

    def _after_row(self) -> None:
        char, self._pos = self._char(self._pos)
        if char not in ",]":
            raise Broken(f"expected ',' or ']' at {char!r}")
        self._state = "row" if char == "," else "after_table"

    def _after_table(self) -> None:
        char, self._pos = self._char(self._pos)
        if char not in ",}":
            raise Broken(f"expected ',' or '}}' at {char!r}")
        self._state = "table_start" if char == "," else "after_member"

    def _done(self) -> None:
        raise Broken("text after the document")
