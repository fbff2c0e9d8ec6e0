"""The SQLite store: the single truth for pools, clients, users, groups, challenges and
token revocations.

One file in the data directory, WAL journal, schema built by ordered migrations.
Every statement is parameterised. Methods take and return records (records.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dirlock import DirLock
from .records import Challenge, Client, Group, Pool, User
from .sqlconn import CommitGroup, Conflict, Conn, Connections, rows
from .store_devices import DeviceTables
from .store_identity import IdentityTables
from .store_imports import ImportTables, m8_import_jobs, m13_import_records
from .store_links import LinkTables, m14_provider_links
from .store_oauth import OAuthTables
from .store_sessions import SessionTables

DB_FILE = "cognito.db"


@dataclass(frozen=True)
class Column:
    """A column as declared (PRAGMA table_info), for checking a snapshot's rows."""

    type: str  # TEXT, INTEGER or REAL
    not_null: bool
    needed: bool  # NOT NULL, no default, not the rowid: a row must give it


def _m1_initial(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE pools (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL,
            modified REAL NOT NULL, config TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE clients (
            id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, name TEXT NOT NULL,
            secret TEXT, created REAL NOT NULL, modified REAL NOT NULL, config TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX clients_pool ON clients(pool_id, id)")
    # ukey: the username as looked up (lower-cased in case-insensitive pools).
    db.execute(
        """CREATE TABLE users (
            pool_id TEXT NOT NULL, ukey TEXT NOT NULL, username TEXT NOT NULL,
            sub TEXT NOT NULL, status TEXT NOT NULL, enabled INTEGER NOT NULL,
            created REAL NOT NULL, modified REAL NOT NULL, attributes TEXT NOT NULL,
            password_hash TEXT, password_set REAL NOT NULL DEFAULT 0,
            email TEXT, phone_number TEXT,
            PRIMARY KEY (pool_id, ukey))"""
    )
    db.execute("CREATE UNIQUE INDEX users_sub ON users(pool_id, sub)")
    db.execute("CREATE INDEX users_email ON users(pool_id, email)")
    db.execute("CREATE INDEX users_phone ON users(pool_id, phone_number)")
    db.execute(
        """CREATE TABLE groups (
            pool_id TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL,
            modified REAL NOT NULL, description TEXT, role_arn TEXT, precedence INTEGER,
            PRIMARY KEY (pool_id, name))"""
    )
    db.execute(
        """CREATE TABLE members (
            pool_id TEXT NOT NULL, group_name TEXT NOT NULL, ukey TEXT NOT NULL,
            PRIMARY KEY (pool_id, group_name, ukey))"""
    )
    db.execute("CREATE INDEX members_user ON members(pool_id, ukey)")
    db.execute(
        """CREATE TABLE token_sessions (
            origin_jti TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
            ukey TEXT NOT NULL, username TEXT NOT NULL, refresh_hash TEXT NOT NULL UNIQUE,
            auth_time INTEGER NOT NULL, created REAL NOT NULL, expires REAL NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX token_sessions_user ON token_sessions(pool_id, ukey)")
    db.execute(
        """CREATE TABLE challenges (
            session TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
            username TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL,
            expires REAL NOT NULL, data TEXT NOT NULL)"""
    )


def _m2_messaging(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL, username TEXT NOT NULL,
            channel TEXT NOT NULL, destination TEXT NOT NULL, subject TEXT, body TEXT NOT NULL,
            code TEXT, kind TEXT NOT NULL, sent REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX messages_user ON messages(pool_id, username)")
    # One live code per user and purpose (sign-up, forgot password, verify:<attr>).
    db.execute(
        """CREATE TABLE codes (
            pool_id TEXT NOT NULL, ukey TEXT NOT NULL, purpose TEXT NOT NULL, code TEXT NOT NULL,
            created REAL NOT NULL, expires REAL NOT NULL, data TEXT NOT NULL,
            PRIMARY KEY (pool_id, ukey, purpose))"""
    )
    # Failed or rate-limited calls per user, for Cognito's hourly caps.
    db.execute(
        """CREATE TABLE attempts (
            pool_id TEXT NOT NULL, ukey TEXT NOT NULL, action TEXT NOT NULL, at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX attempts_user ON attempts(pool_id, ukey, action, at)")
    db.execute("ALTER TABLE users ADD COLUMN preferred_username TEXT")
    db.execute("ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}'")
    db.execute("CREATE INDEX users_preferred ON users(pool_id, preferred_username)")


def _m3_hosted_ui(db: sqlite3.Connection) -> None:
    """Domains, resource servers, UI branding, authorization codes and hosted-UI sessions
    (methods in store_oauth.py); the scopes an OAuth sign-in granted, kept for refreshes."""
    db.execute(
        """CREATE TABLE domains (
            domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL, custom INTEGER NOT NULL,
            created REAL NOT NULL, config TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX domains_pool ON domains(pool_id)")
    db.execute(
        """CREATE TABLE resource_servers (
            pool_id TEXT NOT NULL, identifier TEXT NOT NULL, name TEXT NOT NULL, scopes TEXT NOT NULL,
            PRIMARY KEY (pool_id, identifier))"""
    )
    # client_id 'ALL': the pool's default branding. image: base64 text, so snapshots stay JSON.
    db.execute(
        """CREATE TABLE ui_customizations (
            pool_id TEXT NOT NULL, client_id TEXT NOT NULL, css TEXT, image TEXT, image_type TEXT,
            created REAL NOT NULL, modified REAL NOT NULL, PRIMARY KEY (pool_id, client_id))"""
    )
    db.execute(
        """CREATE TABLE auth_codes (
            code_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
            username TEXT NOT NULL, redirect_uri TEXT NOT NULL, scopes TEXT NOT NULL,
            auth_time INTEGER NOT NULL, expires REAL NOT NULL, challenge TEXT,
            challenge_method TEXT, nonce TEXT)"""
    )
    db.execute(
        """CREATE TABLE hosted_sessions (
            id_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, username TEXT NOT NULL,
            auth_time INTEGER NOT NULL, expires REAL NOT NULL)"""
    )
    db.execute("ALTER TABLE token_sessions ADD COLUMN scopes TEXT")


def _m4_lockouts(db: sqlite3.Connection) -> None:
    """Failed sign-in attempts per user (or, where a client hides unknown users, per
    unknown name): how many, and when the last one was (lockout.py)."""
    db.execute(
        """CREATE TABLE lockouts (
            pool_id TEXT NOT NULL, ukey TEXT NOT NULL, failures INTEGER NOT NULL,
            last_failure REAL NOT NULL, PRIMARY KEY (pool_id, ukey))"""
    )


def _m5_self_contained_refresh_tokens(db: sqlite3.Connection) -> None:
    """Refresh tokens carry their session (jwe.py), so a sign-in stores nothing: the
    token_sessions table goes, and what ends tokens early is recorded when it happens
    (revocation.py): a user's last global sign-out, and token families revoked one by
    one (or marked as signed in after that sign-out, in its very second)."""
    db.execute("DROP TABLE token_sessions")
    db.execute(
        """CREATE TABLE user_signouts (
            pool_id TEXT NOT NULL, sub TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (pool_id, sub))"""
    )
    db.execute(
        """CREATE TABLE token_families (
            origin_jti TEXT PRIMARY KEY, pool_id TEXT NOT NULL, sub TEXT NOT NULL,
            revoked INTEGER NOT NULL, expires REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX token_families_user ON token_families(pool_id, sub)")
    db.execute("CREATE INDEX token_families_expires ON token_families(expires)")


def _m6_identity_pools(db: sqlite3.Connection) -> None:
    """Identity pools (cognito-identity), their identities, and the logins (provider,
    subject) linked to each identity (methods in store_identity.py)."""
    db.execute(
        """CREATE TABLE identity_pools (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL,
            config TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE identities (
            id TEXT PRIMARY KEY, identity_pool_id TEXT NOT NULL, created REAL NOT NULL,
            modified REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX identities_pool ON identities(identity_pool_id, id)")
    db.execute(
        """CREATE TABLE identity_logins (
            identity_pool_id TEXT NOT NULL, provider TEXT NOT NULL, subject TEXT NOT NULL,
            identity_id TEXT NOT NULL, PRIMARY KEY (identity_pool_id, provider, subject))"""
    )
    db.execute("CREATE INDEX identity_logins_identity ON identity_logins(identity_id)")


def _m7_search_indexes(db: sqlite3.Connection) -> None:
    """An index for every attribute ListUsers searches (userfilter.SEARCHABLE), each ending
    in ukey, so a search and its pages are index ranges in the order they are returned;
    and a user's groups in name order (AdminListGroupsForUser). name, given_name and
    family_name get columns of their own, as email has: SQLite bounds an index range by a
    (column, ukey) pair, not by an (expression, ukey) pair, which paging needs."""
    for old in ("users_email", "users_phone", "users_preferred", "members_user"):
        db.execute(f"DROP INDEX {old}")
    for column in SEARCHED_ATTRIBUTES:
        db.execute(f"ALTER TABLE users ADD COLUMN {column} TEXT")
        db.execute(f"UPDATE users SET {column} = json_extract(attributes, '$.{column}')")
    for name, column in (("email", "email"), ("phone", "phone_number"), ("preferred", "preferred_username"),
                         *((c, c) for c in SEARCHED_ATTRIBUTES), ("status", "status"), ("enabled", "enabled")):
        db.execute(f"CREATE INDEX users_by_{name} ON users(pool_id, {column}, ukey)")
    db.execute("CREATE INDEX members_user ON members(pool_id, ukey, group_name)")


_ADD_USER = (
    "INSERT INTO users (pool_id, ukey, username, sub, created, status, enabled, modified, attributes,"
    " password_hash, password_set, email, phone_number, preferred_username, extra, name, given_name,"
    " family_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

# Attributes copied into a users column of the same name (as stored), for searches.
SEARCHED_ATTRIBUTES = ("name", "given_name", "family_name")


def _m9_refresh_token_rotation(db: sqlite3.Connection) -> None:
    """Refresh-token rotation (refreshing.py): a family's latest generation, and when the
    one before it was rotated out (its grace period runs from then)."""
    db.execute("ALTER TABLE token_families ADD COLUMN generation INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE token_families ADD COLUMN rotated_at REAL")


def _m10_devices(db: sqlite3.Connection) -> None:
    """Users' devices (devices.py): the key and group key NewDeviceMetadata handed out,
    the SRP salt and verifier ConfirmDevice stored, name and remembered status."""
    db.execute(
        """CREATE TABLE devices (
            device_key TEXT PRIMARY KEY, pool_id TEXT NOT NULL, sub TEXT NOT NULL, group_key TEXT NOT NULL,
            salt TEXT, verifier TEXT, name TEXT, status TEXT NOT NULL, confirmed INTEGER NOT NULL,
            created REAL NOT NULL, modified REAL NOT NULL, last_auth REAL, last_ip TEXT)"""
    )
    db.execute("CREATE INDEX devices_user ON devices(pool_id, sub, device_key)")


def _m11_user_sessions(db: sqlite3.Connection) -> None:
    """Tracked user sessions (sessions.py): one row per sign-in's token family while the
    pool tracks sessions."""
    db.execute(
        """CREATE TABLE user_sessions (
            session_id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, sub TEXT NOT NULL, client_id TEXT NOT NULL,
            origin_jti TEXT NOT NULL, iat INTEGER NOT NULL, created REAL NOT NULL, last_active REAL NOT NULL,
            expires REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX user_sessions_user ON user_sessions(pool_id, sub)")


def _m12_sso_sessions(db: sqlite3.Connection) -> None:
    """SSO sessions (sessions.py): the hosted UI's cookie session names the client it began
    with and when it was last used; a token session and an authorization code name the SSO
    session they came through."""
    for column in ("client_id TEXT", "created REAL", "last_active REAL"):
        db.execute(f"ALTER TABLE hosted_sessions ADD COLUMN {column}")
    db.execute("CREATE INDEX hosted_sessions_user ON hosted_sessions(pool_id, username)")
    db.execute("ALTER TABLE user_sessions ADD COLUMN origin_session TEXT")
    db.execute("ALTER TABLE auth_codes ADD COLUMN sso_session TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m1_initial, _m2_messaging, _m3_hosted_ui, _m4_lockouts, _m5_self_contained_refresh_tokens,
    _m6_identity_pools, _m7_search_indexes, m8_import_jobs,
    _m9_refresh_token_rotation, _m10_devices, _m11_user_sessions, _m12_sso_sessions,
    m13_import_records, m14_provider_links,
]


@dataclass(frozen=True)
class UserQuery:
    """Which users a listing wants: all (column None), those whose indexed `column` equals
    `equals`, or those whose `column` starts with `prefix`; `nothing`: no user can match."""

    column: str | None = None
    equals: Any = None
    prefix: str | None = None
    nothing: bool = False


# Above every character a prefix can be followed by: `column < prefix + TOP` bounds the range.
_TOP = "\U0010ffff"


__all__ = ["Column", "Conflict", "Store", "UserQuery"]


class Store(OAuthTables, IdentityTables, ImportTables, DeviceTables, SessionTables, LinkTables):
    """Entities are created with add_* (a plain INSERT: Conflict if the key, or a user's
    sub, is taken) and saved with put_* (an UPDATE of that one row), never INSERT OR
    REPLACE, which would silently delete whichever row held the key."""

    def __init__(self, data_dir: Path, synchronous: str = "FULL") -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = DirLock(data_dir)  # DataDirInUse if another emulator has it
        self._path = data_dir / DB_FILE
        # Plain sqlite3 on the hot paths and at start-up (importing sqlite-utils costs a
        # tenth of a second, more where numpy is installed); sqlite-utils reads snapshots.
        self._conns = Connections(self._path, synchronous.upper())
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    @property
    def db(self) -> Conn:
        """This thread's connection."""
        return self._conns.conn()

    def close(self) -> None:
        self._conns.close_all()
        self._lock.release()

    def transaction(self) -> AbstractContextManager[None]:
        return self._conns.transaction()

    def request(self, keep: type[BaseException], grouped: bool = False) -> AbstractContextManager[None]:
        return self._conns.request(keep, grouped)

    def start_unit(self, grouped: bool) -> None:
        self._conns.start_unit(grouped)

    def end_unit(self, keep: bool) -> None:
        self._conns.end_unit(keep)

    def open_group(self) -> CommitGroup | None:
        return self._conns.open_group()

    def flush_group(self) -> None:
        self._conns.flush_group()

    # -- whole-state operations: reset and snapshots -----------------------------------

    def _tables(self) -> list[str]:
        rows = self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        return [r[0] for r in rows]

    def columns(self) -> dict[str, dict[str, Column]]:
        """Every table's columns as declared, for checking a snapshot's rows."""
        out: dict[str, dict[str, Column]] = {}
        for table in self._tables():
            rows = self.db.execute(f"PRAGMA table_info([{table}])").fetchall()
            # (cid, name, type, notnull, default, pk); an INTEGER PRIMARY KEY is the rowid.
            out[table] = {r[1]: Column(type=r[2].upper(), not_null=bool(r[3]),
                                       needed=bool(r[3]) and r[4] is None and not r[5]) for r in rows}
        return out

    @contextmanager
    def offline(self) -> Iterator[None]:
        """Every connection closed and no writer in this process meanwhile, so that the
        database file can be replaced; afterwards every thread opens the file anew."""
        with self._conns.exclusive():
            self._conns.close_all()
            yield

    def export_stream(self, batch: int = 500) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Every table's rows, `batch` at a time, as (table, rows); each table first with no
        rows. Read in one transaction on a connection of its own, so the rows are one
        consistent state however long the reader takes, and never all in memory."""
        db = sqlite3.connect(self._path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False,
                             isolation_level=None)
        try:
            db.execute("BEGIN")
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            for table in tables:
                yield table, []
                cur = db.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
                cols = [c[0] for c in cur.description]
                while rows := cur.fetchmany(batch):
                    yield table, [dict(zip(cols, row, strict=True)) for row in rows]
        finally:
            db.close()

    def new_file(self, path: Path) -> sqlite3.Connection:
        """A new database file at `path` with the schema, a write transaction open on it:
        fill it with insert_row, then COMMIT (snapshot imports build the next state so)."""
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            # A file nobody reads until swap.Staging.commit() fsyncs it, and thrown away
            # whole on any failure: no journal file and no fsyncs of its own are needed
            # (an in-memory journal still undoes a refused INSERT).
            db.execute("PRAGMA journal_mode=MEMORY")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("BEGIN IMMEDIATE")
            for step, migration in enumerate(MIGRATIONS, start=1):
                migration(db)
                db.execute(f"PRAGMA user_version={step}")
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def insert_row(db: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
        """One row (already checked by snapshot_rules); a row SQLite refuses (a duplicate
        key) is a ValueError."""
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        try:
            db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", tuple(row.values()))
        except sqlite3.Error as exc:
            raise ValueError(f"row refused by table {table!r}: {exc}") from None

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        with self.transaction():
            for step, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.db.raw)
                self.db.execute(f"PRAGMA user_version={step}")

    def _one(self, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        cur = self.db.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        return rows(self.db.execute(sql, params))

    # -- pools ----------------------------------------------------------------------

    def add_pool(self, pool: Pool) -> None:
        self.db.insert("INSERT INTO pools (id, name, created, modified, config) VALUES (?, ?, ?, ?, ?)",
                (pool.id, pool.name, pool.created, pool.modified, json.dumps(pool.config)))

    def put_pool(self, pool: Pool) -> None:
        """Save an existing pool (a pool that is not there is not created)."""
        self.db.execute("UPDATE pools SET name = ?, modified = ?, config = ? WHERE id = ?",
                        (pool.name, pool.modified, json.dumps(pool.config), pool.id))

    def get_pool(self, pool_id: str) -> Pool | None:
        row = self._one("SELECT * FROM pools WHERE id = ?", (pool_id,))
        return _pool(row) if row else None

    def list_pools(self, after: str, limit: int, region: str | None = None) -> list[Pool]:
        """Pools by id after `after`; with `region`, only that region's (ids `<region>_...`)."""
        if region is None:
            rows = self._all("SELECT * FROM pools WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
        else:
            prefix = region + "_"
            rows = self._all("SELECT * FROM pools WHERE id > ? AND substr(id, 1, ?) = ? ORDER BY id LIMIT ?",
                             (after, len(prefix), prefix, limit))
        return [_pool(r) for r in rows]

    def delete_pool(self, pool_id: str) -> None:
        with self.transaction():
            for table in ("users", "clients", "groups", "members", "user_signouts", "token_families",
                          "challenges", "messages", "codes", "attempts", "domains", "resource_servers",
                          "ui_customizations", "auth_codes", "hosted_sessions", "lockouts", "devices",
                          "user_sessions", "provider_links"):
                self.db.execute(f"DELETE FROM {table} WHERE pool_id = ?", (pool_id,))
            self.db.execute("DELETE FROM import_chunks WHERE job_id IN"
                            " (SELECT job_id FROM import_jobs WHERE pool_id = ?)", (pool_id,))
            self.db.execute("DELETE FROM import_jobs WHERE pool_id = ?", (pool_id,))
            self.db.execute("DELETE FROM pools WHERE id = ?", (pool_id,))

    def count_users(self, pool_id: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM users WHERE pool_id = ?", (pool_id,)).fetchone()[0])

    # -- clients --------------------------------------------------------------------

    def add_client(self, client: Client) -> None:
        self.db.insert("INSERT INTO clients (id, pool_id, name, secret, created, modified, config)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (client.id, client.pool_id, client.name, client.secret, client.created,
                 client.modified, json.dumps(client.config)))

    def put_client(self, client: Client) -> None:
        """Save an existing client of its pool (one that is not there is not created)."""
        self.db.execute("UPDATE clients SET name = ?, secret = ?, modified = ?, config = ? WHERE id = ? AND pool_id = ?",
                        (client.name, client.secret, client.modified, json.dumps(client.config), client.id,
                         client.pool_id))

    def get_client(self, client_id: str) -> Client | None:
        row = self._one("SELECT * FROM clients WHERE id = ?", (client_id,))
        return _client(row) if row else None

    def list_clients(self, pool_id: str, after: str, limit: int) -> list[Client]:
        rows = self._all(
            "SELECT * FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?",
            (pool_id, after, limit),
        )
        return [_client(r) for r in rows]

    def delete_client(self, client_id: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM clients WHERE id = ?", (client_id,))
            self.db.execute("DELETE FROM ui_customizations WHERE client_id = ?", (client_id,))
            self.db.execute("DELETE FROM auth_codes WHERE client_id = ?", (client_id,))

    # -- users ----------------------------------------------------------------------

    def add_user(self, user: User, ukey: str) -> None:
        """A new user; Conflict if the name (ukey) or the sub is taken in the pool."""
        self.db.insert(_ADD_USER, (user.pool_id, ukey, user.username, user.sub, user.created, *_user_state(user)))

    def add_users(self, users: list[tuple[User, str]]) -> None:
        """New users (an import job's batch), one statement; Conflict (and nothing written)
        if a name or sub is taken."""
        with self.transaction():
            try:
                self.db.raw.executemany(_ADD_USER, [(u.pool_id, ukey, u.username, u.sub, u.created, *_user_state(u))
                                                    for u, ukey in users])
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" not in str(exc):
                    raise
                raise Conflict(str(exc)) from None

    def taken_user_keys(self, pool_id: str, ukeys: list[str]) -> set[str]:
        """Which of these names (ukeys) users of the pool have."""
        found: set[str] = set()
        for i in range(0, len(ukeys), 500):
            part = ukeys[i:i + 500]
            marks = ", ".join("?" for _ in part)
            found.update(r[0] for r in self.db.execute(
                f"SELECT ukey FROM users WHERE pool_id = ? AND ukey IN ({marks})", (pool_id, *part)))
        return found

    def put_user(self, user: User, ukey: str) -> None:
        """Save an existing user: the row of `ukey` with this user's sub, and no other
        (a user who is not there is not created)."""
        self.db.execute(
            "UPDATE users SET status = ?, enabled = ?, modified = ?, attributes = ?, password_hash = ?,"
            " password_set = ?, email = ?, phone_number = ?, preferred_username = ?, extra = ?, name = ?,"
            " given_name = ?, family_name = ? WHERE pool_id = ? AND ukey = ? AND sub = ?",
            (*_user_state(user), user.pool_id, ukey, user.sub),
        )

    def find_users_by(self, pool_id: str, attribute: str, value: str) -> list[User]:
        """Users whose email, phone_number or preferred_username is `value` (emails and
        preferred usernames compare case-insensitively)."""
        column = {"email": "email", "phone_number": "phone_number",
                  "preferred_username": "preferred_username"}[attribute]
        key = value if attribute == "phone_number" else value.lower()
        rows = self._all(f"SELECT * FROM users WHERE pool_id = ? AND {column} = ?", (pool_id, key))
        return [_user(r) for r in rows]

    def get_user(self, pool_id: str, ukey: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))
        return _user(row) if row else None

    def get_user_by_sub(self, pool_id: str, sub: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE pool_id = ? AND sub = ?", (pool_id, sub))
        return _user(row) if row else None

    def delete_user(self, pool_id: str, ukey: str) -> None:
        with self.transaction():
            # Keyed by the username: left behind, they would sign in a new user of that name.
            for table in ("challenges", "hosted_sessions", "auth_codes"):
                self.db.execute(
                    f"DELETE FROM {table} WHERE pool_id = ? AND username IN"
                    " (SELECT username FROM users WHERE pool_id = ? AND ukey = ?)", (pool_id, pool_id, ukey))
            for table in ("devices", "user_sessions", "provider_links"):
                self.db.execute(f"DELETE FROM {table} WHERE pool_id = ? AND sub IN"
                                " (SELECT sub FROM users WHERE pool_id = ? AND ukey = ?)", (pool_id, pool_id, ukey))
            self.db.execute("DELETE FROM users WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))
            self.db.execute("DELETE FROM members WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))
            self.db.execute("DELETE FROM codes WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))
            self.db.execute("DELETE FROM lockouts WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))

    def list_users(self, pool_id: str, query: UserQuery, after: str | tuple[str, str], limit: int
                   ) -> list[tuple[str | tuple[str, str], User]]:
        """Users matching `query` after the page key `after`, each with its page key: the
        ukey (all users, or an exact match: ukey order), or (value, ukey) for a prefix
        search (value order). `query.column` is a fixed expression from userfilter."""
        if query.nothing:
            return []
        if query.prefix is not None:
            value, ukey = after if isinstance(after, tuple) else (query.prefix, "")
            col = query.column
            rows = self._all(
                f"SELECT *, {col} AS _key FROM users WHERE pool_id = ? AND ({col}, ukey) > (?, ?)"
                f" AND {col} < ? AND substr({col}, 1, ?) = ? ORDER BY {col}, ukey LIMIT ?",
                (pool_id, value, ukey, query.prefix + _TOP, len(query.prefix), query.prefix, limit))
            return [((r["_key"], r["ukey"]), _user(r)) for r in rows]
        start = after if isinstance(after, str) else after[1]
        if query.column is None:
            rows = self._all("SELECT * FROM users WHERE pool_id = ? AND ukey > ? ORDER BY ukey LIMIT ?",
                             (pool_id, start, limit))
        else:
            rows = self._all(f"SELECT * FROM users WHERE pool_id = ? AND {query.column} = ? AND ukey > ?"
                             " ORDER BY ukey LIMIT ?", (pool_id, query.equals, start, limit))
        return [(r["ukey"], _user(r)) for r in rows]

    # -- groups ---------------------------------------------------------------------

    def add_group(self, group: Group) -> None:
        self.db.insert("INSERT INTO groups (pool_id, name, created, modified, description, role_arn,"
                " precedence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (group.pool_id, group.name, group.created, group.modified, group.description,
                 group.role_arn, group.precedence))

    def put_group(self, group: Group) -> None:
        """Save an existing group (one that is not there is not created)."""
        self.db.execute(
            "UPDATE groups SET modified = ?, description = ?, role_arn = ?, precedence = ?"
            " WHERE pool_id = ? AND name = ?",
            (group.modified, group.description, group.role_arn, group.precedence, group.pool_id, group.name),
        )

    def get_group(self, pool_id: str, name: str) -> Group | None:
        row = self._one("SELECT * FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name))
        return Group(**row) if row else None

    def list_groups(self, pool_id: str, after: str, limit: int) -> list[Group]:
        rows = self._all(
            "SELECT * FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?",
            (pool_id, after, limit),
        )
        return [Group(**r) for r in rows]

    def delete_group(self, pool_id: str, name: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name))
            self.db.execute("DELETE FROM members WHERE pool_id = ? AND group_name = ?", (pool_id, name))

    def add_member(self, pool_id: str, group: str, ukey: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO members (pool_id, group_name, ukey) VALUES (?, ?, ?)",
            (pool_id, group, ukey),
        )

    def remove_member(self, pool_id: str, group: str, ukey: str) -> None:
        self.db.execute(
            "DELETE FROM members WHERE pool_id = ? AND group_name = ? AND ukey = ?", (pool_id, group, ukey)
        )

    def groups_of(self, pool_id: str, ukey: str, after: str = "", limit: int = 10_000) -> list[Group]:
        rows = self._all(
            "SELECT g.* FROM members m JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name"
            " WHERE m.pool_id = ? AND m.ukey = ? AND g.name > ? ORDER BY g.name LIMIT ?",
            (pool_id, ukey, after, limit),
        )
        return [Group(**r) for r in rows]

    def members_of(self, pool_id: str, group: str, after: str, limit: int) -> list[tuple[str, User]]:
        rows = self._all(
            "SELECT u.* FROM members m JOIN users u ON u.pool_id = m.pool_id AND u.ukey = m.ukey"
            " WHERE m.pool_id = ? AND m.group_name = ? AND m.ukey > ? ORDER BY m.ukey LIMIT ?",
            (pool_id, group, after, limit),
        )
        return [(r["ukey"], _user(r)) for r in rows]

    # -- revocation (revocation.py decides; these only record and read) ------------------

    def revocation_marks(self, pool_id: str, sub: str, origin_jti: str) -> tuple[float | None, int | None]:
        """The user's last global sign-out time, and the revoked flag of the token family's
        row (None: no row), in one statement."""
        row = self.db.execute(
            "SELECT (SELECT at FROM user_signouts WHERE pool_id = ? AND sub = ?),"
            " (SELECT revoked FROM token_families WHERE origin_jti = ? AND pool_id = ? AND sub = ?)",
            (pool_id, sub, origin_jti, pool_id, sub)).fetchone()
        return row[0], row[1]

    def signed_out_at(self, pool_id: str, sub: str) -> float | None:
        row = self.db.execute("SELECT at FROM user_signouts WHERE pool_id = ? AND sub = ?", (pool_id, sub)).fetchone()
        return None if row is None else float(row[0])

    def sign_out(self, pool_id: str, sub: str, at: float) -> None:
        """Mark the user signed out at `at` (never moving the mark back); the user's family
        rows go, as the mark now covers every family there was."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO user_signouts (pool_id, sub, at) VALUES (?, ?, ?) ON CONFLICT (pool_id, sub)"
                " DO UPDATE SET at = max(at, excluded.at)", (pool_id, sub, at))
            self.db.execute("DELETE FROM token_families WHERE pool_id = ? AND sub = ?", (pool_id, sub))

    def put_token_family(self, origin_jti: str, pool_id: str, sub: str, *, revoked: bool, expires: float,
                         now: float) -> None:
        """Record a family as revoked (or as signed in after the user's sign-out); rows
        whose tokens have all expired go meanwhile."""
        with self.transaction():
            self.db.execute("DELETE FROM token_families WHERE expires < ?", (now,))
            self.db.execute(
                "INSERT OR REPLACE INTO token_families (origin_jti, pool_id, sub, revoked, expires)"
                " VALUES (?, ?, ?, ?, ?)", (origin_jti, pool_id, sub, int(revoked), expires))

    def family_marks(self, pool_id: str, sub: str, origin_jti: str) -> tuple[float | None, int | None, int, float | None]:
        """revocation_marks, and the family's latest refresh-token generation and when it
        began ((0, None): never rotated), in one statement: what a refresh reads."""
        row = self.db.execute(
            "SELECT (SELECT at FROM user_signouts WHERE pool_id = ? AND sub = ?), f.revoked, f.generation,"
            " f.rotated_at FROM (SELECT 1) LEFT JOIN token_families f"
            " ON f.origin_jti = ? AND f.pool_id = ? AND f.sub = ?",
            (pool_id, sub, origin_jti, pool_id, sub)).fetchone()
        return row[0], row[1], int(row[2] or 0), row[3]

    def rotate_family(self, origin_jti: str, pool_id: str, sub: str, *, generation: int, at: float,
                      expires: float) -> None:
        """Record a family's new latest generation. A family without a row is live here
        (the caller has just checked), so a new row says revoked = 0."""
        self.db.execute(
            "INSERT INTO token_families (origin_jti, pool_id, sub, revoked, expires, generation, rotated_at)"
            " VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (origin_jti) DO UPDATE SET"
            " generation = excluded.generation, rotated_at = excluded.rotated_at",
            (origin_jti, pool_id, sub, expires, generation, at))

    # -- auth challenges --------------------------------------------------------------

    def put_challenge(self, c: Challenge) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO challenges (session, pool_id, client_id, username, name, created,"
            " expires, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (c.session, c.pool_id, c.client_id, c.username, c.name, c.created, c.expires,
             json.dumps(c.data)),
        )

    # -- outbox ---------------------------------------------------------------------

    def add_message(self, message: dict[str, Any]) -> int:
        cur = self.db.execute(
            "INSERT INTO messages (pool_id, username, channel, destination, subject, body, code, kind,"
            " sent) VALUES (:pool_id, :username, :channel, :destination, :subject, :body, :code,"
            " :kind, :sent)",
            message,
        )
        return int(cur.lastrowid or 0)

    def list_messages(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        clauses = [f"{column} = ?" for column in filters]
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._all(f"SELECT * FROM messages{where} ORDER BY id", tuple(filters.values()))

    def delete_messages(self, filters: dict[str, str]) -> int:
        clauses = [f"{column} = ?" for column in filters]
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self.db.execute(f"DELETE FROM messages{where}", tuple(filters.values())).rowcount

    # -- codes and attempts -------------------------------------------------------------

    def put_code(self, pool_id: str, ukey: str, purpose: str, code: str, created: float,
                 expires: float, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO codes (pool_id, ukey, purpose, code, created, expires, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pool_id, ukey, purpose, code, created, expires, json.dumps(data)),
        )

    def get_code(self, pool_id: str, ukey: str, purpose: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM codes WHERE pool_id = ? AND ukey = ? AND purpose = ?",
                        (pool_id, ukey, purpose))
        if row is not None:
            row["data"] = json.loads(row["data"])
        return row

    def delete_code(self, pool_id: str, ukey: str, purpose: str) -> bool:
        """True if this call removed it: a code is spent once, even under concurrency."""
        return self.db.execute("DELETE FROM codes WHERE pool_id = ? AND ukey = ? AND purpose = ?",
                               (pool_id, ukey, purpose)).rowcount == 1

    def claim_totp_step(self, pool_id: str, ukey: str, step: int) -> bool:
        """Record `step` as the user's last accepted TOTP step, unless it (or a later one)
        already is: a compare-and-set, so one code cannot sign in twice concurrently."""
        return self.db.execute(
            "UPDATE users SET extra = json_set(extra, '$.totp.last_step', ?) WHERE pool_id = ? AND ukey = ?"
            " AND coalesce(json_extract(extra, '$.totp.last_step'), -1) < ?",
            (step, pool_id, ukey, step)).rowcount == 1

    def add_attempt(self, pool_id: str, ukey: str, action: str, at: float) -> None:
        self.db.execute("INSERT INTO attempts (pool_id, ukey, action, at) VALUES (?, ?, ?, ?)",
                        (pool_id, ukey, action, at))

    def count_attempts(self, pool_id: str, ukey: str, action: str, since: float) -> int:
        return int(self.db.execute(
            "SELECT count(*) FROM attempts WHERE pool_id = ? AND ukey = ? AND action = ? AND at > ?",
            (pool_id, ukey, action, since)).fetchone()[0])

    # -- failed sign-in attempts --------------------------------------------------------

    def get_lockout(self, pool_id: str, ukey: str) -> tuple[int, float] | None:
        """(failures, time of the last one), if any were counted."""
        row = self.db.execute("SELECT failures, last_failure FROM lockouts WHERE pool_id = ? AND ukey = ?",
                              (pool_id, ukey)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def add_failure(self, pool_id: str, ukey: str, at: float, quiet: float) -> None:
        """Count one failure at `at`; after `quiet` seconds without one, counting starts over.
        One statement, so concurrent failures (even from other processes) all count."""
        self.db.execute(
            "INSERT INTO lockouts (pool_id, ukey, failures, last_failure) VALUES (?, ?, 1, ?)"
            " ON CONFLICT (pool_id, ukey) DO UPDATE SET last_failure = excluded.last_failure,"
            " failures = CASE WHEN excluded.last_failure - last_failure >= ? THEN 1 ELSE failures + 1 END",
            (pool_id, ukey, at, quiet))

    def clear_lockout(self, pool_id: str, ukey: str) -> None:
        self.db.execute("DELETE FROM lockouts WHERE pool_id = ? AND ukey = ?", (pool_id, ukey))

    def add_wrong_answer(self, session: str) -> None:
        """Count a wrong answer to a challenge (in one statement: concurrent ones all count)."""
        self.db.execute(
            "UPDATE challenges SET data = json_set(data, '$.wrong', coalesce(json_extract(data, '$.wrong'), 0) + 1)"
            " WHERE session = ?", (session,))

    def get_challenge(self, session: str) -> Challenge | None:
        row = self._one("SELECT * FROM challenges WHERE session = ?", (session,))
        if row is None:
            return None
        row["data"] = json.loads(row["data"])
        return Challenge(**row)

    def delete_challenge(self, session: str) -> bool:
        """True if this call removed it: a challenge answers once, even under concurrency."""
        return self.db.execute("DELETE FROM challenges WHERE session = ?", (session,)).rowcount == 1


def _pool(row: dict[str, Any]) -> Pool:
    return Pool(id=row["id"], name=row["name"], created=row["created"], modified=row["modified"],
                config=json.loads(row["config"]))


def _client(row: dict[str, Any]) -> Client:
    return Client(id=row["id"], pool_id=row["pool_id"], name=row["name"], secret=row["secret"],
                  created=row["created"], modified=row["modified"], config=json.loads(row["config"]))


def _user(row: dict[str, Any]) -> User:
    return User(
        pool_id=row["pool_id"], username=row["username"], sub=row["sub"], status=row["status"],
        enabled=bool(row["enabled"]), created=row["created"], modified=row["modified"],
        attributes=json.loads(row["attributes"]), password_hash=row["password_hash"],
        password_set=row["password_set"], extra=json.loads(row["extra"]),
    )


def _user_state(user: User) -> tuple[Any, ...]:
    """The users columns a save may change, in put_user's (and add_user's) order."""
    return (user.status, int(user.enabled), user.modified, json.dumps(user.attributes), user.password_hash,
            user.password_set, _lower(user.attributes.get("email")), user.attributes.get("phone_number"),
            _lower(user.attributes.get("preferred_username")), json.dumps(user.extra) if user.extra else "{}",
            *(user.attributes.get(a) for a in SEARCHED_ATTRIBUTES))


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value

