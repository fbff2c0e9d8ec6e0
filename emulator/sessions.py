"""User session tracking: a pool's session configuration (kept privately in its config),
the token session every sign-in opens while the pool tracks sessions (one per token
family), its last activity (refreshes), MaxPerUser eviction of the least recently used,
and ending a session with every token of it. The hosted UI's cookie session is the SSO
session: listed beside the token sessions that came through it, ended by deleting it,
and reused silently by a client for its MaxValidityMinutes after the sign-in. A pool that
tracks no sessions costs a sign-in one dictionary lookup here, nothing in the store."""

from __future__ import annotations

import hashlib
from typing import Any

from . import revocation
from .api import Context
from .records import Pool, TokenSession, User, UserSession

KEY = "_Sessions"  # in the pool's config; "_" keys are the emulator's own, never described
DEFAULT_MAX_PER_USER = 20
DEFAULT_SSO_MINUTES = 60  # Cognito documents no default; the hosted UI's cookie lives an hour
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def config(pool: Pool) -> dict[str, Any]:
    return dict(pool.config.get(KEY) or {})


def tracking(pool: Pool) -> bool:
    return (pool.config.get(KEY) or {}).get("UserSessionTracking") == "ENABLED"


def session_id(origin_jti: str, prefix: str = "tkn") -> str:
    """`tkn` (a token session) or `sso` and 25 base-36 characters (SessionIdType),
    derived from the family or the cookie's hash."""
    number = int.from_bytes(hashlib.sha256(origin_jti.encode()).digest(), "big")
    chars = []
    for _ in range(25):
        number, digit = divmod(number, 36)
        chars.append(_BASE36[digit])
    return prefix + "".join(chars)


def sso_id(cookie_hash: str) -> str:
    return session_id(cookie_hash, "sso")


def sso_minutes(pool: Pool, client_id: str) -> int:
    """How long after a fresh sign-in the client reuses the SSO session silently."""
    return int((config(pool).get("Clients") or {}).get(client_id, DEFAULT_SSO_MINUTES))


def sso_live(ctx: Context, pool: Pool, user: User) -> list[UserSession]:
    """The user's unexpired hosted-UI sessions as SSO sessions, while the pool tracks
    sessions (a cookie from before it did names no client and is not listed)."""
    out = []
    for cookie_hash, s in ctx.store.hosted_sessions_of(pool.id, user.username):
        if s.client_id is not None and s.expires > ctx.now():
            out.append(UserSession(session_id=sso_id(cookie_hash), pool_id=pool.id, sub=user.sub,
                                   client_id=s.client_id, origin_jti=cookie_hash, iat=s.auth_time,
                                   created=s.created or s.auth_time, last_active=s.last_active or s.auth_time,
                                   expires=s.expires))
    return out


def listed(ctx: Context, pool: Pool, user: User) -> list[UserSession]:
    """Every live session of the user, token and SSO, by id."""
    rows = live(ctx, pool.id, user.sub) + (sso_live(ctx, pool, user) if tracking(pool) else [])
    return sorted(rows, key=lambda r: r.session_id)


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
    """A token session's tokens are revoked; an SSO session's cookie signs in no more."""
    if row.sso:
        ctx.store.delete_hosted_session(row.origin_jti)
        return
    revocation.revoke_origin(ctx, row.pool_id, row.sub, row.origin_jti, row.expires)
    ctx.store.delete_user_session(row.session_id)


def opened(ctx: Context, pool: Pool, session: TokenSession, sso_session: str | None = None) -> None:
    """A new sign-in's token session (through the SSO session `sso_session`, if one);
    over MaxPerUser, the least recently used token sessions end."""
    limit = int(config(pool).get("MaxPerUser") or DEFAULT_MAX_PER_USER)
    rows = sorted(live(ctx, pool.id, session.sub), key=lambda r: r.last_active)
    for row in rows[:max(0, len(rows) - limit + 1)]:
        end(ctx, row)
    now = ctx.now()
    ctx.store.add_user_session(UserSession(
        session_id=session_id(session.origin_jti), pool_id=pool.id, sub=session.sub, client_id=session.client_id,
        origin_jti=session.origin_jti, iat=session.iat, created=now, last_active=now, expires=session.expires,
        origin_session=sso_session))


def used(ctx: Context, pool: Pool, session: TokenSession) -> None:
    """A refresh: the session was active now."""
    if tracking(pool):
        ctx.store.touch_user_session(session_id(session.origin_jti), ctx.now())
