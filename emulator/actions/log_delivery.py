"""A user pool's log export settings: GetLogDeliveryConfiguration and
SetLogDeliveryConfiguration. Stored in the pool's config under an emulator key; the
emulator exports nothing (its log is its own, README "Logs")."""

from __future__ import annotations

from typing import Any

from ..api import Context, Request, Response, action
from ..errors import FeatureUnavailableInTierException, InvalidParameterException
from ..lookup import require_pool

KEY = "_LogConfigurations"  # in the pool's config; "_" keys are never described
DESTINATIONS = ("CloudWatchLogsConfiguration", "FirehoseConfiguration", "S3Configuration")


def _check(config: dict[str, Any], tier: str) -> None:
    """LogConfigurationType's documented rules: userNotification is ERROR-level to
    CloudWatch Logs; userAuthEvents is INFO-level to one of the three, on the Plus tier."""
    source = config["EventSource"]
    named = [d for d in DESTINATIONS if config.get(d)]
    if len(named) != 1:
        raise InvalidParameterException(f"A {source} log configuration needs exactly one destination.")
    if source == "userNotification":
        if config["LogLevel"] != "ERROR":
            raise InvalidParameterException("userNotification logs are sent at LogLevel ERROR.")
        if named[0] != "CloudWatchLogsConfiguration":
            raise InvalidParameterException("userNotification logs go only to a CloudWatch Logs log group.")
        return
    if config["LogLevel"] != "INFO":
        raise InvalidParameterException("userAuthEvents logs are sent at LogLevel INFO.")
    if tier != "PLUS":
        raise FeatureUnavailableInTierException("userAuthEvents logs need the Plus feature plan.")


def _wire(pool_id: str, configs: list[dict[str, Any]]) -> Response:
    return {"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": configs}}


@action("GetLogDeliveryConfiguration")
def get_log_delivery_configuration(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return _wire(pool.id, pool.config.get(KEY, []))


@action("SetLogDeliveryConfiguration")
def set_log_delivery_configuration(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    configs = req["LogConfigurations"]
    sources = [c["EventSource"] for c in configs]
    for source in set(sources):
        if sources.count(source) > 1:
            raise InvalidParameterException(f"Only one log configuration for {source} may be set.")
    for config in configs:
        _check(config, pool.config.get("UserPoolTier", "ESSENTIALS"))
    if configs:
        pool.config[KEY] = configs
    else:
        pool.config.pop(KEY, None)
    ctx.store.put_pool(pool)
    return _wire(pool.id, configs)
