"""GetDerivedToken: OAuth 2.0 token exchange (RFC 8693) through the API. A user pool ID
or access token (the subject) becomes an access token for the requesting client, with
the scopes the subject, the client and the request all allow, bound to one audience or
resource server; with an actor token (delegation) it names the actor in an `act` claim.
An ID token can be asked for instead (RequestedTokenType). A token of one of the pool's
OIDC identity providers (SubjectTokenProviderName) stands for the federated user it
signed in; SAML 2.0 assertions are not exchanged."""

from __future__ import annotations

import uuid
from typing import Any

from .. import federation, providers, revocation, tokens
from ..api import Context, Request, Response, action
from ..authflows import allowed_flows
from ..errors import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from ..issuing import token_claims, validity_seconds
from ..lookup import client_secret_matches, require_client, require_pool, user_key
from ..records import Client, Pool, TokenSession
from ..urls import issuer, pool_id_from_issuer


def _claims_of(ctx: Context, pool: Pool, token: str, kind: str, what: str) -> dict[str, Any]:
    """The claims of a live ID or access token of this pool (`kind`: ACCESS_TOKEN / ID_TOKEN)."""
    invalid = NotAuthorizedException(f"Invalid {what}.")
    if kind == "SAML2":
        raise InvalidParameterException(f"This emulator does not exchange SAML 2.0 assertions (no SAML federation): it cannot be the {what}.")
    try:
        jws = tokens.parse(token)
        found = ctx.keys.find(jws.header.get("kid"))
        if found is None or found[0] != pool.id:
            raise invalid
        claims = tokens.verify(found[1], jws)
    except tokens.InvalidToken:
        raise invalid from None
    use = "access" if kind == "ACCESS_TOKEN" else "id"
    if claims.get("token_use") != use or pool_id_from_issuer(str(claims.get("iss", ""))) != pool.id:
        raise invalid
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= ctx.now():
        raise NotAuthorizedException(f"The {what} has expired.")
    if "origin_jti" in claims and revocation.revoked(ctx, pool.id, str(claims.get("sub")), str(claims["origin_jti"]),
                                                     int(claims.get("iat") or 0)):
        raise NotAuthorizedException(f"The {what} has been revoked.")
    return claims


def _requester(ctx: Context, req: Request) -> tuple[Pool, Client]:
    client = require_client(ctx, req["ClientId"])
    if client.secret and not req.get("ClientSecret"):
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not client_secret_matches(client, req.get("ClientSecret")):
        raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    flow = "ALLOW_TOKEN_EXCHANGE_DELEGATION" if req.get("ActorToken") else "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"
    if flow not in allowed_flows(client):
        raise NotAuthorizedException(f"{flow} is not enabled for client {client.id}.")
    return require_pool(ctx, client.pool_id), client


def _granted(client: Client, subject: dict[str, Any], requested: list[str] | None) -> list[str]:
    held = str(subject.get("scope") or "").split()
    if not held:  # an ID token carries no scope: what its client may grant
        held = list(client.config.get("AllowedOAuthScopes") or [])
    allowed = set(client.config.get("AllowedOAuthScopes") or []) | {"aws.cognito.signin.user.admin"}
    return [s for s in (requested if requested else held) if s in held and s in allowed]


async def _token_of(ctx: Context, pool: Pool, token: str, kind: str, provider: str | None,
                    what: str) -> dict[str, Any]:
    """The claims of the subject (or actor) token: the pool's own, or, with a provider name,
    a token of one of the pool's OIDC providers standing for the federated user it signed
    in (`<ProviderName>_<id>`; a user it never signed in is not found)."""
    if not provider:
        return _claims_of(ctx, pool, token, kind, what)
    record = providers.get(pool, provider)
    if record is None:
        raise InvalidParameterException(f"Identity provider {provider} does not exist in the user pool.")
    details = record["ProviderDetails"]
    if kind == "SAML2" or "oidc_issuer" not in details:
        raise InvalidParameterException(
            f"This emulator exchanges tokens of OIDC providers only, not of {record['ProviderType']} ones.")
    try:
        claims = await ctx.offload(federation.provider_token, details, token, kind, ctx.now())
    except federation.FederationError as err:
        raise NotAuthorizedException(f"Invalid {what}: {err.description}") from None
    subject, _ = federation.mapped(record, claims)
    user = ctx.store.get_user(pool.id, user_key(pool, federation.username_of(provider, subject)))
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return {"sub": user.sub, "username": user.username, **({"auth_time": claims["auth_time"]}
                                                            if isinstance(claims.get("auth_time"), int) else {})}


