"""Identities: getting one (GetId), its credentials and OpenID token, and listing,
describing, deleting and unlinking them. An identity with a login linked is
authenticated; one without is a guest's, and keeps its id when its user signs in."""

from __future__ import annotations

from typing import Any

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException, NotAuthorizedException, ResourceConflictException
from ..store_identity import Identity, IdentityPool
from . import logins, minting, roles, sts
from .common import SERVICE, new_id, require_identity, require_identity_pool

OPEN_ID_SECONDS = 600  # GetOpenIdToken's tokens last ten minutes
NO_GUESTS = "Unauthenticated access is not supported for this identity pool."
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."


def new_identity(ctx: Context, pool: IdentityPool) -> Identity:
    now = ctx.now()
    identity = Identity(id=new_id(pool.id.split(":", 1)[0]), pool_id=pool.id, created=now, modified=now)
    ctx.store.add_identity(identity)
    return identity


def resolve(ctx: Context, pool: IdentityPool, found: list[logins.Login], given: str | None) -> str:
    """The identity the (verified) logins belong to, linking them as Cognito does: to
    the identity already holding one of them, else to the given one (a guest signing
    in keeps its id), else to a new identity. A guest whose login already has an
    identity is merged into it (the guest's id goes)."""
    own = {login.subject for login in found if login.provider == logins.IDENTITY_PROVIDER}
    for identity_id in own:  # an OpenID token outlives a deleted identity
        require_identity(ctx, identity_id, pool.id)
    linked = {ctx.store.identity_of_login(pool.id, lg.provider, lg.subject) for lg in found} - {None}
    holders = own | {i for i in linked if i is not None}
    if len(holders) > 1:
        raise ResourceConflictException("The logins belong to different identities.")
    target = next(iter(holders), None)
    if given is not None:
        identity = require_identity(ctx, given, pool.id)
        if target is not None and target != identity.id:
            if ctx.store.logins_of(identity.id):
                raise NotAuthorizedException(LOGINS_DONT_MATCH)
            ctx.store.delete_identity(identity.id)  # a guest merged into the user's identity
        target = target or identity.id
    if target is None:
        target = new_identity(ctx, pool).id
    for login in found:
        if login.provider != logins.IDENTITY_PROVIDER:
            ctx.store.link_login(pool.id, login.provider, login.subject, target)
    ctx.store.touch_identity(target, ctx.now())
    return target


def guest(ctx: Context, pool: IdentityPool, identity_id: str) -> None:
    """A call without Logins: only for a guest identity of a pool that allows guests."""
    if ctx.store.logins_of(identity_id):
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    if not pool.config.get("AllowUnauthenticatedIdentities"):
        raise NotAuthorizedException(NO_GUESTS)


