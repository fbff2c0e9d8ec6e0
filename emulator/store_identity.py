"""The store's tables for identity pools (cognito-identity): the pools, their identities,
and the logins linked to each identity. A mixin of Store (store.py), which holds the
schema (migration _m6_identity_pools) and the connection.

A login is (provider, subject): a user pool's provider name and the user's sub, a
developer provider's name and the developer's user identifier, or the like. One login
belongs to one identity of a pool; an identity with no login is a guest's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .sqlconn import Conn
from .sqlconn import rows as _rows


@dataclass
class IdentityPool:
    id: str
    name: str
    created: float
    modified: float
    # The members of the IdentityPool shape but Id and Name, plus the emulator's own
    # "_Roles", "_RoleMappings" (SetIdentityPoolRoles) and "_PrincipalTags"
    # ({provider: {"UseDefaults", "PrincipalTags"}}).
    config: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        own = {k: v for k, v in self.config.items() if not k.startswith("_")}
        return {"IdentityPoolId": self.id, "IdentityPoolName": self.name, **own}


@dataclass
class Identity:
    id: str
    pool_id: str
    created: float
    modified: float


class IdentityTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    # -- identity pools ------------------------------------------------------------------

    def add_identity_pool(self, p: IdentityPool) -> None:
        self.db.insert("INSERT INTO identity_pools (id, name, created, modified, config) VALUES (?, ?, ?, ?, ?)",
                       (p.id, p.name, p.created, p.modified, json.dumps(p.config)))

    def put_identity_pool(self, p: IdentityPool) -> None:
        """Save an existing identity pool (one that is not there is not created)."""
        self.db.execute("UPDATE identity_pools SET name = ?, modified = ?, config = ? WHERE id = ?",
                        (p.name, p.modified, json.dumps(p.config), p.id))

    def get_identity_pool(self, pool_id: str) -> IdentityPool | None:
        found = _rows(self.db.execute("SELECT * FROM identity_pools WHERE id = ?", (pool_id,)))
        return _identity_pool(found[0]) if found else None

    def list_identity_pools(self, after: str, limit: int, region: str | None = None) -> list[IdentityPool]:
        """Identity pools by id after `after`; with `region`, only that region's."""
        prefix = "" if region is None else region + ":"
        rows = _rows(self.db.execute(
            "SELECT * FROM identity_pools WHERE id > ? AND substr(id, 1, ?) = ? ORDER BY id LIMIT ?",
            (after, len(prefix), prefix, limit)))
        return [_identity_pool(r) for r in rows]

    def delete_identity_pool(self, pool_id: str) -> None:
        self.db.execute("DELETE FROM identity_logins WHERE identity_pool_id = ?", (pool_id,))
        self.db.execute("DELETE FROM identities WHERE identity_pool_id = ?", (pool_id,))
        self.db.execute("DELETE FROM identity_pools WHERE id = ?", (pool_id,))

    # -- identities ------------------------------------------------------------------------

    def add_identity(self, i: Identity) -> None:
        self.db.insert("INSERT INTO identities (id, identity_pool_id, created, modified) VALUES (?, ?, ?, ?)",
                       (i.id, i.pool_id, i.created, i.modified))

    def touch_identity(self, identity_id: str, at: float) -> None:
        self.db.execute("UPDATE identities SET modified = ? WHERE id = ?", (at, identity_id))

    def get_identity(self, identity_id: str) -> Identity | None:
        found = _rows(self.db.execute("SELECT * FROM identities WHERE id = ?", (identity_id,)))
        return _identity(found[0]) if found else None

    def list_identities(self, pool_id: str, after: str, limit: int) -> list[Identity]:
        rows = _rows(self.db.execute(
            "SELECT * FROM identities WHERE identity_pool_id = ? AND id > ? ORDER BY id LIMIT ?",
            (pool_id, after, limit)))
        return [_identity(r) for r in rows]

    def delete_identity(self, identity_id: str) -> bool:
        self.db.execute("DELETE FROM identity_logins WHERE identity_id = ?", (identity_id,))
        return self.db.execute("DELETE FROM identities WHERE id = ?", (identity_id,)).rowcount == 1

    # -- logins ----------------------------------------------------------------------------

    def identity_of_login(self, pool_id: str, provider: str, subject: str) -> str | None:
        row = self.db.execute(
            "SELECT identity_id FROM identity_logins WHERE identity_pool_id = ? AND provider = ? AND subject = ?",
            (pool_id, provider, subject)).fetchone()
        return None if row is None else str(row[0])

    def logins_of(self, identity_id: str) -> list[tuple[str, str]]:
        """(provider, subject) of every login linked to the identity, by provider."""
        rows = self.db.execute(
            "SELECT provider, subject FROM identity_logins WHERE identity_id = ? ORDER BY provider, subject",
            (identity_id,)).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def link_login(self, pool_id: str, provider: str, subject: str, identity_id: str) -> None:
        """Link the login to the identity (moving it from whichever identity had it)."""
        self.db.execute(
            "INSERT INTO identity_logins (identity_pool_id, provider, subject, identity_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (identity_pool_id, provider, subject) DO UPDATE SET identity_id = excluded.identity_id",
            (pool_id, provider, subject, identity_id))

    def unlink_login(self, pool_id: str, provider: str, subject: str, identity_id: str) -> bool:
        return self.db.execute(
            "DELETE FROM identity_logins WHERE identity_pool_id = ? AND provider = ? AND subject = ?"
            " AND identity_id = ?", (pool_id, provider, subject, identity_id)).rowcount == 1

    def subjects_of(self, pool_id: str, provider: str, identity_id: str, after: str, limit: int) -> list[str]:
        rows = self.db.execute(
            "SELECT subject FROM identity_logins WHERE identity_pool_id = ? AND provider = ? AND identity_id = ?"
            " AND subject > ? ORDER BY subject LIMIT ?", (pool_id, provider, identity_id, after, limit)).fetchall()
        return [str(r[0]) for r in rows]


def _identity_pool(row: dict[str, Any]) -> IdentityPool:
    return IdentityPool(id=row["id"], name=row["name"], created=row["created"], modified=row["modified"],
                        config=json.loads(row["config"]))


def _identity(row: dict[str, Any]) -> Identity:
    return Identity(id=row["id"], pool_id=row["identity_pool_id"], created=row["created"],
                    modified=row["modified"])
