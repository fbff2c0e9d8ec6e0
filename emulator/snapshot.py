"""The whole state as one JSON document (store rows and signing keys), and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import seed
from .api import Services

FORMAT = "cognito-emulator-snapshot"


def export_snapshot(services: Services) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schemaVersion": services.store.schema_version(),
        "tables": services.store.export_rows(),
        "keys": services.keys.export_pems(),
    }


def import_snapshot(services: Services, snapshot: Any) -> None:
    """Replace everything with the snapshot; a malformed one changes nothing (ValueError)."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise ValueError(f"not a snapshot: expected an object with format {FORMAT!r}")
    if snapshot.get("schemaVersion") != services.store.schema_version():
        raise ValueError(
            f"snapshot schema version {snapshot.get('schemaVersion')} does not match this "
            f"emulator's {services.store.schema_version()}"
        )
    tables, keys = snapshot.get("tables"), snapshot.get("keys", {})
    if not isinstance(tables, dict) or not isinstance(keys, dict):
        raise ValueError("snapshot 'tables' and 'keys' must be objects")
    if not all(isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in tables.values()):
        raise ValueError("each snapshot table must be a list of row objects")
    services.store.import_rows(tables)
    services.keys.import_pems(keys)


def reset(services: Services) -> None:
    """Empty all state; with a seed file, start again from the seeded state."""
    services.store.reset()
    services.keys.forget_all()
    if services.settings.seed:
        seed.apply(services, seed.load(Path(services.settings.seed)))
