"""User pools: create, describe, update, delete, list."""

from __future__ import annotations

import copy
from typing import Any

from .. import paging
from ..api import Context, Request, Response, action
from ..attributes import build_schema
from ..errors import InvalidParameterException
from ..lookup import require_pool
from ..model import service_model
from ..passwords import DEFAULT_POLICY
from ..records import Pool

# What Cognito shows for settings the caller left out.
DEFAULTS: dict[str, Any] = {
    "Policies": {"PasswordPolicy": DEFAULT_POLICY},
    "DeletionProtection": "INACTIVE",
    "LambdaConfig": {},
    "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
    "MfaConfiguration": "OFF",
    "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
    "UserPoolTier": "ESSENTIALS",
}
# Settings fixed at creation: UpdateUserPool neither takes nor resets them.
IMMUTABLE = {"SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration"}


def _pool_members() -> set[str]:
    return set(service_model().shapes["UserPoolType"]["members"])


def _settings_from(req: Request, members: set[str]) -> dict[str, Any]:
    """The request's settings that UserPoolType also has, over Cognito's defaults."""
    config = copy.deepcopy(DEFAULTS)
    for key, value in req.items():
        if key in members and key not in ("Id", "Name"):
            config[key] = copy.deepcopy(value)
    policies = config.setdefault("Policies", {})
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": ["PASSWORD"]})
    policy = policies.get("PasswordPolicy")
    if policy is None:
        policies["PasswordPolicy"] = copy.deepcopy(DEFAULT_POLICY)
    else:
        # A partial PasswordPolicy leaves the other rules off, as in Cognito.
        config["Policies"]["PasswordPolicy"] = {
            "MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False,
            "RequireNumbers": False, "RequireSymbols": False, "TemporaryPasswordValidityDays": 7,
            **policy,
        }
    return config


def _check(config: dict[str, Any]) -> None:
    if config.get("UsernameAttributes") and config.get("AliasAttributes"):
        raise InvalidParameterException("Only one of UsernameAttributes or AliasAttributes can be set in a User Pool.")
    policy = config["Policies"]["PasswordPolicy"]
    if not 6 <= policy.get("MinimumLength", 8) <= 99:
        raise InvalidParameterException("Minimum length of password must be between 6 and 99.")


@action("CreateUserPool")
def create_user_pool(ctx: Context, req: Request) -> Response:
    config = _settings_from(req, _pool_members())
    config["SchemaAttributes"] = build_schema(req.get("Schema", []))
    _check(config)
    now = ctx.now()
    pool_id = ctx.ids.pool_id(ctx.region, req["PoolName"], lambda i: ctx.store.get_pool(i) is not None)
    pool = Pool(id=pool_id, name=req["PoolName"], created=now, modified=now, config=config)
    ctx.store.add_pool(pool)
    return {"UserPool": pool.to_wire(ctx.region, ctx.settings.account_id, 0)}


@action("DescribeUserPool")
def describe_user_pool(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return {"UserPool": _wire(ctx, pool)}


def _wire(ctx: Context, pool: Pool) -> dict[str, Any]:
    region = pool.id.split("_", 1)[0]
    return pool.to_wire(region, ctx.settings.account_id, ctx.store.count_users(pool.id))


@action("UpdateUserPool")
def update_user_pool(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    updatable = set(service_model().shapes["UpdateUserPoolRequest"]["members"]) - {"UserPoolId"}
    # Cognito resets every updatable setting the request leaves out to its default.
    fresh = _settings_from(req, _pool_members() & updatable)
    config = {k: v for k, v in pool.config.items() if k not in updatable}
    config.update({k: v for k, v in fresh.items() if k in updatable or k not in config})
    config.update({k: pool.config[k] for k in IMMUTABLE if k in pool.config})
    if "PoolName" in req:
        pool.name = req["PoolName"]
    _check(config)
    pool.config = config
    pool.modified = ctx.now()
    ctx.store.put_pool(pool)
    return {}


@action("DeleteUserPool")
def delete_user_pool(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if pool.config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    ctx.store.delete_pool(pool.id)
    # The key file goes once the deletion has committed: a pool whose deletion fails to
    # commit keeps the key its tokens are signed with.
    ctx.after_commit.append(lambda: ctx.keys.forget(pool.id))
    return {}


@action("ListUserPools")
def list_user_pools(ctx: Context, req: Request) -> Response:
    limit = req["MaxResults"]
    rows = ctx.store.list_pools(paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing([(p.id, p) for p in rows], limit, "UserPools", Pool.to_wire_summary)
