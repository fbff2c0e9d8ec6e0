"""The AWS JSON 1.1 edge: `POST /` with `X-Amz-Target`, decoded, validated against
botocore's model, dispatched to the registry, encoded; every Cognito error raised
below becomes HTTP 400 `{"__type", "message"}` here, and nothing else ever reaches
the client as a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import ids, offload, passwords, tokens
from .api import ACTIONS, Context, Handler, Services
from .errors import (
    CognitoError,
    InternalErrorException,
    InvalidParameterException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from .model import TARGET_PREFIX, service_model
from .sqlconn import CommitGroup
from .urls import base_url

log = logging.getLogger("emulator.api")

CONTENT_TYPE = "application/x-amz-json-1.1"
_JSON_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json")
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
_ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/"


async def handle(request: Request) -> Response:
    services: Services = request.app.state.services
    request_id = ids.request_id()
    started = time.perf_counter()
    name = ""
    body: dict[str, Any] = {}
    ctx: Context | None = None
    try:
        name, body = await _decode(request, services)
        op = service_model().operations[name]
        handler = ACTIONS.get(name)
        if handler is None:
            raise UnsupportedOperationException(
                f"{name} is not supported by this emulator yet."
            )
        service_model().validate_input(op, body)
        scope_region = _scope_region(request)
        ctx = Context(
            services=services,
            region=scope_region or services.settings.region,
            base_url=base_url(services.settings, request.url.scheme, request.headers.get("host", "")),
            action=name,
            defer_signing=True,
            signed_region=None if op.unsigned else scope_region,
        )
        result = await _call(services, handler, ctx, body)
        auth = result.get("AuthenticationResult")
        if isinstance(auth, dict):
            await _sign_tokens(auth)
        payload = json.dumps(result, separators=(",", ":"), default=_sign_late)
        response = Response(payload, 200, {"x-amzn-RequestId": request_id}, CONTENT_TYPE)
        outcome = "ok"
    except CognitoError as err:
        response = error_response(err, request_id)
        outcome = f"{err.code}: {err.message}"
    except Exception:  # a bug of ours: log it whole, tell the client only that it happened
        log.exception("internal error in %s (request %s)", name or "?", request_id)
        err = InternalErrorException("An internal error occurred in the emulator.")
        response = error_response(err, request_id)
        outcome = err.code
    # Nothing is answered before the group holding what the call wrote or read (the one
    # open when its unit of work ended) has committed (sqlconn.py).
    group = ctx.commit_group if ctx is not None else None
    if group is not None:
        await _committed(group)
        if group.error is not None:
            log.error("commit failed under %s (request %s): %s", name or "?", request_id, group.error)
            err = InternalErrorException("The emulator could not save this call's changes.")
            response = error_response(err, request_id)
            outcome = err.code
    if ctx is not None and (group is None or group.error is None):
        _after_commit(ctx, request_id)
    if log.isEnabledFor(logging.INFO):
        log.info("%s %s %s %.1fms", name or "-", _pool_of(body), outcome, (time.perf_counter() - started) * 1000)
    return response


def _pool_of(body: dict[str, Any]) -> str:
    """The pool (or the client standing for it) a request is about, for the log line."""
    pool = body.get("UserPoolId")
    if isinstance(pool, str):
        return pool
    client = body.get("ClientId")
    return f"client:{client}" if isinstance(client, str) else "-"


async def _call(services: Services, handler: Handler, ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """The handler, on the event loop's thread (see offload.py); a new password's bcrypt
    hash is made on a worker thread first, and so are the password checks it asks for."""
    new_password = passwords.new_password(ctx.action, body)
    if new_password is None:
        return await _run_checking_ahead(services, handler, ctx, body)
    rounds = services.settings.bcrypt_rounds
    hashed = await offload.run(passwords.hash_password, new_password, rounds)
    with passwords.prepared(new_password, rounds, hashed):
        return await _run_checking_ahead(services, handler, ctx, body)


def _after_commit(ctx: Context, request_id: str) -> None:
    for step in ctx.after_commit:
        try:
            step()
        except Exception:  # the writes stand; what is left behind is logged
            log.exception("after-commit step failed in %s (request %s)", ctx.action, request_id)


def _run(services: Services, handler: Handler, ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """The handler as one unit of work, in the thread's commit group. The group open when
    the unit ends (holding its writes, or what it read) is kept on ctx for the answer to
    wait on, and its commit is scheduled here, before anything can interrupt the call:
    on the event loop's next turn, so that the calls ready along with this one write
    into it first and one fsync covers them all."""
    ctx.after_commit.clear()  # a call run again starts afresh
    try:
        with services.store.request(keep=CognitoError, grouped=True):
            return handler(ctx, body)
    except CognitoError:
        raise  # its writes are kept, and so are its after-commit steps
    except BaseException:
        ctx.after_commit.clear()  # rolled back: nothing to follow up
        raise
    finally:
        group = ctx.commit_group = services.store.open_group()
        if group is not None and not group.scheduled:
            group.scheduled = True
            asyncio.get_running_loop().call_soon(services.store.flush_group)


async def _committed(group: CommitGroup) -> None:
    if not group.settled:
        done = asyncio.get_running_loop().create_future()
        group.on_settled(lambda _: done.done() or done.set_result(None))
        await done


async def _sign_tokens(auth: dict[str, Any]) -> None:
    """Sign a result's unsigned tokens side by side on worker threads."""
    pending = {name: value for name, value in auth.items() if isinstance(value, tokens.Unsigned)}
    if pending:
        signed = await asyncio.gather(*(offload.run(value.sign) for value in pending.values()))
        auth.update(zip(pending, signed, strict=True))


