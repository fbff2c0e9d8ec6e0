"""SQLite connections, one per thread, and units of work on them.

API calls run on the event loop's thread today (measured: worker threads cost more than
they gained), but nothing here assumes it: any thread gets its own connection, reads
need no lock (WAL readers never block), and a unit of work opened with `request()`
starts its write transaction lazily, at its first write, so the expensive part of a
call (hashing a password, signing tokens) never holds the writer lock. One writer at a
time per process (a lock, so threads queue instead of sleeping in SQLite's busy
handler); other processes wait on SQLite's own lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")


class _ThreadState(threading.local):
    conn: sqlite3.Connection | None = None
    wrapper: Conn | None = None
    generation = -1
    depth = 0  # 0: no transaction open; 1: BEGIN; more: savepoints inside it
    lazy = False  # inside request(): begin at the first write


class Conn:
    """What store code calls `self.db`: execute() as sqlite3's, starting the unit of
    work's transaction when a write comes."""

    def __init__(self, owner: Connections, raw: sqlite3.Connection) -> None:
        self._owner = owner
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        state = self._owner.state
        if state.lazy and not state.depth and sql.lstrip()[:7].upper().startswith(_WRITES):
            self._owner.begin()
        return self.raw.execute(sql, params)


class Connections:
    def __init__(self, path: Path, synchronous: str) -> None:
        self.path = path
        self.synchronous = synchronous
        self.state = _ThreadState()
        self._writer = threading.RLock()
        self._generation = 0
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def conn(self) -> Conn:
        state = self.state
        if state.wrapper is None or state.generation != self._generation:
            if state.conn is not None:
                state.conn.close()
            state.conn = self._connect()
            state.wrapper = Conn(self, state.conn)
            state.generation = self._generation
            state.depth = 0
        return state.wrapper

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._all_lock:
            self._all.append(conn)
        return conn

    def close_all(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self.state.conn = None
        self.state.wrapper = None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No writer in this process meanwhile; afterwards every thread reconnects (reset)."""
        with self._writer:
            yield
            self._generation += 1

    # -- transactions -------------------------------------------------------------------

    def begin(self) -> None:
        self._writer.acquire()
        try:
            self.conn().raw.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._writer.release()
            raise
        self.state.depth = 1

    def _finish(self, commit: bool) -> None:
        try:
            self.conn().raw.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self.state.depth = 0
            self._writer.release()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An atomic unit. Nested, it is a savepoint: an exception undoes just the nested
        part, and the outer transaction decides for the rest."""
        state = self.state
        if not state.depth:
            self.begin()
            try:
                yield
            except BaseException:
                self._finish(False)
                raise
            self._finish(True)
            return
        name = f"sp{state.depth}"
        raw = self.conn().raw
        raw.execute(f"SAVEPOINT {name}")
        state.depth += 1
        try:
            yield
        except BaseException:
            raw.execute(f"ROLLBACK TO {name}")
            raise
        finally:
            state.depth -= 1
            raw.execute(f"RELEASE {name}")

    @contextmanager
    def request(self, keep: type[BaseException]) -> Iterator[None]:
        """One API call: its writes commit once, together. An exception of type `keep`
        (a Cognito error: a business outcome) still commits what was written before it
        (failed-attempt counters, spent challenges); anything else rolls back."""
        state = self.state
        state.lazy = True
        try:
            yield
        except keep:
            if state.depth:
                self._finish(True)
            raise
        except BaseException:
            if state.depth:
                self._finish(False)
            raise
        else:
            if state.depth:
                self._finish(True)
        finally:
            state.lazy = False
