"""Minting Cognito's ID, access and refresh tokens, and checking them wherever Cognito
does: signature, expiry (by the injected clock), pool, revocation, user state."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from . import jwe, offload, revocation, sessions, tokens
from .api import Context
from .attributes import VERIFIED_FLAGS, readable
from .errors import NotAuthorizedException, UserNotFoundException
from .lookup import user_key
from .model import service_model
from .records import Client, Pool, TokenSession, User
from .triggers import machine, pretoken, target
from .urls import issuer, pool_id_from_issuer

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Token lifetimes when a client leaves its validity out (1 h, 1 h, 30 days), and the
# unit a validity given without TokenValidityUnits is in (Cognito: hours, hours, days).
DEFAULT_SECONDS = {"AccessToken": 3600, "IdToken": 3600, "RefreshToken": 30 * 86400}
DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def config_validity_seconds(config: dict[str, Any], kind: str) -> int:
    """kind: AccessToken, IdToken or RefreshToken; config: a client's settings."""
    value = config.get(f"{kind}Validity")
    if not value:
        return DEFAULT_SECONDS[kind]
    unit = (config.get("TokenValidityUnits") or {}).get(kind) or DEFAULT_UNITS[kind]
    return int(value) * UNIT_SECONDS[unit]


def validity_seconds(client: Client, kind: str) -> int:
    return config_validity_seconds(client.config, kind)


def _groups_claims(ctx: Context, pool: Pool, user: User) -> dict[str, Any]:
    groups = ctx.store.groups_of(pool.id, user_key(pool, user.username))
    if not groups:
        return {}
    out: dict[str, Any] = {"cognito:groups": [g.name for g in groups]}
    roles = [g for g in groups if g.role_arn]
    if roles:
        out["cognito:roles"] = sorted({g.role_arn for g in roles if g.role_arn})
        ranked = sorted((g for g in roles if g.precedence is not None), key=lambda g: g.precedence or 0)
        if ranked and (len(ranked) == 1 or ranked[0].precedence != ranked[1].precedence
                       or ranked[0].role_arn == ranked[1].role_arn):
            out["cognito:preferred_role"] = ranked[0].role_arn
    return out


def _attribute_claims(client: Client, pool: Pool, user: User) -> dict[str, Any]:
    allowed = readable(client, pool)
    out: dict[str, Any] = {}
    if "identities" in user.attributes:  # federated users: a JSON list, as Cognito's ID tokens carry it
        out["identities"] = json.loads(user.attributes["identities"])
    for name, value in user.attributes.items():
        if name not in allowed:
            continue
        out[name] = (value == "true") if name in VERIFIED_FLAGS else value
    return out


def at_hash(access_token: str) -> str:
    """OpenID Connect's at_hash: the left half of the token's SHA-256, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def new_session(
    ctx: Context, pool: Pool, client: Client, user: User, *, auth_time: int | None = None,
    scopes: list[str] | None = None, device_key: str | None = None, new_device: str | None = None,
) -> TokenSession:
    """A sign-in's new token family, not yet recorded (record_session, once nothing can
    fail the sign-in any more)."""
    now = ctx.now()
    return TokenSession(
        origin_jti=str(uuid.uuid4()), pool_id=pool.id, client_id=client.id, username=user.username,
        sub=user.sub, auth_time=auth_time or int(now), iat=int(now), created=now,
        expires=now + validity_seconds(client, "RefreshToken"),
        scopes=" ".join(scopes) if scopes is not None else None, device_key=device_key, new_device=new_device,
    )


def record_session(ctx: Context, pool: Pool, session: TokenSession, sso_session: str | None = None) -> None:
    """Nothing is stored for a new family, but in the rare case revocation.py explains
    (the user signed out in this very second) and where the pool tracks sessions (the
    token session then names the SSO session `sso_session` it came through, if one)."""
    revocation.note_new_family(ctx, session)
    if sessions.tracking(pool):
        sessions.opened(ctx, pool, session, sso_session)


def refresh_token(ctx: Context, session: TokenSession) -> str:
    """The session sealed into a refresh token of Cognito's shape (jwe.py)."""
    return jwe.seal(ctx.keys.get(session.pool_id), session.to_claims())


