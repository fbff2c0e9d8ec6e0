"""Developer-authenticated identities: the app's backend vouches for its own users
under the pool's DeveloperProviderName, gets OpenID tokens for them, looks them up,
merges and unlinks them."""

from __future__ import annotations

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import (
    DeveloperUserAlreadyRegisteredException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from ..store_identity import IdentityPool
from . import logins, minting
from .common import SERVICE, require_identity, require_identity_pool
from .identities import amr, new_identity, resolve

DEFAULT_SECONDS = 900  # GetOpenIdTokenForDeveloperIdentity's TokenDuration by default


def _provider(pool: IdentityPool, name: str | None = None) -> str:
    provider = pool.config.get("DeveloperProviderName")
    if not provider:
        raise InvalidParameterException("This identity pool has no developer provider name.")
    if name is not None and name != provider:
        raise InvalidParameterException(f"Developer provider name {name} does not match the identity pool's.")
    return str(provider)


@action("GetOpenIdTokenForDeveloperIdentity", service=SERVICE)
async def get_open_id_token_for_developer_identity(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = _provider(pool)
    given = dict(req["Logins"])
    user = given.pop(provider, None)
    found = await logins.check(ctx, pool, given)
    pool = require_identity_pool(ctx, pool.id)  # read again after the awaits
    identity_id = req.get("IdentityId")
    if user is not None:
        holder = ctx.store.identity_of_login(pool.id, provider, user)
        if holder is not None and identity_id is not None and holder != identity_id:
            raise DeveloperUserAlreadyRegisteredException(
                f"Developer user {user} is already registered with identity {holder}.")
        if identity_id is None:
            identity_id = holder or new_identity(ctx, pool).id
        require_identity(ctx, identity_id, pool.id)
        ctx.store.link_login(pool.id, provider, user, identity_id)
    if found or identity_id is None:
        identity_id = resolve(ctx, pool, found, identity_id)
    seconds = req.get("TokenDuration", DEFAULT_SECONDS)
    marks = amr(found) if found else ["authenticated"]
    if user is not None:
        marks.append(provider)
    claims = minting.open_id_claims(ctx, pool, identity_id, marks, seconds)
    return {"IdentityId": identity_id, "Token": await minting.open_id_token(ctx, claims)}


@action("LookupDeveloperIdentity", service=SERVICE)
def lookup_developer_identity(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = _provider(pool)
    identity_id, user = req.get("IdentityId"), req.get("DeveloperUserIdentifier")
    if identity_id is None and user is None:
        raise InvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be given.")
    if user is not None:
        holder = ctx.store.identity_of_login(pool.id, provider, user)
        if holder is None or (identity_id is not None and holder != identity_id):
            raise ResourceNotFoundException(f"Developer user {user} not found.")
        identity_id = holder
    assert identity_id is not None
    require_identity(ctx, identity_id, pool.id)
    limit = req.get("MaxResults", 60)
    users = ctx.store.subjects_of(pool.id, provider, identity_id, paging.decode(req.get("NextToken")), limit + 1)
    out = paging.listing([(u, u) for u in users], limit, "DeveloperUserIdentifierList", lambda u: u)
    return {"IdentityId": identity_id, **out}


@action("MergeDeveloperIdentities", service=SERVICE)
def merge_developer_identities(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = _provider(pool, req["DeveloperProviderName"])
    source = ctx.store.identity_of_login(pool.id, provider, req["SourceUserIdentifier"])
    target = ctx.store.identity_of_login(pool.id, provider, req["DestinationUserIdentifier"])
    if source is None or target is None:
        raise ResourceNotFoundException("Developer user not found.")
    if source != target:
        for login_provider, subject in ctx.store.logins_of(source):
            ctx.store.link_login(pool.id, login_provider, subject, target)
        ctx.store.delete_identity(source)
        ctx.store.touch_identity(target, ctx.now())
    return {"IdentityId": target}


@action("UnlinkDeveloperIdentity", service=SERVICE)
def unlink_developer_identity(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = _provider(pool, req["DeveloperProviderName"])
    identity = require_identity(ctx, req["IdentityId"], pool.id)
    if not ctx.store.unlink_login(pool.id, provider, req["DeveloperUserIdentifier"], identity.id):
        raise ResourceNotFoundException(f"Developer user {req['DeveloperUserIdentifier']} not found.")
    ctx.store.touch_identity(identity.id, ctx.now())
    return {}
