"""User-pool identity providers: create, describe, update, delete, list, and find one by
an IdpIdentifier. The records and their rules live in emulator/providers.py."""

from __future__ import annotations

from typing import Any

from .. import paging, providers
from ..api import Context, Request, Response, action
from ..errors import (
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ..lookup import require_pool
from ..records import Pool

# Cognito's quota: 300 identity providers a pool (Developer Guide, quotas).
MAX_PROVIDERS = 300
RESERVED = {"cognito"}


def _require(pool: Pool, name: str) -> dict[str, Any]:
    record = providers.get(pool, name)
    if record is None:
        raise ResourceNotFoundException(f"Identity provider {name} does not exist.")
    return record


@action("CreateIdentityProvider")
def create_identity_provider(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    name, kind = req["ProviderName"], req["ProviderType"]
    if name.lower() in RESERVED:
        raise InvalidParameterException(f"{name} is a reserved provider name.")
    if kind in providers.SOCIAL and name != kind:
        raise InvalidParameterException(f"A {kind} identity provider must be named {kind}.")
    if providers.get(pool, name) is not None:
        raise DuplicateProviderException(f"A provider with the name {name} already exists in this user pool.")
    if len(providers.all_of(pool)) >= MAX_PROVIDERS:
        raise LimitExceededException(f"A user pool can have at most {MAX_PROVIDERS} identity providers.")
    identifiers = list(req.get("IdpIdentifiers") or [])
    providers.check_identifiers(pool, name, identifiers)
    now = ctx.now()
    record = {
        "ProviderType": kind,
        "ProviderDetails": providers.details_for(kind, req["ProviderDetails"]),
        "AttributeMapping": providers.mapping_for(pool, kind, req.get("AttributeMapping") or {}),
        "IdpIdentifiers": identifiers, "CreationDate": now, "LastModifiedDate": now,
    }
    if "AcrMapping" in req:
        record["AcrMapping"] = dict(req["AcrMapping"])
    providers.save(pool, name, record)
    ctx.store.put_pool(pool)
    return {"IdentityProvider": providers.to_wire(pool.id, name, record)}


@action("DescribeIdentityProvider")
def describe_identity_provider(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return {"IdentityProvider": providers.to_wire(pool.id, req["ProviderName"], _require(pool, req["ProviderName"]))}


@action("UpdateIdentityProvider")
def update_identity_provider(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    name = req["ProviderName"]
    record = dict(_require(pool, name))
    kind = record["ProviderType"]
    # Members the request leaves out keep their values; ProviderDetails keys it sends
    # replace the stored ones (so a secret Describe never shows survives an update).
    if "ProviderDetails" in req:
        record["ProviderDetails"] = providers.details_for(kind, req["ProviderDetails"], record["ProviderDetails"])
    if "AttributeMapping" in req:
        record["AttributeMapping"] = providers.mapping_for(pool, kind, req["AttributeMapping"])
    if "IdpIdentifiers" in req:
        providers.check_identifiers(pool, name, list(req["IdpIdentifiers"]), updating=True)
        record["IdpIdentifiers"] = list(req["IdpIdentifiers"])
    if "AcrMapping" in req:
        record["AcrMapping"] = dict(req["AcrMapping"])
    record["LastModifiedDate"] = ctx.now()
    providers.save(pool, name, record)
    ctx.store.put_pool(pool)
    return {"IdentityProvider": providers.to_wire(pool.id, name, record)}


@action("DeleteIdentityProvider")
def delete_identity_provider(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    name = req["ProviderName"]
    _require(pool, name)
    # As observed of Cognito (undocumented): app clients that name the provider keep naming
    # it, and their next update that repeats the list is refused until it is taken off.
    providers.save(pool, name, None)
    ctx.store.put_pool(pool)
    return {}


@action("ListIdentityProviders")
def list_identity_providers(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req.get("MaxResults") or 60
    after = paging.decode(req.get("NextToken"))
    rows = sorted((n, r) for n, r in providers.all_of(pool).items() if n > after)[:limit + 1]
    return paging.listing([(n, (n, r)) for n, r in rows], limit, "Providers", _summary)


def _summary(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    name, record = item
    return {"ProviderName": name, "ProviderType": record["ProviderType"],
            "LastModifiedDate": record["LastModifiedDate"], "CreationDate": record["CreationDate"]}


@action("GetIdentityProviderByIdentifier")
def get_identity_provider_by_identifier(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    found = providers.by_identifier(pool, req["IdpIdentifier"])
    if found is None:
        raise ResourceNotFoundException(f"Identity provider with identifier {req['IdpIdentifier']} does not exist.")
    return {"IdentityProvider": providers.to_wire(pool.id, *found)}
