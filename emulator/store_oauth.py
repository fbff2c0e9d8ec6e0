"""The store's tables for the hosted UI and OAuth 2.0: domains, resource servers, UI
branding, authorization codes and hosted-UI sign-in sessions. A mixin of Store
(store.py), which holds the schema (migration _m3_hosted_ui) and the connection."""

from __future__ import annotations

import json
from typing import Any

from .records import AuthCode, Domain, HostedSession, ResourceServer, UICustomization
from .sqlconn import Conn
from .sqlconn import rows as _rows


class OAuthTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    def _first(self, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        found = _rows(self.db.execute(sql, params))
        return found[0] if found else None

    # -- domains --------------------------------------------------------------------

    def add_domain(self, d: Domain) -> None:
        self.db.insert("INSERT INTO domains (domain, pool_id, custom, created, config) VALUES (?, ?, ?, ?, ?)",
                (d.domain, d.pool_id, int(d.custom_config is not None), d.created, _domain_config(d)))

    def put_domain(self, d: Domain) -> None:
        """Save an existing domain of its pool (one that is not there is not created)."""
        self.db.execute("UPDATE domains SET custom = ?, config = ? WHERE domain = ? AND pool_id = ?",
                        (int(d.custom_config is not None), _domain_config(d), d.domain, d.pool_id))

    def get_domain(self, domain: str) -> Domain | None:
        row = self._first("SELECT * FROM domains WHERE domain = ?", (domain,))
        return _domain(row) if row else None

    def domains_of(self, pool_id: str) -> list[Domain]:
        rows = _rows(self.db.execute("SELECT * FROM domains WHERE pool_id = ? ORDER BY domain", (pool_id,)))
        return [_domain(r) for r in rows]

    def delete_domain(self, domain: str) -> None:
        self.db.execute("DELETE FROM domains WHERE domain = ?", (domain,))

    # -- resource servers -----------------------------------------------------------------

    def add_resource_server(self, rs: ResourceServer) -> None:
        self.db.insert("INSERT INTO resource_servers (pool_id, identifier, name, scopes) VALUES (?, ?, ?, ?)",
                (rs.pool_id, rs.identifier, rs.name, json.dumps(rs.scopes)))

    def put_resource_server(self, rs: ResourceServer) -> None:
        """Save an existing resource server (one that is not there is not created)."""
        self.db.execute("UPDATE resource_servers SET name = ?, scopes = ? WHERE pool_id = ? AND identifier = ?",
                        (rs.name, json.dumps(rs.scopes), rs.pool_id, rs.identifier))

    def get_resource_server(self, pool_id: str, identifier: str) -> ResourceServer | None:
        row = self._first("SELECT * FROM resource_servers WHERE pool_id = ? AND identifier = ?",
                          (pool_id, identifier))
        return _resource_server(row) if row else None

    def list_resource_servers(self, pool_id: str, after: str = "", limit: int = 10_000) -> list[ResourceServer]:
        rows = _rows(self.db.execute(
            "SELECT * FROM resource_servers WHERE pool_id = ? AND identifier > ? ORDER BY identifier LIMIT ?",
            (pool_id, after, limit)))
        return [_resource_server(r) for r in rows]

    def delete_resource_server(self, pool_id: str, identifier: str) -> None:
        self.db.execute("DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?", (pool_id, identifier))

    # -- UI customization -------------------------------------------------------------------

    def put_ui_customization(self, ui: UICustomization) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO ui_customizations (pool_id, client_id, css, image, image_type, created,"
            " modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ui.pool_id, ui.client_id, ui.css, ui.image, ui.image_type, ui.created, ui.modified),
        )

    def get_ui_customization(self, pool_id: str, client_id: str) -> UICustomization | None:
        row = self._first("SELECT * FROM ui_customizations WHERE pool_id = ? AND client_id = ?",
                          (pool_id, client_id))
        return UICustomization(**row) if row else None

    # -- authorization codes ----------------------------------------------------------------

    def put_auth_code(self, code_hash: str, c: AuthCode) -> None:
        self.db.execute(
            "INSERT INTO auth_codes (code_hash, pool_id, client_id, username, redirect_uri, scopes,"
            " auth_time, expires, challenge, challenge_method, nonce, sso_session)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code_hash, c.pool_id, c.client_id, c.username, c.redirect_uri, c.scopes, c.auth_time,
             c.expires, c.challenge, c.challenge_method, c.nonce, c.sso_session),
        )

    def take_auth_code(self, code_hash: str) -> AuthCode | None:
        """The code, deleted as it is read: a code is good for one exchange, right or wrong."""
        row = self._first("DELETE FROM auth_codes WHERE code_hash = ? RETURNING *", (code_hash,))
        if row is None:
            return None
        row.pop("code_hash")
        return AuthCode(**row)

    # -- hosted-UI sessions -------------------------------------------------------------------

    def put_hosted_session(self, id_hash: str, s: HostedSession) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO hosted_sessions (id_hash, pool_id, username, auth_time, expires, client_id,"
            " created, last_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (id_hash, s.pool_id, s.username, s.auth_time, s.expires, s.client_id, s.created, s.last_active),
        )

    def get_hosted_session(self, id_hash: str) -> HostedSession | None:
        row = self._first("SELECT * FROM hosted_sessions WHERE id_hash = ?", (id_hash,))
        if row is None:
            return None
        row.pop("id_hash")
        return HostedSession(**row)

    def hosted_sessions_of(self, pool_id: str, username: str) -> list[tuple[str, HostedSession]]:
        """A user's hosted-UI sessions, each with the hash of its cookie."""
        out = []
        for row in _rows(self.db.execute("SELECT * FROM hosted_sessions WHERE pool_id = ? AND username = ?",
                                         (pool_id, username))):
            out.append((row.pop("id_hash"), HostedSession(**row)))
        return out

    def touch_hosted_session(self, id_hash: str, at: float) -> None:
        self.db.execute("UPDATE hosted_sessions SET last_active = ? WHERE id_hash = ?", (at, id_hash))

    def delete_hosted_session(self, id_hash: str) -> None:
        self.db.execute("DELETE FROM hosted_sessions WHERE id_hash = ?", (id_hash,))


def _domain_config(d: Domain) -> str:
    return json.dumps({"custom": d.custom_config, "managed_login_version": d.managed_login_version})


def _domain(row: dict[str, Any]) -> Domain:
    config = json.loads(row["config"])
    return Domain(domain=row["domain"], pool_id=row["pool_id"], created=row["created"],
                  custom_config=config.get("custom"),
                  managed_login_version=int(config.get("managed_login_version") or 1))


def _resource_server(row: dict[str, Any]) -> ResourceServer:
    return ResourceServer(pool_id=row["pool_id"], identifier=row["identifier"], name=row["name"],
                          scopes=json.loads(row["scopes"]))
