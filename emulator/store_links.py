"""The store's provider links (AdminLinkProviderForUser): an external provider's user id
that signs in as an existing user of the pool. A mixin of Store (store.py), which holds
the schema (migration m14_provider_links) and the connection."""

from __future__ import annotations

import sqlite3

from .sqlconn import Conn


def m14_provider_links(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE provider_links (
            pool_id TEXT NOT NULL, provider TEXT NOT NULL, subject TEXT NOT NULL, sub TEXT NOT NULL,
            created REAL NOT NULL, PRIMARY KEY (pool_id, provider, subject))"""
    )
    db.execute("CREATE INDEX provider_links_user ON provider_links(pool_id, sub)")


class LinkTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    def add_link(self, pool_id: str, provider: str, subject: str, sub: str, created: float) -> None:
        self.db.insert("INSERT INTO provider_links (pool_id, provider, subject, sub, created) VALUES (?, ?, ?, ?, ?)",
                       (pool_id, provider, subject, sub, created))

    def linked_sub(self, pool_id: str, provider: str, subject: str) -> str | None:
        """The sub of the user the provider's user `subject` signs in as, if linked."""
        row = self.db.execute("SELECT sub FROM provider_links WHERE pool_id = ? AND provider = ? AND subject = ?",
                              (pool_id, provider, subject)).fetchone()
        return None if row is None else str(row[0])

    def count_links(self, pool_id: str, sub: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM provider_links WHERE pool_id = ? AND sub = ?",
                                   (pool_id, sub)).fetchone()[0])

    def delete_link(self, pool_id: str, provider: str, subject: str) -> None:
        self.db.execute("DELETE FROM provider_links WHERE pool_id = ? AND provider = ? AND subject = ?",
                        (pool_id, provider, subject))


__all__ = ["LinkTables", "m14_provider_links"]