def token_claims(
    ctx: Context, pool: Pool, client: Client, user: User, session: TokenSession, iat: int,
    group_claims: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The access token's claims, and the ID token's (None when an OAuth sign-in did not
    ask for openid). `group_claims`: the user's groups as already read, if they were."""
    iss = issuer(ctx.settings, ctx.base_url, ctx.region, pool.id)
    common = {
        "sub": user.sub, "iss": iss, "origin_jti": session.origin_jti, "event_id": str(uuid.uuid4()),
        "auth_time": session.auth_time, "iat": iat,
    }
    # Both tokens list the groups; only the ID token carries the roles.
    if group_claims is None:
        group_claims = _groups_claims(ctx, pool, user)
    access_groups = {k: v for k, v in group_claims.items() if k == "cognito:groups"}
    access = {
        **common, **access_groups, "client_id": client.id, "token_use": "access",
        "scope": ADMIN_SCOPE if session.scopes is None else session.scopes,
        "exp": iat + validity_seconds(client, "AccessToken"), "jti": str(uuid.uuid4()), "username": user.username,
    }
    if session.device_key is not None:
        access["device_key"] = session.device_key
    if session.scopes is not None:
        access["version"] = 2
    if session.scopes is not None and "openid" not in session.scopes.split():
        return access, None
    id_claims = {
        **_attribute_claims(client, pool, user), **common, **group_claims, "aud": client.id, "token_use": "id",
        "cognito:username": user.username, "exp": iat + validity_seconds(client, "IdToken"),
        "jti": str(uuid.uuid4()),
    }
    return access, id_claims


async def issue(
    ctx: Context, pool: Pool, client: Client, user: User,
    *, auth_time: int | None = None, session: TokenSession | None = None,
    scopes: list[str] | None = None, nonce: str | None = None, successor: TokenSession | None = None,
    device_key: str | None = None, new_device: str | None = None, sso_session: str | None = None,
    source: str = "TokenGeneration_Authentication", metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """AuthenticationResult for a sign-in (new session, with a refresh token) or a
    refresh (existing session: same origin_jti and auth_time, no refresh token).

    `scopes` marks an OAuth sign-in (hosted UI): the access token carries them and
    `version: 2`, the ID token exists only with `openid` and adds `at_hash` (and `nonce`
    when sent); the session keeps the scopes for its refreshes. A refresh with rotation
    passes the `successor` session, sealed into the new refresh token. A pool's
    PreTokenGeneration trigger (`source` names the occasion) changes the claims before
    they are signed: if it fails, nothing is issued and nothing written."""
    refresh = refresh_token(ctx, successor) if successor is not None else None
    fresh = session is None
    if session is None:
        session = new_session(ctx, pool, client, user, auth_time=auth_time, scopes=scopes, device_key=device_key,
                              new_device=new_device)
        refresh = refresh_token(ctx, session)
    first = refresh is not None and successor is None
    group_claims = _groups_claims(ctx, pool, user)
    access, id_claims = token_claims(ctx, pool, client, user, session, session.iat if first else int(ctx.now()),
                                     group_claims)
    key = ctx.keys.get(pool.id)
    oauth = session.scopes is not None
    signed = None
    if target(ctx, pool, "PreTokenGeneration") is not None:
        signed = await _pre_token(ctx, pool, client, user, session, scopes, source, metadata, group_claims,
                                  functools.partial(sign_tokens, key, access, id_claims, oauth, nonce))
    if signed is None:
        signed = await _sign(ctx, key, access, id_claims, oauth, nonce)
    if fresh:
        record_session(ctx, pool, session, sso_session)
    result: dict[str, Any] = {"ExpiresIn": validity_seconds(client, "AccessToken"), "TokenType": "Bearer", **signed}
    if refresh:
        result["RefreshToken"] = refresh
    return result


async def _sign(ctx: Context, key: Any, access: dict[str, Any], id_claims: dict[str, Any] | None, oauth: bool,
                nonce: str | None) -> dict[str, str]:
    """The tokens signed (RS256: ~0.3-0.7 ms of CPU each) off the loop, between units of work."""
    return await ctx.offload(sign_tokens, key, access, id_claims, oauth, nonce)


def sign_tokens(key: Any, access: dict[str, Any], id_claims: dict[str, Any] | None, oauth: bool,
                nonce: str | None, changes: pretoken.TokenChanges | None = None) -> dict[str, str]:
    """Both tokens signed on worker threads, the trigger's `changes` applied first: side
    by side (the ID token forked to a second worker), but for an OAuth sign-in, whose ID
    token carries at_hash: the access token comes first there."""
    if changes is not None:
        pretoken.apply(changes, access, id_claims)
    if id_claims is None:
        return {"AccessToken": tokens.sign(key, access)}
    if nonce:
        id_claims["nonce"] = nonce
    if oauth:
        access_token = tokens.sign(key, access)
        id_claims["at_hash"] = at_hash(access_token)
        return {"AccessToken": access_token, "IdToken": tokens.sign(key, id_claims)}
    forked = offload.fork(tokens.sign, key, id_claims)
    return {"AccessToken": tokens.sign(key, access), "IdToken": forked.join()}


async def _pre_token(
    ctx: Context, pool: Pool, client: Client, user: User, session: TokenSession, scopes: list[str] | None,
    source: str, metadata: dict[str, str] | None, group_claims: dict[str, Any],
    sign: Callable[[pretoken.TokenChanges], dict[str, str]],
) -> dict[str, str] | None:
    """The tokens, signed with the trigger's changes on the worker thread that ran the
    function (one hand-off for both); None when no function ran. The user is read again
    after the await: still there, still enabled, or nothing is issued."""
    granted = session.scopes.split() if session.scopes is not None else scopes
    signed: dict[str, str] | None = await pretoken.pre_token_generation(
        ctx, pool, client, user, source, group_claims, granted if granted is not None else [ADMIN_SCOPE], metadata,
        then=sign)
    now = ctx.store.get_user_by_sub(pool.id, user.sub)
    if now is None or not now.enabled:
        raise NotAuthorizedException("User is disabled." if now else "User does not exist.")
    return signed


async def issue_client_credentials(ctx: Context, pool: Pool, client: Client, scopes: list[str],
                                   metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """The access token of a client_credentials grant: the client is its own subject. A
    pool's V3_0 PreTokenGeneration runs first (triggers/machine.py): if it fails, nothing
    is issued."""
    changes = None
    if target(ctx, pool, "PreTokenGeneration") is not None:
        changes = await machine.client_credentials(ctx, pool, client, scopes, metadata)
    iat = int(ctx.now())
    ttl = validity_seconds(client, "AccessToken")
    claims = {
        "sub": client.id, "token_use": "access", "scope": " ".join(scopes), "auth_time": iat,
        "iss": issuer(ctx.settings, ctx.base_url, ctx.region, pool.id), "exp": iat + ttl, "iat": iat,
        "version": 2, "jti": str(uuid.uuid4()), "client_id": client.id,
    }
    if changes is not None:
        pretoken.apply(changes, claims, None)
    token = await ctx.offload(tokens.sign, ctx.keys.get(pool.id), claims)
    return {"AccessToken": token, "ExpiresIn": ttl, "TokenType": "Bearer"}


def authenticate(ctx: Context, token: str, scope: str = ADMIN_SCOPE) -> tuple[Pool, User, dict[str, Any]]:
    """The pool, user and claims of a valid access token carrying `scope`, or Cognito's error."""
    pool, user, _, claims = signed_in(ctx, token, scope)
    return pool, user, claims


def signed_in(ctx: Context, token: str, scope: str = ADMIN_SCOPE) -> tuple[Pool, User, Client, dict[str, Any]]:
    """authenticate(), with the token's app client (read once, for the check that it
    still exists, and handed on so the action need not read it again)."""
    invalid = NotAuthorizedException("Invalid Access Token")
    try:
        jws = tokens.parse(token)
        # The key is found by the header's kid, and the claims are read only once the
        # signature over them holds: nothing a forged token says reaches the store.
        found = ctx.keys.find(jws.header.get("kid"))
        if found is None:
            raise invalid
        pool_id, key = found
        claims = tokens.verify(key, jws)
    except tokens.InvalidToken:
        raise invalid from None
    pool = ctx.store.get_pool(pool_id)
    if pool is None or pool_id_from_issuer(str(claims.get("iss", ""))) != pool_id:
        raise invalid
    if claims.get("token_use") != "access" or not isinstance(claims.get("exp"), int) \
            or not isinstance(claims.get("iat"), int):
        raise invalid
    if claims["exp"] <= ctx.now():
        raise NotAuthorizedException("Access Token has expired")
    # Before the user: a client_credentials token (custom scopes only) names no user.
    if scope not in str(claims.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    user = ctx.store.get_user_by_sub(pool.id, str(claims.get("sub")))
    if user is None:
        # A deleted user's token: "User does not exist." where the action may say so
        # (GetUser does), else revoked, as deleting the user revoked it (GlobalSignOut).
        op = service_model().operations.get(ctx.action)
        if op is None or "UserNotFoundException" in op.errors:
            raise UserNotFoundException("User does not exist.")
        raise NotAuthorizedException("Access Token has been revoked")
    client = ctx.store.get_client(str(claims.get("client_id")))
    # Deleting the app client ends its tokens too.
    if client is None or client.pool_id != pool.id or \
            revocation.revoked(ctx, pool.id, user.sub, str(claims.get("origin_jti")), claims["iat"]):
        raise NotAuthorizedException("Access Token has been revoked")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    ctx.client_id = ctx.client_id or client.id  # for the triggers the call runs
    return pool, user, client, claims


async def sealed_session(ctx: Context, client: Client, refresh_token: str) -> TokenSession | None:
    """The session a refresh token sealed by the client's pool carries, whatever its
    state; None for anything else. Unsealing is an RSA private-key operation (~1 ms of
    CPU): it runs on a worker thread, between units of work."""
    try:
        claims = await ctx.offload(jwe.unseal, ctx.keys.get(client.pool_id), refresh_token)
        session = TokenSession.from_claims(claims)
    except (tokens.InvalidToken, TypeError, ValueError):
        return None
    return session if session.pool_id == client.pool_id else None


async def refresh_session(ctx: Context, client: Client, refresh_token: str) -> tuple[TokenSession, int, float | None]:
    """The live session a refresh token of this client carries, with its family's latest
    refresh-token generation and when that began (refreshing.py); all read after the
    unsealing's await, in one statement."""
    session = await sealed_session(ctx, client, refresh_token)
    # A token older than the client is another client's, whose id a deleted one had.
    if session is None or session.client_id != client.id or session.created < client.created:
        raise NotAuthorizedException("Invalid Refresh Token")
    revoked, latest, began = revocation.refresh_marks(ctx, session)
    if revoked:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if session.expires <= ctx.now():
        raise NotAuthorizedException("Refresh Token has expired")
    return session, latest, began