def _sign_late(value: Any) -> Any:
    # A token left unsigned anywhere else in a result is signed here, on this thread.
    if isinstance(value, tokens.Unsigned):
        return value.sign()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


async def _run_checking_ahead(services: Services, handler: Handler, ctx: Context,
                              body: dict[str, Any]) -> dict[str, Any]:
    """_run, with the password checks the call asks for made on worker threads
    (passwords.CheckAhead); after three tries, a password that keeps changing under the
    call is checked on this thread."""
    if ctx.action not in passwords.CHECKS_AHEAD:
        return _run(services, handler, ctx, body)
    checked: dict[tuple[str, str], bool] = {}
    with passwords.checking_ahead(checked):
        for _ in range(3):
            try:
                return _run(services, handler, ctx, body)
            except passwords.CheckAhead as ahead:
                checked[(ahead.password, ahead.hashed)] = await offload.run(
                    passwords.check, ahead.password, ahead.hashed)
    return _run(services, handler, ctx, body)


class OtherMethods:
    """Any method but POST on the API (OPTIONS, the CORS preflight, never gets here):
    AWS's JSON error, as for an unknown target, with 405 and Allow. An ASGI app rather
    than a request function, so that its route takes every method there is."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = Request(scope, receive).method
        err = UnknownOperationException(
            f"{method} is not supported: send POST with X-Amz-Target: {TARGET_PREFIX}.<Action>.")
        response = error_response(err, ids.request_id())
        response.status_code = 405
        response.headers["Allow"] = "POST, OPTIONS"
        await response(scope, receive, send)


def error_response(err: CognitoError, request_id: str) -> Response:
    body = json.dumps({"__type": err.code, "message": err.message}, separators=(",", ":"))
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": f"{err.code}:{_ERROR_NAMESPACE}"}
    return Response(body, err.status, headers, CONTENT_TYPE)


async def _decode(request: Request, services: Services) -> tuple[str, dict[str, Any]]:
    target = request.headers.get("x-amz-target")
    if not target:
        raise UnknownOperationException("Missing X-Amz-Target header: expected AWSCognitoIdentityProviderService.<Action>.")
    prefix, _, name = target.partition(".")
    if prefix != TARGET_PREFIX or name not in service_model().operations:
        raise UnknownOperationException(f"Unknown operation {target!r}.")
    limit = services.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise InvalidParameterException(f"Request body is larger than {limit} bytes.")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise InvalidParameterException(f"Request body is larger than {limit} bytes.")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype not in _JSON_TYPES:
        raise InvalidParameterException(
            f"Unsupported Content-Type {ctype!r}: send {CONTENT_TYPE}."
        )
    if not raw.strip():
        return name, {}
    try:
        body = json.loads(raw)
        # "\ud800" decodes to a lone surrogate, which no UTF-8 encoder (SQLite, hashing)
        # takes. Raw UTF-8 cannot carry one (decoding refuses it), only a \u escape can
        # (json.loads also reads UTF-16 and UTF-32, whose ASCII holds NUL bytes).
        if b"\\u" in raw or b"\x00" in raw:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:
        raise InvalidParameterException(f"Request body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise InvalidParameterException("Request body must be a JSON object.")
    return name, body


def _scope_region(request: Request) -> str | None:
    """The region of the SigV4 credential scope, if the call is signed."""
    match = _CREDENTIAL_REGION.search(request.headers.get("authorization", ""))
    return match.group(1) if match else None
