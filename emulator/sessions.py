"""User session tracking: a pool's session configuration (kept privately in its config),
the token session every sign-in opens while the pool tracks sessions (one per token
family), its last activity (refreshes), MaxPerUser eviction of the least recently used,
and ending a session with every token of it. A pool that tracks no sessions costs a
sign-in one dictionary lookup here, nothing in the store."""

from __future__ import annotations

import hashlib
from typing import Any

from . import revocation
from .api import Context
from .records import Pool, TokenSession, UserSession

KEY = "_Sessions"  # in the pool's config; "_" keys are the emulator's own, never described
DEFAULT_MAX_PER_USER = 20
DEFAULT_SSO_MINUTES = 60  # Cognito documents no default; the hosted UI's cookie lives an hour
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def config(pool: Pool) -> dict[str, Any]:
    return dict(pool.config.get(KEY) or {})


def tracking(pool: Pool) -> bool:
    return (pool.config.get(KEY) or {}).get("UserSessionTracking") == "ENABLED"


def session_id(origin_jti: str) -> str:
    """`tkn` and 25 base-36 characters (SessionIdType), derived from the family."""
    number = int.from_bytes(hashlib.sha256(origin_jti.encode()).digest(), "big")
    chars = []
    for _ in range(25):
        number, digit = divmod(number, 36)
        chars.append(_BASE36[digit])
    return "tkn" + "".join(chars)


def live(ctx: Context, pool_id: str, sub: str) -> list[UserSession]:
    """The user's tracked sessions whose tokens still work; ended ones are dropped."""
    out = []
    for row in ctx.store.user_sessions(pool_id, sub):
        if row.expires <= ctx.now() or revocation.revoked(ctx, pool_id, sub, row.origin_jti, row.iat):
            ctx.store.delete_user_session(row.session_id)
        else:
            out.append(row)
    return out


def end(ctx: Context, row: UserSession) -> None:
    revocation.revoke_origin(ctx, row.pool_id, row.sub, row.origin_jti, row.expires)
    ctx.store.delete_user_session(row.session_id)


def opened(ctx: Context, pool: Pool, session: TokenSession) -> None:
    """A new sign-in's token session; over MaxPerUser, the least recently used ones end."""
    limit = int(config(pool).get("MaxPerUser") or DEFAULT_MAX_PER_USER)
    rows = sorted(live(ctx, pool.id, session.sub), key=lambda r: r.last_active)
    for row in rows[:max(0, len(rows) - limit + 1)]:
        end(ctx, row)
    now = ctx.now()
    ctx.store.add_user_session(UserSession(
        session_id=session_id(session.origin_jti), pool_id=pool.id, sub=session.sub, client_id=session.client_id,
        origin_jti=session.origin_jti, iat=session.iat, created=now, last_active=now, expires=session.expires))


def used(ctx: Context, pool: Pool, session: TokenSession) -> None:
    """A refresh: the session was active now."""
    if tracking(pool):
        ctx.store.touch_user_session(session_id(session.origin_jti), ctx.now())
