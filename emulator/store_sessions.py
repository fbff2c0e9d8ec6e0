"""The store's user_sessions table (session tracking, sessions.py): one row per tracked
token session, that is per sign-in's token family. A mixin of Store (store.py), which
holds the schema (migration _m11_user_sessions) and the connection."""

from __future__ import annotations

from typing import Any

from .records import UserSession
from .sqlconn import Conn

_COLUMNS = ("session_id", "pool_id", "sub", "client_id", "origin_jti", "iat", "created", "last_active", "expires",
            "origin_session")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM user_sessions"


def _session(row: tuple[Any, ...]) -> UserSession:
    return UserSession(**dict(zip(_COLUMNS, row, strict=True)))


class SessionTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    def add_user_session(self, s: UserSession) -> None:
        self.db.insert(f"INSERT INTO user_sessions ({', '.join(_COLUMNS)}) VALUES"
                       f" ({', '.join('?' for _ in _COLUMNS)})",
                       (s.session_id, s.pool_id, s.sub, s.client_id, s.origin_jti, s.iat, s.created,
                        s.last_active, s.expires, s.origin_session))

    def user_sessions(self, pool_id: str, sub: str) -> list[UserSession]:
        rows = self.db.execute(f"{_SELECT} WHERE pool_id = ? AND sub = ? ORDER BY session_id",
                               (pool_id, sub)).fetchall()
        return [_session(r) for r in rows]

    def touch_user_session(self, session_id: str, at: float) -> None:
        self.db.execute("UPDATE user_sessions SET last_active = ? WHERE session_id = ?", (at, session_id))

    def delete_user_session(self, session_id: str) -> None:
        self.db.execute("DELETE FROM user_sessions WHERE session_id = ?", (session_id,))