@action("GetDerivedToken")
async def get_derived_token(ctx: Context, req: Request) -> Response:
    pool, client = _requester(ctx, req)
    if req.get("Audiences") and req.get("Resources"):
        raise InvalidParameterException("Audiences and Resources cannot both be requested.")
    subject = await _token_of(ctx, pool, req["SubjectToken"], req["SubjectTokenType"],
                              req.get("SubjectTokenProviderName"), "subject token")
    audience = (req.get("Audiences") or req.get("Resources") or [None])[0]
    if req.get("RequestedTokenType") == "ID_TOKEN":
        return await _id_token(ctx, pool, client, subject, audience)
    scopes = _granted(client, subject, req.get("Scopes"))
    iat, ttl = int(ctx.now()), validity_seconds(client, "AccessToken")
    claims: dict[str, Any] = {
        "sub": subject["sub"], "iss": issuer(ctx.settings, ctx.base_url, ctx.region, pool.id),
        "client_id": client.id, "token_use": "access", "scope": " ".join(scopes), "auth_time": subject.get(
            "auth_time", iat), "iat": iat, "exp": iat + ttl, "jti": str(uuid.uuid4()), "version": 2,
    }
    for name in ("username", "cognito:username", "origin_jti"):
        if name in subject:
            claims["username" if name == "cognito:username" else name] = subject[name]
    if audience:
        claims["aud"] = audience
    if req.get("ActorToken"):
        if not req.get("ActorTokenType"):
            raise InvalidParameterException("ActorTokenType is required with an ActorToken.")
        actor = await _token_of(ctx, pool, req["ActorToken"], req["ActorTokenType"],
                                req.get("ActorTokenProviderName"), "actor token")
        claims["act"] = {"sub": actor["sub"], **({"client_id": actor["client_id"]} if "client_id" in actor else {})}
    token = await ctx.offload(tokens.sign, ctx.keys.get(pool.id), claims)
    return {"IssuedToken": token, "IssuedTokenType": "ACCESS_TOKEN", "TokenType": "Bearer", "ExpiresIn": ttl,
            "Scopes": scopes}


async def _id_token(ctx: Context, pool: Pool, client: Client, subject: dict[str, Any],
                    audience: str | None) -> Response:
    """An ID token of the subject's user, as the requesting client's sign-in would mint it
    (its readable attributes, groups, `aud` the client, or the audience asked for). An ID
    token is no access token: RFC 8693's token_type `N_A`, and no scopes."""
    user = ctx.store.get_user_by_sub(pool.id, str(subject.get("sub")))
    if user is None:
        raise UserNotFoundException("User does not exist.")
    iat = int(ctx.now())
    session = TokenSession(origin_jti=str(subject.get("origin_jti") or uuid.uuid4()), pool_id=pool.id,
                           client_id=client.id, username=user.username, sub=user.sub,
                           auth_time=int(subject.get("auth_time") or iat), iat=iat, created=ctx.now(),
                           expires=ctx.now())
    _, claims = token_claims(ctx, pool, client, user, session, iat)
    assert claims is not None  # a session without OAuth scopes always has an ID token
    if audience:
        claims["aud"] = audience
    token = await ctx.offload(tokens.sign, ctx.keys.get(pool.id), claims)
    return {"IssuedToken": token, "IssuedTokenType": "ID_TOKEN", "TokenType": "N_A",
            "ExpiresIn": validity_seconds(client, "IdToken")}
