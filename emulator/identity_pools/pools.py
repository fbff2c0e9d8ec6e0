"""Identity pools themselves: create, describe, update, delete, list; their roles and
role mappings; tags; and principal-tag maps."""

from __future__ import annotations

from typing import Any

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException
from ..store_identity import IdentityPool
from .common import SERVICE, pool_of_arn, require_identity_pool

# The members of CreateIdentityPool's request kept as the pool's configuration.
_SETTINGS = ("AllowUnauthenticatedIdentities", "AllowClassicFlow", "SupportedLoginProviders",
             "DeveloperProviderName", "OpenIdConnectProviderARNs", "CognitoIdentityProviders",
             "SamlProviderARNs", "IdentityPoolTags")
# Principal-tag maps a provider has until SetPrincipalTagAttributeMap changes them
# (Cognito's defaults for user pools: tag name -> claim).
DEFAULT_PRINCIPAL_TAGS = {"client": "aud", "username": "sub"}


def _settings(req: Request, keep: dict[str, Any]) -> dict[str, Any]:
    config = {k: req[k] for k in _SETTINGS if k in req}
    config.setdefault("AllowClassicFlow", False)
    return {**config, **{k: v for k, v in keep.items() if k.startswith("_")}}


@action("CreateIdentityPool", service=SERVICE)
def create_identity_pool(ctx: Context, req: Request) -> Response:
    now = ctx.now()
    pool_id = ctx.ids.identity_pool_id(ctx.region, req["IdentityPoolName"],
                                       lambda i: ctx.store.get_identity_pool(i) is not None)
    pool = IdentityPool(id=pool_id, name=req["IdentityPoolName"], created=now, modified=now,
                        config=_settings(req, {}))
    ctx.store.add_identity_pool(pool)
    return pool.to_wire()


@action("DescribeIdentityPool", service=SERVICE)
def describe_identity_pool(ctx: Context, req: Request) -> Response:
    return require_identity_pool(ctx, req["IdentityPoolId"]).to_wire()


@action("UpdateIdentityPool", service=SERVICE)
def update_identity_pool(ctx: Context, req: Request) -> Response:
    """The request is the whole pool: what it leaves out is cleared (tags are kept when
    it names none, as Cognito keeps them)."""
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    tags = pool.config.get("IdentityPoolTags")
    pool.name = req["IdentityPoolName"]
    pool.config = _settings(req, pool.config)
    if "IdentityPoolTags" not in req and tags is not None:
        pool.config["IdentityPoolTags"] = tags
    pool.modified = ctx.now()
    ctx.store.put_identity_pool(pool)
    return pool.to_wire()


@action("DeleteIdentityPool", service=SERVICE)
def delete_identity_pool(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    ctx.store.delete_identity_pool(pool.id)
    return {}


@action("ListIdentityPools", service=SERVICE)
def list_identity_pools(ctx: Context, req: Request) -> Response:
    limit = req["MaxResults"]
    found = ctx.store.list_identity_pools(paging.decode(req.get("NextToken")), limit + 1, ctx.signed_region)
    return paging.listing([(p.id, p) for p in found], limit, "IdentityPools",
                          lambda p: {"IdentityPoolId": p.id, "IdentityPoolName": p.name})


# -- roles and role mappings ------------------------------------------------------------


def _check_role_mappings(mappings: dict[str, Any]) -> None:
    for provider, mapping in mappings.items():
        kind = mapping.get("Type")
        if kind in ("Token", "Rules") and "AmbiguousRoleResolution" not in mapping:
            raise InvalidParameterException(
                f"AmbiguousRoleResolution must be specified for role mapping of type {kind} ({provider}).")
        if kind == "Rules" and not (mapping.get("RulesConfiguration") or {}).get("Rules"):
            raise InvalidParameterException(f"RulesConfiguration is required for Rules role mapping ({provider}).")


@action("SetIdentityPoolRoles", service=SERVICE)
def set_identity_pool_roles(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    unknown = sorted(set(req["Roles"]) - {"authenticated", "unauthenticated"})
    if unknown:
        raise InvalidParameterException(f"Invalid role type: {unknown[0]}. Valid types: authenticated, unauthenticated.")
    mappings = req.get("RoleMappings") or {}
    _check_role_mappings(mappings)
    pool.config["_Roles"] = req["Roles"]
    pool.config["_RoleMappings"] = mappings
    pool.modified = ctx.now()
    ctx.store.put_identity_pool(pool)
    return {}


@action("GetIdentityPoolRoles", service=SERVICE)
def get_identity_pool_roles(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    out: dict[str, Any] = {"IdentityPoolId": pool.id, "Roles": pool.config.get("_Roles", {})}
    if pool.config.get("_RoleMappings"):
        out["RoleMappings"] = pool.config["_RoleMappings"]
    return out


# -- tags -------------------------------------------------------------------------------


@action("TagResource", service=SERVICE)
def tag_resource(ctx: Context, req: Request) -> Response:
    pool = pool_of_arn(ctx, req["ResourceArn"])
    tags = {**pool.config.get("IdentityPoolTags", {}), **req["Tags"]}
    if len(tags) > 50:
        raise InvalidParameterException("An identity pool can have at most 50 tags.")
    pool.config["IdentityPoolTags"] = tags
    ctx.store.put_identity_pool(pool)
    return {}


@action("UntagResource", service=SERVICE)
def untag_resource(ctx: Context, req: Request) -> Response:
    pool = pool_of_arn(ctx, req["ResourceArn"])
    tags = {k: v for k, v in pool.config.get("IdentityPoolTags", {}).items() if k not in req["TagKeys"]}
    pool.config["IdentityPoolTags"] = tags
    ctx.store.put_identity_pool(pool)
    return {}


@action("ListTagsForResource", service=SERVICE)
def list_tags_for_resource(ctx: Context, req: Request) -> Response:
    return {"Tags": pool_of_arn(ctx, req["ResourceArn"]).config.get("IdentityPoolTags", {})}


# -- principal tags -----------------------------------------------------------------------


def principal_tags(pool: IdentityPool, provider: str) -> dict[str, Any]:
    """{"UseDefaults", "PrincipalTags"} for the provider."""
    found: dict[str, Any] = pool.config.get("_PrincipalTags", {}).get(provider) or {"UseDefaults": True}
    tags = DEFAULT_PRINCIPAL_TAGS if found.get("UseDefaults") else found.get("PrincipalTags", {})
    return {"UseDefaults": bool(found.get("UseDefaults")), "PrincipalTags": tags}


@action("SetPrincipalTagAttributeMap", service=SERVICE)
def set_principal_tag_attribute_map(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = req["IdentityProviderName"]
    entry = {"UseDefaults": bool(req.get("UseDefaults", False)), "PrincipalTags": req.get("PrincipalTags", {})}
    pool.config.setdefault("_PrincipalTags", {})[provider] = entry
    pool.modified = ctx.now()
    ctx.store.put_identity_pool(pool)
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, **principal_tags(pool, provider)}


@action("GetPrincipalTagAttributeMap", service=SERVICE)
def get_principal_tag_attribute_map(ctx: Context, req: Request) -> Response:
    pool = require_identity_pool(ctx, req["IdentityPoolId"])
    provider = req["IdentityProviderName"]
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, **principal_tags(pool, provider)}
