"""User-pool identity providers: create, describe, update, delete, list, and find one by
an IdpIdentifier; linking a provider's user to an existing user of the pool, and taking a
provider's user off. The records and their rules live in emulator/providers.py."""

from __future__ import annotations

import json
from typing import Any

from .. import federation, paging, providers
from ..accounts import save
from ..api import Context, Request, Response, action
from ..errors import (
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from ..lookup import require_pool, user_key
from ..records import Pool, User

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


# -- links ------------------------------------------------------------------------------------

MAX_LINKS = 5  # "The maximum number of federated identities linked to a user is five."
NATIVE = "Cognito"


def _linked_identities(user: User) -> list[dict[str, Any]]:
    try:
        found = json.loads(user.attributes.get("identities") or "[]")
    except ValueError:
        return []
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _set_identities(user: User, items: list[dict[str, Any]]) -> None:
    if items:
        user.attributes["identities"] = json.dumps(items, separators=(",", ":"))
    else:
        user.attributes.pop("identities", None)


def _destination(ctx: Context, pool: Pool, ref: dict[str, Any]) -> User:
    """DestinationUser: a user of the pool by username (ProviderName Cognito), or a
    federated user by its provider's user id."""
    name = str(ref.get("ProviderName") or "")
    value = str(ref.get("ProviderAttributeValue") or "")
    username = value if name == NATIVE else federation.username_of(name, value)
    user = ctx.store.get_user(pool.id, user_key(pool, username))
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


@action("AdminLinkProviderForUser")
def admin_link_provider_for_user(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    source = req["SourceUser"]
    provider, subject = str(source.get("ProviderName") or ""), str(source.get("ProviderAttributeValue") or "")
    if provider == NATIVE:
        raise InvalidParameterException("SourceUser must be a user of an external identity provider, not Cognito.")
    record = providers.get(pool, provider)
    if record is None:
        raise InvalidParameterException(f"Identity provider {provider} does not exist in the user pool.")
    if not subject:
        raise InvalidParameterException("SourceUser needs the provider's ProviderAttributeValue.")
    user = _destination(ctx, pool, req["DestinationUser"])
    if ctx.store.get_user(pool.id, user_key(pool, federation.username_of(provider, subject))) is not None \
            or ctx.store.linked_sub(pool.id, provider, subject) is not None:
        raise InvalidParameterException("Merging is not currently supported, provide a SourceUser which has "
                                        "not been linked yet")
    if ctx.store.count_links(pool.id, user.sub) >= MAX_LINKS:
        raise LimitExceededException(f"A user can be linked to at most {MAX_LINKS} federated identities.")
    now = ctx.now()
    ctx.store.add_link(pool.id, provider, subject, user.sub, now)
    identity = json.loads(federation.identities(provider, record["ProviderType"], subject, str(int(now * 1000))))[0]
    _set_identities(user, [*_linked_identities(user), {**identity, "primary": "false"}])
    save(ctx, pool, user)
    return {}


@action("AdminDisableProviderForUser")
def admin_disable_provider_for_user(ctx: Context, req: Request) -> Response:
    """A linked provider identity is unlinked (its next sign-in makes a user of its own);
    a federated user of its own is disabled."""
    pool = require_pool(ctx, req["UserPoolId"])
    ref = req["User"]
    provider, subject = str(ref.get("ProviderName") or ""), str(ref.get("ProviderAttributeValue") or "")
    if provider == NATIVE:
        raise InvalidParameterException(
            "Turning off a native user's password sign-in is not supported by this emulator yet.")
    sub = ctx.store.linked_sub(pool.id, provider, subject)
    if sub is not None:
        ctx.store.delete_link(pool.id, provider, subject)
        user = ctx.store.get_user_by_sub(pool.id, sub)
        if user is not None:
            _set_identities(user, [i for i in _linked_identities(user)
                                   if (i.get("providerName"), i.get("userId")) != (provider, subject)])
            save(ctx, pool, user)
        return {}
    federated = ctx.store.get_user(pool.id, user_key(pool, federation.username_of(provider, subject)))
    if federated is None:
        raise ResourceNotFoundException(f"No user of {provider} with that id is known to the user pool.")
    federated.enabled = False
    save(ctx, pool, federated)
    return {}
