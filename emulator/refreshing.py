"""Refreshing tokens, the one path behind InitiateAuth's REFRESH_TOKEN_AUTH,
GetTokensFromRefreshToken and the hosted /oauth2/token refresh grant; and refresh-token
rotation (the client's RefreshTokenRotation).

Rotation keeps the family (`origin_jti`), so RevokeToken and sign-outs end every token
of a sign-in whichever generation they are. Each refresh token carries its generation;
the family's row (revocation.py's table) records the latest and when it began. A token
one generation behind lives for the client's RetryGracePeriodSeconds after that, and a
refresh with it yields the latest generation again (a client's retry gets a token as good
as the one it lost); any older one is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import devices, revocation, sessions
from .api import Context
from .errors import NotAuthorizedException, RefreshTokenReuseException
from .issuing import issue, refresh_session
from .records import Client, Pool, TokenSession, User


def rotation(client: Client) -> tuple[bool, int]:
    """Whether the client rotates refresh tokens, and its grace period in seconds."""
    config = client.config.get("RefreshTokenRotation") or {}
    return config.get("Feature") == "ENABLED", int(config.get("RetryGracePeriodSeconds") or 0)


def successor(ctx: Context, client: Client, session: TokenSession, latest: int,
              began: float | None) -> TokenSession | None:
    """The refresh token a refresh of `session` hands out (None: none, rotation is off),
    recording a rotation; RefreshTokenReuseException for a token rotated out. `latest` and
    `began` are the family's generation as read in this unit of work, which found the
    session live: nothing is awaited between that read and this write."""
    enabled, grace = rotation(client)
    mine = session.generation or 0
    if mine < latest:
        if mine != latest - 1 or began is None or ctx.now() >= began + grace:
            raise RefreshTokenReuseException("Refresh token has been rotated out.")
        return replace(session, generation=latest) if enabled else None
    if not enabled:
        return None
    revocation.rotate(ctx, session, mine + 1)
    return replace(session, generation=mine + 1)


def on_device(ctx: Context, pool: Pool, user: User, session: TokenSession, device_key: str | None) -> TokenSession:
    """The session to refresh, checked against the device it is bound to, where the pool
    tracks devices. A sign-in on a device (DEVICE_SRP_AUTH) or handed a new one
    (NewDeviceMetadata) binds its refresh tokens to that device: a refresh must send its
    key, and the device must be confirmed and not forgotten; a DEVICE_KEY sent with any
    other refresh must name a confirmed device of the user. Else, as Cognito answers
    each of these (AWS Knowledge Center, "Invalid Refresh Token" error): Invalid Refresh
    Token. A handed-out device, once proven so, names itself in the tokens (`device_key`)."""
    bound = session.device_key or session.new_device
    if not devices.tracking(pool) or (bound is None and not device_key):
        return session
    if devices.known(ctx, pool, user, device_key) is None or (bound is not None and bound != device_key):
        raise NotAuthorizedException("Invalid Refresh Token")
    return replace(session, device_key=device_key) if bound is not None else session


async def refreshed(ctx: Context, pool: Pool, client: Client, token: str,
                    check: Callable[[User], None] | None = None, device_key: str | None = None,
                    metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """AuthenticationResult for a refresh token of `client`: the session is found live,
    its user exists, is enabled and passes `check` (a secret hash) and the device check
    before anything is recorded."""
    session, latest, began = await refresh_session(ctx, client, token)
    user = ctx.store.get_user_by_sub(pool.id, session.sub)
    if user is None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if check is not None:
        check(user)
    session = on_device(ctx, pool, user, session, device_key)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    rotated = successor(ctx, client, session, latest, began)
    sessions.used(ctx, pool, session)
    return await issue(ctx, pool, client, user, session=session, successor=rotated,
                       source="TokenGeneration_RefreshTokens", metadata=metadata)
