"""The whole state as one JSON document (store rows and signing keys), written out as a
stream, and back; and reset. Replacing the state is all or nothing: the snapshot is checked whole
(snapshot_rules.py), the new database file and key files are built beside the old ones,
and only then swapped in (swap.py), so a refused snapshot changes nothing and a crash
leaves the old state or the new one."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import seed, snapshot_rules, snapshot_stream, swap
from .api import Services
from .store import DB_FILE

FORMAT = snapshot_rules.FORMAT


def export_snapshot(services: Services) -> dict[str, Any]:
    snapshot: dict[str, Any] = json.loads(b"".join(stream_snapshot(services)))
    return snapshot


def stream_snapshot(services: Services) -> Iterator[bytes]:
    """The snapshot document as it is written out, a few hundred rows at a time: memory
    stays bounded whatever the store's size (GET /_emulator/snapshot streams it)."""
    head = {"format": FORMAT, "schemaVersion": services.store.schema_version()}
    keys = services.keys.export_pems()
    yield _json(head)[:-1] + b',"tables":{'
    current: str | None = None
    empty = True
    for table, rows in services.store.export_stream():
        if table != current:
            yield (b"" if current is None else b"],") + _json(table) + b":["
            current, empty = table, True
        if rows:
            yield (b"" if empty else b",") + b",".join(_json(r) for r in rows)
            empty = False
    yield (b"" if current is None else b"]") + b'},"keys":' + _json(keys) + b"}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def import_snapshot(services: Services, snapshot: Any) -> None:
    """Replace everything with the snapshot (a parsed document); one found wrong anywhere
    (ValueError naming the problem) changes nothing."""
    incoming = Incoming(services)
    try:
        incoming.feed(json.dumps(snapshot).encode(), final=True)
    except BaseException:
        incoming.discard()
        raise
    incoming.swap_in()


class Incoming:
    """A snapshot arriving piece by piece (feed), built into the next state's database file
    beside the current one as it comes, each row checked as it is read; swap_in() checks
    the rows' rules and the keys, then replaces the state. Memory holds one row at a time.
    Any problem is a ValueError (snapshot_rules.Refused) and discard() leaves nothing."""

    def __init__(self, services: Services) -> None:
        self.services = services
        store = services.store
        self.version, self.columns = store.schema_version(), store.columns()
        settings = services.settings
        self.staging = swap.Staging(settings.data_dir, settings.keys_dir, DB_FILE)
        self.db = store.new_file(self.staging.db_path)
        self.head: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        self.text = codecs.getincrementaldecoder("utf-8")()
        self.reader = snapshot_stream.Reader(self._member, self._table, self._row)

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.reader.feed(self.text.decode(data, final), final)
        except UnicodeDecodeError:
            raise snapshot_rules.Refused("the snapshot is not UTF-8 text") from None
        except snapshot_stream.Broken as exc:
            raise snapshot_rules.Refused(f"not a snapshot: {exc}") from None

    def _member(self, name: str, value: Any) -> None:
        snapshot_rules.check_member(name, value, self.version)
        self.head[name] = value

    def _table(self, name: str) -> None:
        snapshot_rules.check_table(name, self.columns)
        if name in self.rows:
            raise snapshot_rules.Refused(f"table {name!r} appears twice")
        self.rows[name] = 0

    def _row(self, table: str, row: Any) -> None:
        snapshot_rules.check_columns(f"{table}[{self.rows[table]}]", row, table, self.columns)
        self.rows[table] += 1
        self.services.store.insert_row(self.db, table, row)

    def swap_in(self) -> None:
        """The whole document has been fed: check what needs all of it, then replace the state."""
        self.finish()
        self.swap()

    def finish(self) -> None:
        """Check what needs the whole document (slow for a large store: a worker thread's job)."""
        try:
            snapshot_rules.check_head(self.head, self.version)
            keys = self.head.get("keys", {})
            snapshot_rules.check_rows(self.db)
            snapshot_rules.check_keys(keys)
            self.db.execute("COMMIT")
            self.db.close()
            self.staging.write_keys(keys)
        except BaseException:
            self.discard()
            raise

    def swap(self) -> None:
        _swap(self.services, self.staging)

    def discard(self) -> None:
        self.db.close()
        self.staging.discard()


def reset(services: Services) -> None:
    """Empty all state; with a seed file, start again from the seeded state."""
    settings = services.settings
    staging = swap.Staging(settings.data_dir, settings.keys_dir, DB_FILE)
    try:
        db = services.store.new_file(staging.db_path)
        db.execute("COMMIT")
        db.close()
        staging.write_keys({})
    except BaseException:
        staging.discard()
        raise
    _swap(services, staging)
    if services.settings.seed:
        seed.apply(services, seed.load(Path(services.settings.seed)))


def _swap(services: Services, staging: swap.Staging) -> None:
    """Swap the built state in (swap.py): from the marker on, the new state wins."""
    settings = services.settings
    with services.store.offline(), services.keys.replacing():
        try:
            staging.commit()
        except BaseException:
            if not (settings.data_dir / swap.MARKER).exists():
                staging.discard()  # not committed: the old state stands
                raise
        # Committed: the new state wins. If a step fails here, the next start finishes it.
        aside = swap.roll_forward(settings.data_dir, settings.keys_dir)
    if aside is not None:
        swap.discard(aside)
