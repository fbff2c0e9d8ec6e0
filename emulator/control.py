"""The emulator's own HTTP endpoints under /_emulator: the outbox tests read, reset,
and snapshots of the whole state."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse

from .api import Services
from .messaging import message_to_json
from .snapshot import export_snapshot, import_snapshot, reset

log = logging.getLogger("emulator.control")

# Query parameter -> outbox column; only these names ever reach SQL.
_MESSAGE_FILTERS = {"userPoolId": "pool_id", "username": "username", "destination": "destination",
                    "type": "kind", "channel": "channel"}


def _filters(request: Request) -> dict[str, str] | JSONResponse:
    unknown = set(request.query_params) - set(_MESSAGE_FILTERS)
    if unknown:
        return JSONResponse(
            {"message": f"Unknown filter(s): {', '.join(sorted(unknown))}; use {', '.join(_MESSAGE_FILTERS)}."},
            status_code=400,
        )
    return {_MESSAGE_FILTERS[k]: v for k, v in request.query_params.items()}


Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def _logged(endpoint: Endpoint) -> Endpoint:
    """One log line a call, as the API has: method, path, outcome, milliseconds."""

    @wraps(endpoint)
    async def logged(request: Request) -> JSONResponse:
        started = time.perf_counter()
        response = await endpoint(request)
        if log.isEnabledFor(logging.INFO):
            outcome = "ok" if response.status_code < 400 else f"{response.status_code}: {_message(response)}"
            log.info("%s %s %s %.1fms", request.method, request.url.path, outcome,
                     (time.perf_counter() - started) * 1000)
        return response

    return logged


def _message(response: JSONResponse) -> str:
    try:
        return str(json.loads(bytes(response.body))["message"])
    except (ValueError, KeyError, TypeError):
        return "-"


def _changes_state(endpoint: Callable[[Request], Awaitable[JSONResponse]]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A web page the developer happens to visit must not wipe or replace the emulator's
    state: browsers say where a request comes from (Origin, Sec-Fetch-Site), and only
    same-origin or non-browser callers may change state here."""

    @wraps(endpoint)
    async def guarded(request: Request) -> JSONResponse:
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if request.headers.get("sec-fetch-site") == "cross-site" or (
            origin and origin != "null" and f"{urlsplit(origin).scheme}://{urlsplit(origin).netloc}" != own
        ) or origin == "null":
            return JSONResponse({"message": "Cross-site requests may not change the emulator's state."},
                                status_code=403)
        return await endpoint(request)

    return guarded


@_logged
async def list_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    services: Services = request.app.state.services
    return JSONResponse({"messages": [message_to_json(r) for r in services.store.list_messages(filters)]})


@_logged
@_changes_state
async def clear_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    services: Services = request.app.state.services
    return JSONResponse({"deleted": services.store.delete_messages(filters)})


@_logged
@_changes_state
async def reset_state(request: Request) -> JSONResponse:
    reset(request.app.state.services)
    return JSONResponse({"reset": True})


@_logged
async def get_snapshot(request: Request) -> JSONResponse:
    return JSONResponse(export_snapshot(request.app.state.services))


@_logged
@_changes_state
async def put_snapshot(request: Request) -> JSONResponse:
    # JSON only: a plain HTML form cannot send this content type without a CORS preflight.
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return JSONResponse({"message": "Snapshot refused: send it as application/json."}, status_code=415)
    try:
        body = await request.json()
        import_snapshot(request.app.state.services, body)
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"message": f"Snapshot refused: {exc}"}, status_code=400)
    return JSONResponse({"imported": True})
