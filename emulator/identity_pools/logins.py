"""Checking a call's `Logins`: each entry names a provider the identity pool trusts and
carries that provider's token, verified as Cognito verifies it.

- `cognito-idp.<region>.amazonaws.com/<user pool id>` (or the emulator's own issuer
  form, `<host>/<user pool id>`): an ID token this emulator issued for that pool,
  checked for its signature (the pool's key), expiry, `aud` (an app client the pool
  lists in CognitoIdentityProviders) and, with ServerSideTokenCheck, a user who still
  exists, is enabled and has not been signed out.
- `cognito-identity.amazonaws.com`: an OpenID token of this emulator's identity pools
  (GetOpenIdTokenForDeveloperIdentity), for its own pool and identity.
Any other provider is refused: the emulator cannot check Facebook's or Google's tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import revocation, tokens
from ..api import Context
from ..errors import NotAuthorizedException
from ..store_identity import IdentityPool
from ..tokens import IDENTITY_KEY
from ..urls import pool_id_from_issuer

IDENTITY_PROVIDER = "cognito-identity.amazonaws.com"
_USER_POOL_KEY = re.compile(r"(?:https?://)?([^/\s]+)/([\w-]+_[0-9a-zA-Z]+)/?")
_AWS_HOST = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com")
UNSUPPORTED = "Token is not from a supported provider of this identity pool."
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."


@dataclass(frozen=True)
class Login:
    provider: str  # as Cognito names it: cognito-idp.<region>.amazonaws.com/<pool id>
    subject: str  # the user's sub (or, for our own OpenID tokens, the identity id)
    claims: dict[str, Any]
    mapping_key: str | None  # how RoleMappings names this login: <provider>:<client id>


def provider_name(user_pool_id: str) -> str:
    return f"cognito-idp.{user_pool_id.split('_', 1)[0]}.amazonaws.com/{user_pool_id}"


async def check(ctx: Context, pool: IdentityPool, logins: dict[str, str]) -> list[Login]:
    """Every entry verified, or NotAuthorizedException for the first that is not."""
    return [await _check_one(ctx, pool, key, token) for key, token in logins.items()]


async def _check_one(ctx: Context, pool: IdentityPool, key: str, token: str) -> Login:
    if key == IDENTITY_PROVIDER:
        return await _own_token(ctx, pool, token)
    match = _USER_POOL_KEY.fullmatch(key)
    if match is None:
        raise NotAuthorizedException(UNSUPPORTED)
    host, user_pool_id = match.groups()
    provider = provider_name(user_pool_id)
    entries = [p for p in pool.config.get("CognitoIdentityProviders", []) if p.get("ProviderName") == provider]
    aws = _AWS_HOST.fullmatch(host)
    if not entries or (aws is not None and aws.group(1) != user_pool_id.split("_", 1)[0]):
        raise NotAuthorizedException(UNSUPPORTED)
    claims = await _verified(ctx, token, user_pool_id)
    # The key's own form must be the token's issuer, when it is not AWS's.
    if aws is None and str(claims.get("iss", "")).split("://", 1)[-1].rstrip("/") != key.split("://", 1)[-1].rstrip("/"):
        raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
    _check_claims(ctx, claims, user_pool_id)
    entry = next((e for e in entries if e.get("ClientId") in (None, claims.get("aud"))), None)
    if entry is None:
        raise NotAuthorizedException("Invalid login token. Incorrect token audience.")
    if entry.get("ServerSideTokenCheck"):
        _server_side_check(ctx, user_pool_id, claims)
    return Login(provider, str(claims["sub"]), claims, f"{provider}:{claims.get('aud')}")


async def _verified(ctx: Context, token: str, user_pool_id: str) -> dict[str, Any]:
    """The claims of a token signed by the user pool's key (found by the header's kid:
    nothing the token says is read before its signature holds)."""
    try:
        jws = tokens.parse(token)
        found = ctx.keys.find(jws.header.get("kid"))
        if found is None or found[0] != user_pool_id or ctx.store.get_pool(user_pool_id) is None:
            raise NotAuthorizedException(NOT_OIDC)
        claims: dict[str, Any] = await ctx.offload(tokens.verify, found[1], jws)
    except tokens.InvalidToken:
        raise NotAuthorizedException(NOT_OIDC) from None
    return claims


def _check_claims(ctx: Context, claims: dict[str, Any], user_pool_id: str) -> None:
    if pool_id_from_issuer(str(claims.get("iss", ""))) != user_pool_id:
        raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
    if claims.get("token_use") != "id" or not isinstance(claims.get("exp"), int) \
            or not isinstance(claims.get("sub"), str):
        raise NotAuthorizedException(NOT_OIDC)
    now = int(ctx.now())
    if claims["exp"] <= now:
        raise NotAuthorizedException(f"Invalid login token. Token expired: {now} >= {claims['exp']}")


def _server_side_check(ctx: Context, user_pool_id: str, claims: dict[str, Any]) -> None:
    """ServerSideTokenCheck: the user pool is asked whether the user still stands."""
    user = ctx.store.get_user_by_sub(user_pool_id, str(claims["sub"]))
    iat = claims.get("iat")
    if user is None or not user.enabled or not isinstance(iat, int) or \
            revocation.revoked(ctx, user_pool_id, user.sub, str(claims.get("origin_jti")), iat):
        raise NotAuthorizedException("Invalid login token. Token has been revoked.")


async def _own_token(ctx: Context, pool: IdentityPool, token: str) -> Login:
    """An OpenID token of this emulator's identity pools, for this pool."""
    try:
        jws = tokens.parse(token)
        claims: dict[str, Any] = await ctx.offload(tokens.verify, ctx.keys.get(IDENTITY_KEY), jws)
    except tokens.InvalidToken:
        raise NotAuthorizedException(NOT_OIDC) from None
    exp, now = claims.get("exp"), int(ctx.now())
    if claims.get("aud") != pool.id or not isinstance(claims.get("sub"), str) or not isinstance(exp, int):
        raise NotAuthorizedException(NOT_OIDC)
    if exp <= now:
        raise NotAuthorizedException(f"Invalid login token. Token expired: {now} >= {exp}")
    return Login(IDENTITY_PROVIDER, claims["sub"], claims, None)