@action("GetId", service=SERVICE)
async def get_id(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    given = req.get("Logins") or {}
    if not given:
        if not pool.config.get("AllowUnauthenticatedIdentities"):
            raise NotAuthorizedException(NO_GUESTS)
        return {"IdentityId": new_identity(ctx, pool).id}
    found = await logins.check(ctx, pool, given)
    pool = require_identity_pool(ctx, pool.id)  # read again after the awaits
    return {"IdentityId": resolve(ctx, pool, found, None)}


async def _signed_in(ctx: Context, req: Request) -> tuple[IdentityPool, str, list[logins.Login]]:
    """The pool, the identity and its verified logins (none for a guest) of a call that
    names an identity."""
    identity = require_identity(ctx, req["IdentityId"])
    pool = require_identity_pool(ctx, identity.pool_id)
    given = req.get("Logins") or {}
    if not given:
        guest(ctx, pool, identity.id)
        return pool, identity.id, []
    found = await logins.check(ctx, pool, given)
    pool = require_identity_pool(ctx, pool.id)
    return pool, resolve(ctx, pool, found, identity.id), found


def _user_pool_login(found: list[logins.Login]) -> logins.Login | None:
    return next((lg for lg in found if lg.mapping_key is not None), None)


@action("GetCredentialsForIdentity", service=SERVICE)
async def get_credentials_for_identity(ctx: Context, req: Request) -> Response:
    pool, identity_id, found = await _signed_in(ctx, req)
    if not found:
        role = roles.unauthenticated_role(pool)
    else:
        login = _user_pool_login(found)
        role = roles.authenticated_role(pool, login.mapping_key if login else None,
                                        login.claims if login else None, req.get("CustomRoleArn"))
    endpoint = ctx.settings.sts_endpoint
    if not endpoint:
        return {"IdentityId": identity_id, "Credentials": minting.credentials(ctx, role, identity_id)}
    # As Cognito does with AWS's STS: the identity's OpenID token traded for the role.
    claims = minting.open_id_claims(ctx, pool, identity_id, amr(found), OPEN_ID_SECONDS)
    token = await minting.open_id_token(ctx, claims)
    creds = await ctx.offload(sts.assume_role_with_web_identity, endpoint, role, token, minting.CREDENTIALS_SECONDS)
    return {"IdentityId": identity_id, "Credentials": creds}


def amr(found: list[logins.Login]) -> list[str]:
    if not found:
        return ["unauthenticated"]
    out = ["authenticated"]
    for login in found:
        host = login.provider.split("/", 1)[0]
        out += [host, f"{login.provider}:CognitoSignIn:{login.subject}"] if login.mapping_key else [host]
    return out


@action("GetOpenIdToken", service=SERVICE)
async def get_open_id_token(ctx: Context, req: Request) -> Response:
    """The basic (classic) flow's step: only where the pool allows that flow."""
    identity = require_identity(ctx, req["IdentityId"])
    if not require_identity_pool(ctx, identity.pool_id).config.get("AllowClassicFlow"):
        raise InvalidParameterException("Basic (classic) flow is not enabled, please use enhanced flow.")
    pool, identity_id, found = await _signed_in(ctx, req)
    claims = minting.open_id_claims(ctx, pool, identity_id, amr(found), OPEN_ID_SECONDS)
    return {"IdentityId": identity_id, "Token": await minting.open_id_token(ctx, claims)}


# -- listing, describing, deleting, unlinking -----------------------------------------------


def describe(ctx: Context, identity: Identity) -> dict[str, Any]:
    providers = sorted({provider for provider, _ in ctx.store.logins_of(identity.id)})
    return {"IdentityId": identity.id, "Logins": providers, "CreationDate": identity.created,
            "LastModifiedDate": identity.modified}


@action("DescribeIdentity", service=SERVICE)
def describe_identity(ctx: Context, req: Request) -> Response:
    identity = require_identity(ctx, req["IdentityId"])
    require_identity_pool(ctx, identity.pool_id)
    return describe(ctx, identity)


@action("ListIdentities", service=SERVICE)
def list_identities(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    limit = req["MaxResults"]
    found = ctx.store.list_identities(pool.id, paging.decode(req.get("NextToken")), limit + 1)
    out = paging.listing([(i.id, i) for i in found], limit, "Identities", lambda i: describe(ctx, i))
    return {"IdentityPoolId": pool.id, **out}


@action("DeleteIdentities", service=SERVICE)
def delete_identities(ctx: Context, req: Request) -> Response:
    # Ids that name no identity are gone already: Cognito reports none of them.
    for identity_id in req["IdentityIdsToDelete"]:
        identity = ctx.store.get_identity(identity_id)
        if identity is not None and ctx.signed_region in (None, identity_id.split(":", 1)[0]):
            ctx.store.delete_identity(identity_id)
    return {"UnprocessedIdentityIds": []}


@action("UnlinkIdentity", service=SERVICE)
async def unlink_identity(ctx: Context, req: Request) -> Response:
    identity = require_identity(ctx, req["IdentityId"])
    pool = require_identity_pool(ctx, identity.pool_id)
    found = await logins.check(ctx, pool, req["Logins"])
    mine = ctx.store.logins_of(identity.id)
    if not found or any((lg.provider, lg.subject) not in mine for lg in found):
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    remove = {logins.provider_name(k.rsplit("/", 1)[-1]) if "/" in k else k for k in req["LoginsToRemove"]}
    for provider, subject in mine:
        if provider in remove:
            ctx.store.unlink_login(pool.id, provider, subject, identity.id)
    ctx.store.touch_identity(identity.id, ctx.now())
    return {}
