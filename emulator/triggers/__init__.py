"""Cognito's Lambda triggers: which function a pool's LambdaConfig (or a test) names for
a trigger, the event Cognito sends it, and the one way it is invoked: awaited through
`ctx.offload` between units of work, with the timeout setting, its failure mapped to
Cognito's errors, one log line each.

Where a function runs (backends.py): a callable registered from a test (registry.py)
first, then a handler on disk (`--lambda-dir`), then the Lambda Invoke API
(`--lambda-endpoint`). A pool that names a function while none of those is set up
runs without it (a warning in the log), as it did before triggers existed."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import offload
from ..errors import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from ..records import Pool
from . import backends
from .registry import TRIGGERS, Handler, Triggers, function_name

if TYPE_CHECKING:  # api.py imports the registry: no import cycle at run time
    from ..api import Context

__all__ = ["TRIGGERS", "Target", "Triggers", "invoke", "target", "CLIENT_NOT_APPLICABLE"]

log = logging.getLogger("emulator.triggers")

CLIENT_NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE"
SDK_VERSION = "aws-sdk-unknown-unknown"
ASYNC_TRIGGERS = {"CustomEmailSender", "CustomSMSSender"}


@dataclass(frozen=True)
class Target:
    """The function a trigger runs: its ARN (or name), the registered callable if any,
    and the event version (PreTokenGeneration: V1_0, V2_0 or V3_0)."""

    trigger: str
    arn: str
    fn: Handler | None = None
    version: str = "V1_0"

    @property
    def name(self) -> str:
        return function_name(self.arn)


def target(ctx: Context, pool: Pool, trigger: str) -> Target | None:
    """The function `trigger` runs for this pool, or None. Two dict lookups when the pool
    has no LambdaConfig and no test registered a callable for it (the sign-in path's cost)."""
    registered = ctx.services.triggers.pools.get(pool.id)
    config: dict[str, Any] = pool.config.get("LambdaConfig") or {}
    if registered is None and not config:
        return None
    version = "V1_0"
    arn = config.get(trigger)
    if isinstance(arn, dict):  # CustomEmailSender / CustomSMSSender: {LambdaVersion, LambdaArn}
        arn = arn.get("LambdaArn")
    if trigger == "PreTokenGeneration" and config.get("PreTokenGenerationConfig"):
        versioned = config["PreTokenGenerationConfig"]
        arn = versioned.get("LambdaArn") or arn
        version = versioned.get("LambdaVersion") or version
    if registered and trigger in registered:
        fn, given = registered[trigger]
        return Target(trigger, arn or f"test:{pool.id}:{trigger}", fn, given or version)
    if not arn:
        return None
    return Target(trigger, arn, ctx.services.triggers.functions.get(function_name(arn)), version)


def event(ctx: Context, pool: Pool, source: str, user_name: str | None, request: dict[str, Any],
          client_id: str | None, version: str = "1", response: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cognito's event: callerContext names the app client, or CLIENT_ID_NOT_APPLICABLE for
    admin calls; the function answers with the whole event, `response` filled in. With no
    user (client_credentials tokens) the event has no `userName`."""
    out: dict[str, Any] = {
        "version": version, "triggerSource": source, "region": pool.id.split("_", 1)[0],
        "userPoolId": pool.id, "userName": user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or CLIENT_NOT_APPLICABLE},
        "request": request, "response": response or {},
    }
    if user_name is None:
        del out["userName"]  # a machine-to-machine token: no user (the parsers' schemas: optional)
    return out


async def invoke(ctx: Context, pool: Pool, trigger: str, source: str, *, user_name: str | None,
                 request: dict[str, Any], client_id: str | None, found: Target | None = None,
                 version: str = "1", response: dict[str, Any] | None = None,
                 then: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """Run the pool's `trigger` (if it has one) and return the `response` its function
    filled in; None when none runs. With `then`, what then(response) returned instead,
    called on the worker thread that ran the function (no store access there: it is
    between units of work). Raises Cognito's Lambda errors."""
    found = found or target(ctx, pool, trigger)
    if found is None or ctx.passage is None or ctx.passage.inline:
        return None  # the seed loader states final states: no triggers run for it
    payload = event(ctx, pool, source, user_name, request, client_id, version, response)
    return await _run(ctx, found, source, payload, then)


def _answered(call: tuple[Any, ...], trigger: str, then: Callable[[dict[str, Any]], Any] | None) -> Any:
    """On the worker thread: the function's reply, held to the contract, and `then`."""
    fn, *args = call
    reply = fn(*args)
    if trigger in ASYNC_TRIGGERS:
        return None
    if not isinstance(reply, dict) or not isinstance(reply.get("response", {}), dict):
        raise InvalidLambdaResponseException("Invalid lambda response.")
    response = reply.get("response") or {}
    return then(response) if then is not None else response


def invoke_later(ctx: Context, pool: Pool, found: Target, source: str, *, user_name: str | None,
                 request: dict[str, Any], client_id: str | None) -> Callable[[], Awaitable[None]]:
    """An after-commit step that invokes an asynchronous trigger (the custom senders,
    `Event` invocations): the call does not wait for it, and its failure is only logged."""
    payload = event(ctx, pool, source, user_name, request, client_id)
    call = _backend(ctx, found, payload, ctx.settings.lambda_timeout_ms / 1000)

    async def step() -> None:
        if call is None:
            log.warning("trigger %s: %s names %s, but no --lambda-dir or --lambda-endpoint is set: "
                        "not invoked", source, found.trigger, found.arn)
            return
        started = time.perf_counter()
        try:
            async with asyncio.timeout(ctx.settings.lambda_timeout_ms / 1000):
                await offload.run(*call)  # after the commit: no unit of work to close
        except TimeoutError:
            _log(source, found, "timed out", started)
        except (backends.FunctionError, backends.Unreachable) as exc:
            _log(source, found, f"error: {exc}", started)
        else:
            _log(source, found, "ok", started)

    return step


async def _run(ctx: Context, found: Target, source: str, payload: dict[str, Any],
               then: Callable[[dict[str, Any]], Any] | None) -> Any:
    settings = ctx.settings
    timeout = settings.lambda_timeout_ms / 1000
    call = _backend(ctx, found, payload, timeout)
    if call is None:
        log.warning("trigger %s: %s names %s, but no --lambda-dir or --lambda-endpoint is set: "
                    "not invoked", source, found.trigger, found.arn)
        return None if found.trigger in ASYNC_TRIGGERS else then({}) if then is not None else {}
    started = time.perf_counter()
    try:
        # asyncio.timeout, not wait_for: the unit reopens in this very task (runner.py).
        async with asyncio.timeout(timeout):
            reply = await ctx.offload(_answered, call, found.trigger, then)
    except TimeoutError:
        _log(source, found, "timed out", started)
        raise UnexpectedLambdaException(f"{found.trigger} invocation timed out.") from None
    except backends.FunctionError as exc:
        _log(source, found, f"error: {exc}", started)
        raise UserLambdaValidationException(f"{found.trigger} failed with error {exc}.") from None
    except backends.Unreachable as exc:
        _log(source, found, f"not invoked: {exc}", started)
        raise UnexpectedLambdaException(f"{found.trigger} could not be invoked.") from None
    except InvalidLambdaResponseException:
        _log(source, found, "invalid response", started)
        raise
    _log(source, found, "ok", started)
    return reply


def _backend(ctx: Context, found: Target, payload: dict[str, Any], timeout: float) -> tuple[Any, ...] | None:
    """(fn, *args) for ctx.offload that runs the function, or None when nothing can."""
    settings = ctx.settings
    if found.fn is not None:
        return (backends.call_handler, found.fn, payload, found.name, found.arn, timeout)
    if settings.lambda_dir:
        return (_from_disk, settings.lambda_dir, settings.lambda_endpoint, found, payload, timeout)
    if settings.lambda_endpoint:
        return (backends.invoke_http, settings.lambda_endpoint, found.arn, payload, timeout,
                found.trigger in ASYNC_TRIGGERS)
    return None


def _from_disk(where: str, endpoint: str, found: Target, payload: dict[str, Any], timeout: float) -> Any:
    handler = backends.disk_handler(where, found.name)
    if handler is not None:
        return backends.call_handler(handler, payload, found.name, found.arn, timeout)
    if endpoint:
        return backends.invoke_http(endpoint, found.arn, payload, timeout, found.trigger in ASYNC_TRIGGERS)
    raise backends.Unreachable(f"no function {found.name} in {where}")


def _log(source: str, found: Target, outcome: str, started: float) -> None:
    ms = (time.perf_counter() - started) * 1000 if started else 0.0
    log.info("trigger %s -> %s: %s (%.1f ms)", source, found.name, outcome, ms)
