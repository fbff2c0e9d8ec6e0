"""Threat protection's settings: DescribeRiskConfiguration and SetRiskConfiguration, for a
user pool or for one app client over the pool's. They are kept (the pool's in its config,
a client's in the client's) and described; the emulator evaluates no risk."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException, UserPoolAddOnNotEnabledException
from ..lookup import require_client, require_pool
from ..records import Pool

KEY = "_RiskConfiguration"  # in a pool's or a client's config; never described
SETTINGS = ("CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration",
            "RiskExceptionConfiguration")


def protected_pool(ctx: Context, pool_id: str) -> Pool:
    """Both actions need threat protection on: UserPoolAddOns AUDIT or ENFORCED."""
    pool = require_pool(ctx, pool_id)
    mode = (pool.config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    if mode == "OFF":
        raise UserPoolAddOnNotEnabledException(
            f"Threat protection (UserPoolAddOns AdvancedSecurityMode) is not enabled for user pool {pool.id}.")
    return pool


def _check(settings: dict[str, Any]) -> None:
    exceptions = settings.get("RiskExceptionConfiguration") or {}
    for key in ("BlockedIPRangeList", "SkippedIPRangeList"):
        for cidr in exceptions.get(key) or []:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise InvalidParameterException(f"{key}: {cidr} is not an IP range in CIDR notation.") from None
    takeover = settings.get("AccountTakeoverRiskConfiguration") or {}
    notifies = any(step.get("Notify") for step in (takeover.get("Actions") or {}).values())
    if notifies and not takeover.get("NotifyConfiguration"):
        raise InvalidParameterException("A NotifyConfiguration is required when an action notifies users.")


def _wire(pool_id: str, client_id: str | None, stored: dict[str, Any] | None) -> Response:
    out: dict[str, Any] = {"UserPoolId": pool_id}
    if client_id is not None:
        out["ClientId"] = client_id
    out.update(copy.deepcopy(stored or {}))
    return {"RiskConfiguration": out}


@action("DescribeRiskConfiguration")
def describe_risk_configuration(ctx: Context, req: Request) -> Response:
    pool = protected_pool(ctx, req["UserPoolId"])
    if req.get("ClientId"):
        client = require_client(ctx, req["ClientId"], pool.id)
        if KEY in client.config:
            return _wire(pool.id, client.id, client.config[KEY])
        # "applies to all user pool app clients that don't have client-level settings"
    return _wire(pool.id, None, pool.config.get(KEY))


@action("SetRiskConfiguration")
def set_risk_configuration(ctx: Context, req: Request) -> Response:
    pool = protected_pool(ctx, req["UserPoolId"])
    settings = {k: copy.deepcopy(req[k]) for k in SETTINGS if req.get(k) is not None}
    _check(settings)
    # Only the ids: the pool's settings go back to the defaults, a client's to the pool's.
    stored = {**settings, "LastModifiedDate": ctx.now()} if settings else None
    if req.get("ClientId"):
        client = require_client(ctx, req["ClientId"], pool.id)
        if stored is None:
            client.config.pop(KEY, None)
        else:
            client.config[KEY] = stored
        ctx.store.put_client(client)
        return _wire(pool.id, client.id, stored or {"LastModifiedDate": ctx.now()})
    if stored is None:
        pool.config.pop(KEY, None)
    else:
        pool.config[KEY] = stored
    ctx.store.put_pool(pool)
    return _wire(pool.id, None, stored or {"LastModifiedDate": ctx.now()})
