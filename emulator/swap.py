"""Replacing the whole state on disk (the store's database file and the signing keys) so
that a crash at any point leaves all of the old state or all of the new, never a mix.

The new state is built beside the old: a complete database file in
`<data>/.staged-store-<id>/` and the key files in `<keys>/.staged-keys-<id>/`, all
fsynced. One atomic step then decides: `<data>/.swap.json`, written under another name,
fsynced and renamed into place, names the staging id and the new key set. From there the
swap only rolls forward: the old database file and its journals are renamed aside into
`<data>/.discarded-store-<id>/`, the new file is renamed into place, key files not in the
set are removed and the new ones renamed in, then the marker goes, then the staging
directories. Each step can be done again, so `recover()` (run before the store opens)
finishes a swap that a crash interrupted, and removes staging that never got its marker.

The old files are deleted by `discard()` on a thread of its own once the swap is done:
deleting a file takes time in proportion to its size (~0.3 s for a GB here), renaming
does not, so a reset costs the same whatever the store held. What a process did not get
to delete, `recover()` deletes at the next start.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from pathlib import Path

MARKER = ".swap.json"
_STORE_PREFIX, _KEYS_PREFIX, _ASIDE_PREFIX = ".staged-store-", ".staged-keys-", ".discarded-store-"


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


def roll_forward(data_dir: Path, keys_dir: Path) -> Path | None:
    """Finish the swap the marker names, if there is one (every step may be repeated).
    The store's connections must be closed. Returns the folder the old database was set
    aside in, for `discard()`; None if there was no swap to finish."""
    marker = data_dir / MARKER
    try:
        plan = json.loads(marker.read_text())
    except FileNotFoundError:
        return None
    staged_store, staged_keys = data_dir / f"{_STORE_PREFIX}{plan['id']}", keys_dir / f"{_KEYS_PREFIX}{plan['id']}"
    aside = data_dir / f"{_ASIDE_PREFIX}{plan['id']}"
    if (staged_store / plan["db"]).exists():
        _set_aside(data_dir / plan["db"], aside)
        os.replace(staged_store / plan["db"], data_dir / plan["db"])
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
    return aside


def _set_aside(db: Path, aside: Path) -> None:
    """The old database file out of the way by renames only. Its journals go first: the
    old file's journal must never meet the new file, it would be replayed into it."""
    aside.mkdir(exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal", ""):
        try:
            os.replace(f"{db}{suffix}", aside / f"{db.name}{suffix}")
        except FileNotFoundError:
            pass


def discard(aside: Path) -> threading.Thread:
    """Delete what a swap set aside, on a thread of its own: the caller does not wait; a
    process that ends normally does (not a daemon thread), so the CLI's import leaves
    nothing behind either."""
    thread = threading.Thread(target=shutil.rmtree, args=(aside, True), name="discard-old-state")
    thread.start()
    return thread


def recover(data_dir: Path, keys_dir: Path) -> None:
    """At start-up, before the store opens: finish an interrupted swap, or drop what was
    staged for one that never committed, and delete old files a swap set aside."""
    if data_dir.is_dir():
        roll_forward(data_dir, keys_dir)
        _remove_staging(data_dir, keys_dir)
        for aside in data_dir.glob(f"{_ASIDE_PREFIX}*"):  # old files a process did not get to delete
            shutil.rmtree(aside, ignore_errors=True)


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
