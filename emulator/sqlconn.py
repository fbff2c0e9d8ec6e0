"""SQLite connections, one per thread, and units of work on them.

API calls run on the event loop's thread (measured: worker threads cost more than they
gained), but nothing here assumes it: any thread gets its own connection, reads need no
lock (WAL readers never block), and a unit of work opened with `request()` starts its
write transaction lazily, at its first write. One writer at a time per process (a lock,
so threads queue instead of sleeping in SQLite's busy handler); other processes wait on
SQLite's own lock.

Group commit. With synchronous=FULL every COMMIT waits for an fsync, and measured, that
wait was the largest part of a write call. The JSON edge opens its units with
`grouped=True`: the first such unit to write opens a transaction on the thread's
connection (the group) and each grouped unit is a savepoint in it, released into the
group when the unit succeeds (or fails with a `keep` error), rolled back alone when it
fails otherwise. The caller commits the group with `flush_group()` once the units that
were ready together have run (the edge does it on the event loop's next turn), and no
caller answers before the group holding its writes has committed: `open_group()` hands
it the group to wait on. One fsync then covers every call in the group, and nothing is
acknowledged before it is durable. Anything else that opens a transaction on that
thread (hosted UI, reset, seeding) commits the open group first; so does `exclusive()`,
which a swap of the database file (swap.py) runs under.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")


def rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """A cursor's remaining rows as dicts keyed by column name (the store's record readers)."""
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


class _ThreadState(threading.local):
    conn: sqlite3.Connection | None = None
    wrapper: Conn | None = None
    generation = -1
    depth = 0  # 0: no transaction open; 1: BEGIN; more: savepoints inside it
    lazy = False  # inside request(): begin at the first write
    group: CommitGroup | None = None  # the open group transaction (depth 1), if any
    grouped = False  # inside request(grouped=True)
    unit_depth = 0  # the depth of the grouped unit's savepoint once it has begun, else 0


class CommitGroup:
    """A group transaction: its callers wait for `settle()`, which says whether it committed."""

    def __init__(self) -> None:
        self.members = 0
        self.scheduled = False  # the caller has arranged its flush
        self.error: BaseException | None = None
        self.settled = False
        self._callbacks: list[Callable[[CommitGroup], None]] = []

    def on_settled(self, callback: Callable[[CommitGroup], None]) -> None:
        if self.settled:
            callback(self)
        else:
            self._callbacks.append(callback)

    def settle(self, error: BaseException | None) -> None:
        self.error, self.settled = error, True
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)


class Conflict(Exception):
    """An INSERT found its key (or another unique column) taken: nothing was written."""


class Conn:
    """What store code calls `self.db`: execute() as sqlite3's, starting the unit of
    work's transaction when a write comes."""

    def __init__(self, owner: Connections, raw: sqlite3.Connection) -> None:
        self._owner = owner
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        state = self._owner.state
        if (state.lazy and not (state.unit_depth if state.grouped else state.depth)
                and sql.lstrip()[:7].upper().startswith(_WRITES)):
            self._owner.begin()
        return self.raw.execute(sql, params)

    def insert(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """A plain INSERT whose clash with an existing row is a Conflict, not a replace."""
        try:
            return self.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" not in str(exc):  # NOT NULL and the like: a bug, not a clash
                raise
            raise Conflict(str(exc)) from None


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
        if state.group is not None and not state.grouped:
            # Anything on this thread outside a grouped unit (hosted UI, the control and
            # well-known endpoints) neither reads nor writes around an uncommitted group.
            self.flush_group()
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
        self.flush_group()
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self.state.conn = None
        self.state.wrapper = None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No writer in this process meanwhile; afterwards every thread reconnects (the
        database file may have been replaced: snapshot import, reset)."""
        self.flush_group()
        with self._writer:
            try:
                yield
            finally:
                self._generation += 1

    # -- transactions -------------------------------------------------------------------

    def begin(self) -> None:
        """Start writing: a transaction, or in a grouped unit the unit's savepoint (and
        the group first, if none is open)."""
        state = self.state
        if state.grouped:
            if state.group is None:
                self._open(CommitGroup())
            self.conn().raw.execute("SAVEPOINT unit")
            state.depth = state.unit_depth = 2
            return
        self.flush_group()
        self._open(None)

    def _open(self, group: CommitGroup | None) -> None:
        self._writer.acquire()
        try:
            self.conn().raw.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._writer.release()
            raise
        self.state.depth = 1
        self.state.group = group

    def _finish(self, commit: bool) -> None:
        try:
            raw = self.conn().raw
            try:
                raw.execute("COMMIT" if commit else "ROLLBACK")
            except sqlite3.Error:
                if raw.in_transaction:  # a COMMIT that failed can leave the transaction open
                    try:
                        raw.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
        finally:
            self.state.depth = 0
            self._writer.release()

    def open_group(self) -> CommitGroup | None:
        """The group this thread's grouped units wrote into, until it is flushed."""
        return self.state.group

    def flush_group(self) -> None:
        """Commit this thread's open group (one fsync for all of it) and tell its waiters;
        if the COMMIT fails, everything in the group is rolled back and they are told so."""
        state = self.state
        group = state.group
        if group is None or state.grouped or state.depth != 1:
            return  # no group, or called from inside a grouped unit: it is flushed afterwards
        state.group = None
        error: BaseException | None = None
        try:
            self._finish(True)  # rolls back what a failed COMMIT left
        except sqlite3.Error as exc:
            error = exc
        group.settle(error)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An atomic unit. Nested, it is a savepoint: an exception undoes just the nested
        part, and the outer transaction decides for the rest."""
        state = self.state
        if state.grouped and not state.unit_depth:
            self.begin()  # a grouped unit's first write: its savepoint holds this one
        elif not state.grouped and state.group is not None:
            self.flush_group()
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

    def start_unit(self, grouped: bool) -> None:
        """Open one unit of work on this thread: its write transaction (or, grouped, its
        savepoint in the thread's group) begins at its first write. One unit at a time
        per thread: the call runner never lets a unit span an await."""
        state = self.state
        if state.lazy:
            raise RuntimeError("a unit of work is already open on this thread")
        if not grouped:
            self.flush_group()
        state.lazy, state.grouped = True, grouped

    def end_unit(self, keep: bool) -> None:
        """Close the open unit: keep (commit, or release into the group) or roll back."""
        state = self.state
        try:
            self._end_unit(keep)
        finally:
            state.lazy, state.grouped, state.unit_depth = False, False, 0

    @contextmanager
    def request(self, keep: type[BaseException], grouped: bool = False) -> Iterator[None]:
        """One unit of work as a block: its writes commit once, together. An exception
        of type `keep` (a Cognito error: a business outcome) still commits what was
        written before it (failed-attempt counters, spent challenges); anything else
        rolls back.

        grouped: the writes go into the thread's group (see the module's docstring); the
        caller must not answer before `open_group()`'s group has settled."""
        self.start_unit(grouped)
        try:
            yield
        except keep:
            self.end_unit(True)
            raise
        except BaseException:
            self.end_unit(False)
            raise
        else:
            self.end_unit(True)

    def _end_unit(self, keep: bool) -> None:
        state = self.state
        if state.grouped:
            if state.unit_depth:
                raw = self.conn().raw
                try:
                    if not keep:
                        raw.execute("ROLLBACK TO unit")
                    raw.execute("RELEASE unit")
                except sqlite3.Error as exc:
                    self._abandon_group(exc)  # SQLite may have rolled the whole group back
                    raise
                state.depth = 1
                if keep and state.group is not None:
                    state.group.members += 1
        elif state.depth:
            self._finish(keep)

    def _abandon_group(self, error: BaseException) -> None:
        state = self.state
        group, state.group = state.group, None
        try:
            if self.conn().raw.in_transaction:
                self.conn().raw.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        finally:
            state.depth = state.unit_depth = 0
            self._writer.release()
        if group is not None:
            group.settle(error)
