"""User pools: create, describe, update, delete, list."""

from __future__ import annotations

import copy
from typing import Any

from .. import mfa, paging
from ..api import Context, Request, Response, action
from ..attributes import add_custom, build_schema
from ..errors import InvalidParameterException, ResourceNotFoundException
from ..lookup import pool_region, require_pool
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
# VerificationMessageTemplate members and the legacy settings Cognito mirrors them into.
LEGACY_MESSAGES = {"SmsMessage": "SmsVerificationMessage", "EmailMessage": "EmailVerificationMessage",
                   "EmailSubject": "EmailVerificationSubject"}
# Settings fixed at creation: UpdateUserPool neither takes nor resets them.
IMMUTABLE = {"SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration"}


def _pool_members() -> set[str]:
    return set(service_model().shapes["UserPoolType"]["members"])


def _settings_from(req: Request, members: set[str]) -> dict[str, Any]:
    """The request's settings that UserPoolType also has, over Cognito's defaults."""
    config = copy.deepcopy(DEFAULTS)
    for key, value in req.items():
        if key in members and key not in ("Id", "Name") and value is not None:
            config[key] = _without_nulls(value)
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
    _mirror_messages(config)
    return config


def _mirror_messages(config: dict[str, Any]) -> None:
    """Cognito keeps VerificationMessageTemplate and the legacy message settings as one:
    each side shows what the other was given, the template winning when both were."""
    template = config.setdefault("VerificationMessageTemplate", {})
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    for member, legacy in LEGACY_MESSAGES.items():
        if template.get(member):
            config[legacy] = template[member]
        elif config.get(legacy):
            template[member] = config[legacy]


def _without_nulls(value: Any) -> Any:
    """A copy in which JSON null members count as absent, as in Cognito."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _check(config: dict[str, Any]) -> None:
    if config.get("UsernameAttributes") and config.get("AliasAttributes"):
        raise InvalidParameterException("Only one of UsernameAttributes or AliasAttributes can be set in a User Pool.")
    policy = config["Policies"]["PasswordPolicy"]
    if not 6 <= policy.get("MinimumLength", 8) <= 99:
        raise InvalidParameterException("Minimum length of password must be between 6 and 99.")
    # CreateUserPool configures only SMS MFA (TOTP and email come from SetUserPoolMfaConfig);
    # an update may keep MFA on with any method the pool already offers.
    if config.get("MfaConfiguration", "OFF") != "OFF" and not mfa.offered(config):
        raise InvalidParameterException(
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional")


@action("CreateUserPool")
def create_user_pool(ctx: Context, req: Request) -> Response:
    config = _settings_from(req, _pool_members())
    config["SchemaAttributes"] = build_schema(req.get("Schema"))
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
    return pool.to_wire(pool_region(pool.id), ctx.settings.account_id, ctx.store.count_users(pool.id))


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
    rows = ctx.store.list_pools(paging.decode(req.get("NextToken")), limit + 1, ctx.signed_region)
    return paging.listing([(p.id, p) for p in rows], limit, "UserPools", Pool.to_wire_summary)


@action("AddCustomAttributes")
def add_custom_attributes(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    pool.config["SchemaAttributes"] = add_custom(pool.config.get("SchemaAttributes", []), req["CustomAttributes"])
    pool.modified = ctx.now()
    ctx.store.put_pool(pool)
    return {}


# -- tags ---------------------------------------------------------------------------------

MAX_TAGS = 50


def _pool_of_arn(ctx: Context, arn: str) -> Pool:
    """The user pool an ARN names, in the region and account it names."""
    pool_id = arn.rpartition(":userpool/")[2]
    pool = ctx.store.get_pool(pool_id) if ":userpool/" in arn else None
    if pool is None or pool.arn(pool_region(pool.id), ctx.settings.account_id) != arn \
            or ctx.signed_region not in (None, pool_region(pool.id)):
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")
    return pool


@action("TagResource")
def tag_resource(ctx: Context, req: Request) -> Response:
    pool = _pool_of_arn(ctx, req["ResourceArn"])
    tags = {**pool.config.get("UserPoolTags", {}), **req["Tags"]}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"A user pool can have at most {MAX_TAGS} tags.")
    pool.config["UserPoolTags"] = tags
    ctx.store.put_pool(pool)
    return {}


@action("UntagResource")
def untag_resource(ctx: Context, req: Request) -> Response:
    pool = _pool_of_arn(ctx, req["ResourceArn"])
    gone = set(req["TagKeys"])
    pool.config["UserPoolTags"] = {k: v for k, v in pool.config.get("UserPoolTags", {}).items() if k not in gone}
    ctx.store.put_pool(pool)
    return {}


@action("ListTagsForResource")
def list_tags_for_resource(ctx: Context, req: Request) -> Response:
    return {"Tags": _pool_of_arn(ctx, req["ResourceArn"]).config.get("UserPoolTags", {})}
