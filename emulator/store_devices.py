"""The store's devices table (a user's tracked and remembered devices, devices.py). A
mixin of Store (store.py), which holds the schema (migration _m10_devices) and the
connection."""

from __future__ import annotations

from typing import Any

from .records import Device
from .sqlconn import Conn

_COLUMNS = ("device_key", "pool_id", "sub", "group_key", "salt", "verifier", "name", "status", "confirmed",
            "created", "modified", "last_auth", "last_ip")


def _device(row: tuple[Any, ...]) -> Device:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["confirmed"] = bool(values["confirmed"])
    return Device(**values)


class DeviceTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    def add_device(self, d: Device) -> None:
        self.db.insert(f"INSERT INTO devices ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
                       _values(d))

    def put_device(self, d: Device) -> None:
        sets = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
        self.db.execute(f"UPDATE devices SET {sets} WHERE device_key = ?", (*_values(d)[1:], d.device_key))

    def get_device(self, pool_id: str, sub: str, device_key: str) -> Device | None:
        """The user's device of that key (another user's is none of theirs)."""
        row = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM devices WHERE device_key = ? AND pool_id = ?"
                              " AND sub = ?", (device_key, pool_id, sub)).fetchone()
        return None if row is None else _device(row)

    def list_devices(self, pool_id: str, sub: str, after: str, limit: int) -> list[Device]:
        """The user's confirmed devices, by key, after `after`."""
        rows = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM devices WHERE pool_id = ? AND sub = ? AND confirmed = 1"
            " AND device_key > ? ORDER BY device_key LIMIT ?", (pool_id, sub, after, limit)).fetchall()
        return [_device(r) for r in rows]

    def delete_device(self, device_key: str) -> None:
        self.db.execute("DELETE FROM devices WHERE device_key = ?", (device_key,))


def _values(d: Device) -> tuple[Any, ...]:
    return (d.device_key, d.pool_id, d.sub, d.group_key, d.salt, d.verifier, d.name, d.status, int(d.confirmed),
            d.created, d.modified, d.last_auth, d.last_ip)


__all__ = ["DeviceTables"]
