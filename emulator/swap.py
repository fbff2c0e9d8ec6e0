"""Replacing the whole state on disk (the store's database file and the signing keys) so
that a crash at any point leaves all of the old state or all of the new, never a mix.

The new state is built beside the old: a complete database file in
`<data>/.staged-store-<id>/` and the key files in `<keys>/.staged-keys-<id>/`, all
fsynced. One atomic step then decides: `<data>/.swap.json`, written under another name,
fsynced and renamed into place, names the staging id and the new key set. From there the
swap only rolls forward: the database file is renamed over the old one, key files not in
the set are removed and the new ones renamed in, then the marker goes, then the staging
directories. Each step can be done again, so `recover()` (run before the store opens)
finishes a swap that a crash interrupted, and removes staging that never got its marker.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

MARKER = ".swap.json"
_STORE_PREFIX, _KEYS_PREFIX = ".staged-store-", ".staged-keys-"


class Staging:
    """Where the new state is built; `commit()` is the point after which it wins."""

    def __init__(self, data_dir: Path, keys_dir: Path, db_file: str) -> None:
        self.id = secrets.token_hex(8)
        self.data_dir, self.keys_dir, self.db_file = data_dir, keys_dir, db_file
        self.store_dir = data_dir / f"{_STORE_PREFIX}{self.id}"
        self.key_dir = keys_dir / f"{_KEYS_PREFIX}{self.id}"
        self.keys: list[str] = []
        for folder in (self.store_dir, self.key_dir):
            folder.mkdir(parents=True)

    @property
    def db_path(self) -> Path:
        return self.store_dir / self.db_file

    def write_keys(self, pems: dict[str, str]) -> None:
        for pool_id, pem in pems.items():
            fd = os.open(self.key_dir / f"{pool_id}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
        self.keys = sorted(pems)

    def commit(self) -> None:
        """Make the staged state durable, then the marker: from here on the new state wins."""
        if self.db_path.exists():
            _fsync_file(self.db_path)
        _fsync_dir(self.store_dir)
        _fsync_dir(self.key_dir)
        tmp = self.data_dir / f"{MARKER}.{self.id}.tmp"
        with open(tmp, "w") as fh:
            json.dump({"id": self.id, "db": self.db_file, "keys": self.keys}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.data_dir / MARKER)
        _fsync_dir(self.data_dir)

    def discard(self) -> None:
        shutil.rmtree(self.store_dir, ignore_errors=True)
        shutil.rmtree(self.key_dir, ignore_errors=True)
        (self.data_dir / f"{MARKER}.{self.id}.tmp").unlink(missing_ok=True)


def roll_forward(data_dir: Path, keys_dir: Path) -> bool:
    """Finish the swap the marker names, if there is one (every step may be repeated).
    The store's connections must be closed. True if a swap was finished."""
    marker = data_dir / MARKER
    try:
        plan = json.loads(marker.read_text())
    except FileNotFoundError:
        return False
    staged_store, staged_keys = data_dir / f"{_STORE_PREFIX}{plan['id']}", keys_dir / f"{_KEYS_PREFIX}{plan['id']}"
    db = data_dir / plan["db"]
    if (staged_store / plan["db"]).exists():
        # The old file's journal must not meet the new file: it would be replayed into it.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.replace(staged_store / plan["db"], db)
        _fsync_dir(data_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(plan["keys"])
    for old in keys_dir.glob("*.pem"):
        if old.stem not in wanted:
            old.unlink(missing_ok=True)
    for pool_id in plan["keys"]:
        if (staged_keys / f"{pool_id}.pem").exists():
            os.replace(staged_keys / f"{pool_id}.pem", keys_dir / f"{pool_id}.pem")
    _fsync_dir(keys_dir)
    marker.unlink()
    _fsync_dir(data_dir)
    _remove_staging(data_dir, keys_dir)
    return True


def recover(data_dir: Path, keys_dir: Path) -> None:
    """At start-up, before the store opens: finish an interrupted swap, or drop what was
    staged for one that never committed."""
    if data_dir.is_dir():
        roll_forward(data_dir, keys_dir)
        _remove_staging(data_dir, keys_dir)


def _remove_staging(data_dir: Path, keys_dir: Path) -> None:
    for folder, prefix in ((data_dir, _STORE_PREFIX), (keys_dir, _KEYS_PREFIX)):
        if folder.is_dir():
            for leftover in folder.glob(f"{prefix}*"):
                shutil.rmtree(leftover, ignore_errors=True)
    if data_dir.is_dir():
        for tmp in data_dir.glob(f"{MARKER}.*.tmp"):
            tmp.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """A rename or a new file is durable once its directory is."""
    _fsync_file(path)
