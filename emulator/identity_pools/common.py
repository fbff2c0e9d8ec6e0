"""What every identity-pool handler needs: finding a pool or an identity the way
Cognito does, with its errors, and the names Cognito gives things."""

from __future__ import annotations

import uuid

from ..api import Context
from ..errors import ResourceNotFoundException
from ..model import IDENTITY_SERVICE
from ..store_identity import Identity, IdentityPool

SERVICE = IDENTITY_SERVICE


def new_id(region: str) -> str:
    """An identity pool id or an identity id: `<region>:<uuid>`, as Cognito makes them."""
    return f"{region}:{uuid.uuid4()}"


def region_of(some_id: str) -> str:
    return some_id.split(":", 1)[0]


def require_identity_pool(ctx: Context, pool_id: str) -> IdentityPool:
    """The pool, if it exists in the region of a signed call."""
    pool = ctx.store.get_identity_pool(pool_id)
    if pool is None or ctx.signed_region not in (None, region_of(pool_id)):
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    return pool


def require_identity(ctx: Context, identity_id: str, pool_id: str | None = None) -> Identity:
    identity = ctx.store.get_identity(identity_id)
    if identity is None or (pool_id is not None and identity.pool_id != pool_id):
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def pool_arn(ctx: Context, pool_id: str) -> str:
    return f"arn:aws:cognito-identity:{region_of(pool_id)}:{ctx.settings.account_id}:identitypool/{pool_id}"


def pool_of_arn(ctx: Context, arn: str) -> IdentityPool:
    prefix, _, pool_id = arn.partition(":identitypool/")
    pool = ctx.store.get_identity_pool(pool_id) if prefix.startswith("arn:aws:cognito-identity:") else None
    if pool is None or pool_arn(ctx, pool.id) != arn:
        raise ResourceNotFoundException(f"Resource '{arn}' not found.")
    return pool
