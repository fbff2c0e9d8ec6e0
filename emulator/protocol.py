"""The AWS JSON 1.1 edge: `POST /` with `X-Amz-Target`, whose prefix names the service
(cognito-idp or cognito-identity), decoded, validated against that service's botocore
model, dispatched to its registry, encoded; every Cognito error raised
below becomes HTTP 400 `{"__type", "message"}` here, and nothing else ever reaches
the client as a traceback."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import ids, runner
from .api import REGISTRIES, Context, Services
from .errors import (
    CognitoError,
    InternalErrorException,
    InvalidParameterException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from .model import (
    IDENTITY_SERVICE,
    SERVICE,
    TARGET_PREFIX,
    TARGET_PREFIXES,
    round_dates,
    service_model,
)
from .urls import base_url

log = logging.getLogger("emulator.api")

CONTENT_TYPE = "application/x-amz-json-1.1"
_JSON_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json")
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
# x-amzn-ErrorType's namespace after the code, per service, as Cognito sends it.
_ERROR_NAMESPACES = {
    SERVICE: "http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/",
    IDENTITY_SERVICE: "http://internal.amazon.com/coral/com.amazonaws.cognito.identity.model/",
}


async def handle(request: Request) -> Response:
    services: Services = request.app.state.services
    request_id = ids.request_id()
    started = time.perf_counter()
    name = ""
    body: dict[str, Any] = {}
    service = _service(request)
    try:
        name, body = await _decode(request, services, service)
        model = service_model(service)
        op = model.operations[name]
        handler = REGISTRIES[service].get(name)
        if handler is None:
            raise UnsupportedOperationException(
                f"{name} is not supported by this emulator yet."
            )
        model.validate_input(op, body)
        scope_region = _scope_region(request)
        ctx = Context(
            services=services,
            region=scope_region or services.settings.region,
            base_url=base_url(services.settings, request.url.scheme, request.headers.get("host", "")),
            action=name,
            service=service,
            signed_region=None if op.unsigned else scope_region,
            client_ip=request.client.host if request.client else None,
        )
        if isinstance(body.get("ClientMetadata"), dict):
            ctx.client_metadata = body["ClientMetadata"]
        if isinstance(body.get("ClientId"), str):
            ctx.client_id = body["ClientId"]
        result = await runner.run(ctx, handler, body)
        if op.dates is not None:
            round_dates(result, op.dates)
        payload = json.dumps(result, separators=(",", ":"))
        response = Response(payload, 200, {"x-amzn-RequestId": request_id}, CONTENT_TYPE)
        outcome = "ok"
    except CognitoError as err:
        response = error_response(err, request_id, service)
        outcome = f"{err.code}: {err.message}"
    except Exception:  # a bug of ours: log it whole, tell the client only that it happened
        log.exception("internal error in %s (request %s)", name or "?", request_id)
        internal = InternalErrorException("An internal error occurred in the emulator.")
        response = error_response(internal, request_id, service)
        outcome = internal.code
    if log.isEnabledFor(logging.INFO):
        log.info("%s %s %s %.1fms", name or "-", _pool_of(body), outcome, (time.perf_counter() - started) * 1000)
    return response


def _pool_of(body: dict[str, Any]) -> str:
    """The pool (or the client standing for it) a request is about, for the log line."""
    pool = body.get("UserPoolId") or body.get("IdentityPoolId")
    if isinstance(pool, str):
        return pool
    client = body.get("ClientId")
    return f"client:{client}" if isinstance(client, str) else "-"


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


def error_response(err: CognitoError, request_id: str, service: str = SERVICE) -> Response:
    body = json.dumps({"__type": err.code, "message": err.message}, separators=(",", ":"))
    headers = {"x-amzn-RequestId": request_id,
               "x-amzn-ErrorType": f"{err.code}:{_ERROR_NAMESPACES[service]}"}
    return Response(body, err.status, headers, CONTENT_TYPE)


def _service(request: Request) -> str:
    """The service X-Amz-Target's prefix names (cognito-idp when it names none)."""
    prefix = request.headers.get("x-amz-target", "").rpartition(".")[0]
    return TARGET_PREFIXES.get(prefix, SERVICE)


async def _decode(request: Request, services: Services, service: str) -> tuple[str, dict[str, Any]]:
    target = request.headers.get("x-amz-target")
    if not target:
        raise UnknownOperationException("Missing X-Amz-Target header: expected AWSCognitoIdentityProviderService.<Action>.")
    prefix, _, name = target.rpartition(".")
    if TARGET_PREFIXES.get(prefix) != service or name not in service_model(service).operations:
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
