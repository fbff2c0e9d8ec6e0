"""User sessions: the pool's and each client's session configuration, and listing and
revoking a user's tracked token and SSO sessions (sessions.py), by access token and as
admin."""

from __future__ import annotations

from typing import Any

from .. import paging, sessions
from ..api import Context, Request, Response, action
from ..errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from ..issuing import authenticate
from ..lookup import require_client, require_pool, require_user
from ..records import Pool, User, UserSession


def _pool_wire(pool: Pool) -> Response:
    config = sessions.config(pool)
    return {"UserPoolId": pool.id, "UserSessionTracking": config.get("UserSessionTracking") or "DISABLED",
            "TokenSession": {"MaxPerUser": int(config.get("MaxPerUser") or sessions.DEFAULT_MAX_PER_USER)}}


@action("GetUserPoolSessionConfiguration")
def get_user_pool_session_configuration(ctx: Context, req: Request) -> Response:
    return _pool_wire(require_pool(ctx, req["UserPoolId"]))


@action("SetUserPoolSessionConfiguration")
def set_user_pool_session_configuration(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Session tracking needs the Essentials or Plus tier.")
    config = sessions.config(pool)
    config.update(UserSessionTracking=req["UserSessionTracking"], MaxPerUser=req["TokenSession"]["MaxPerUser"])
    pool.config[sessions.KEY] = config
    pool.modified = ctx.now()
    ctx.store.put_pool(pool)
    return _pool_wire(pool)


def _client_wire(pool: Pool, client_id: str) -> Response:
    return {"UserPoolId": pool.id, "ClientId": client_id,
            "SSOSession": {"MaxValidityMinutes": sessions.sso_minutes(pool, client_id)}}


@action("GetUserPoolClientSessionConfiguration")
def get_user_pool_client_session_configuration(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return _client_wire(pool, require_client(ctx, req["ClientId"], pool.id).id)


@action("SetUserPoolClientSessionConfiguration")
def set_user_pool_client_session_configuration(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Session tracking needs the Essentials or Plus tier.")
    if not sessions.tracking(pool):
        raise InvalidParameterException("Session tracking is not enabled for the user pool.")
    config = sessions.config(pool)
    config["Clients"] = {**(config.get("Clients") or {}), client.id: req["SSOSession"]["MaxValidityMinutes"]}
    pool.config[sessions.KEY] = config
    pool.modified = ctx.now()
    ctx.store.put_pool(pool)
    return _client_wire(pool, client.id)


PAGE = 125  # AdminListUserSessions: "all of a user's sessions in a single page of up to 125"


def _listing(ctx: Context, pool: Pool, user: User, req: Request, current: str | None) -> Response:
    after = paging.decode(req.get("NextToken"))
    rows = [r for r in sessions.listed(ctx, pool, user) if r.session_id > after]

    def wire(row: UserSession) -> dict[str, Any]:
        out = row.to_wire()
        # Always false for AdminListUserSessions, which has no access token (the model).
        out["IsCurrentSession"] = current is not None and not row.sso and row.origin_jti == current
        return out

    return paging.listing([(r.session_id, r) for r in rows[:PAGE + 1]], PAGE, "Sessions", wire)


def _find(ctx: Context, pool: Pool, user: User, session_id: str) -> tuple[UserSession, list[UserSession]]:
    """The session, and the rest of the user's live sessions."""
    rows = sessions.listed(ctx, pool, user)
    for row in rows:
        if row.session_id == session_id:
            return row, [r for r in rows if r is not row]
    raise ResourceNotFoundException("Session does not exist.")


def _revoke(ctx: Context, row: UserSession, others: list[UserSession], req: Request) -> None:
    """End the session; with LINKED, also the SSO session a token session came through,
    or the token sessions that came through an SSO session."""
    sessions.end(ctx, row)
    if req.get("RevokeAssociatedSessions") != "LINKED":
        return
    for other in others:
        if (row.sso and other.origin_session == row.session_id) or other.session_id == row.origin_session:
            sessions.end(ctx, other)


@action("ListUserSessions")
def list_user_sessions(ctx: Context, req: Request) -> Response:
    pool, user, claims = authenticate(ctx, req["AccessToken"])
    return _listing(ctx, pool, user, req, str(claims.get("origin_jti")))


@action("AdminListUserSessions")
def admin_list_user_sessions(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return _listing(ctx, pool, require_user(ctx, pool, req["Username"]), req, None)


@action("RevokeUserSession")
def revoke_user_session(ctx: Context, req: Request) -> Response:
    pool, user, claims = authenticate(ctx, req["AccessToken"])
    row, others = _find(ctx, pool, user, req["SessionId"])
    if not row.sso and row.origin_jti == claims.get("origin_jti"):
        raise InvalidParameterException("The session of the calling access token cannot be revoked.")
    _revoke(ctx, row, others, req)
    return {}


@action("AdminRevokeUserSession")
def admin_revoke_user_session(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    _revoke(ctx, *_find(ctx, pool, user, req["SessionId"]), req)
    return {}
