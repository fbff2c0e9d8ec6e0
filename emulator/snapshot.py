"""The whole state as one JSON document (store rows and signing keys), written out as a
stream, and back; and reset. Replacing the state is all or nothing: the snapshot is checked whole
(snapshot_rules.py), the new database file and key files are built beside the old ones,
and only then swapped in (swap.py), so a refused snapshot changes nothing and a crash
leaves the old state or the new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import seed, snapshot_rules, swap
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
    """Replace everything with the snapshot; one found wrong anywhere (ValueError naming
    the problem) changes nothing."""
    store = services.store
    tables, keys = snapshot_rules.check(snapshot, store.schema_version(), store.columns())
    replace_state(services, tables, keys)


def reset(services: Services) -> None:
    """Empty all state; with a seed file, start again from the seeded state."""
    replace_state(services, {}, {})
    if services.settings.seed:
        seed.apply(services, seed.load(Path(services.settings.seed)))


def replace_state(services: Services, tables: dict[str, list[dict[str, Any]]], keys: dict[str, str]) -> None:
    """Build the new store file and key files beside the old ones, then swap them in."""
    settings = services.settings
    staging = swap.Staging(settings.data_dir, settings.keys_dir, DB_FILE)
    try:
        services.store.write_file(staging.db_path, tables)
        staging.write_keys(keys)
    except BaseException:
        staging.discard()
        raise
    with services.store.offline(), services.keys.replacing():
        try:
            staging.commit()
        except BaseException:
            if not (settings.data_dir / swap.MARKER).exists():
                staging.discard()  # not committed: the old state stands
                raise
        # Committed: the new state wins. If a step fails here, the next start finishes it.
        swap.roll_forward(settings.data_dir, settings.keys_dir)
