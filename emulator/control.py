"""The emulator's own HTTP endpoints under /_emulator: the outbox tests read, reset,
and snapshots of the whole state; and who may call them.

Reading and clearing the outbox are calls like any other, through the call runner.
Reset and snapshot import replace the store itself (a new database file swapped in
while the store is offline, snapshot.py): they are not units of work on it."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from . import imports, runner
from .api import Context, Services
from .messaging import message_to_json
from .snapshot import Incoming, reset, stream_snapshot
from .urls import base_url

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


Endpoint = Callable[[Request], Awaitable[Response]]


# A Host header: a name or IPv4 address, or an IPv6 address in brackets; then a port.
_HOST = re.compile(r"(?:\[([0-9a-f:.]+)\]|([^\[\]:/@\s]+))(?::\d{1,5})?")


def host_name(host: str) -> str | None:
    """The name in a Host header (or a --control-hosts entry): lower-case, without port
    or trailing dot, brackets off an IPv6 address; None if it is not one."""
    match = _HOST.fullmatch(host.strip().lower())
    name = (match.group(1) or match.group(2).rstrip(".")) if match else ""
    return name or None


def is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _control(endpoint: Endpoint) -> Endpoint:
    """DNS rebinding: a page whose own name now resolves to 127.0.0.1 calls these
    endpoints as its own origin, so Origin cannot tell it apart; the Host it sends can.
    Loopback names and addresses, the --public-url host and the --control-hosts names
    (docker-compose service names) are answered; every other Host is refused."""

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        settings = request.app.state.services.settings
        allowed = {host_name(h) for h in settings.control_hosts.split(",")}
        allowed.add(host_name(urlsplit(settings.public_url).netloc))
        name = host_name(request.headers.get("host", ""))
        if "*" not in allowed and (name is None or not (is_loopback(name) or name in allowed)):
            return JSONResponse({"message": (
                "The /_emulator endpoints answer only a loopback Host (localhost, 127.0.0.1, [::1]), "
                "the --public-url host, or a host named in --control-hosts "
                f"(COGNITO_EMULATOR_CONTROL_HOSTS); not {request.headers.get('host', '')!r}.")}, status_code=403)
        return await endpoint(request)

    return guarded


def _logged(endpoint: Endpoint) -> Endpoint:
    """One log line a call, as the API has: method, path, outcome, milliseconds."""

    @wraps(endpoint)
    async def logged(request: Request) -> Response:
        started = time.perf_counter()
        response = await endpoint(request)
        if log.isEnabledFor(logging.INFO):
            outcome = "ok" if response.status_code < 400 else f"{response.status_code}: {_message(response)}"
            log.info("%s %s %s %.1fms", request.method, request.url.path, outcome,
                     (time.perf_counter() - started) * 1000)
        return response

    return logged


def _message(response: Response) -> str:
    try:
        return str(json.loads(bytes(response.body))["message"])
    except (ValueError, KeyError, TypeError):
        return "-"


def _changes_state(endpoint: Endpoint) -> Endpoint:
    """A web page the developer happens to visit must not wipe or replace the emulator's
    state: browsers say where a request comes from (Origin, Sec-Fetch-Site), and only
    same-origin or non-browser callers may change state here."""

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if request.headers.get("sec-fetch-site") == "cross-site" or (
            origin and origin != "null" and f"{urlsplit(origin).scheme}://{urlsplit(origin).netloc}" != own
        ) or origin == "null":
            return JSONResponse({"message": "Cross-site requests may not change the emulator's state."},
                                status_code=403)
        return await endpoint(request)

    return guarded


def _context(request: Request) -> Context:
    services: Services = request.app.state.services
    return Context(services=services, region=services.settings.region, action=request.url.path,
                   base_url=base_url(services.settings, request.url.scheme, request.headers.get("host", "")))


def _listed(ctx: Context, filters: dict[str, str]) -> dict[str, Any]:
    return {"messages": [message_to_json(r) for r in ctx.store.list_messages(filters)]}


def _cleared(ctx: Context, filters: dict[str, str]) -> dict[str, Any]:
    return {"deleted": ctx.store.delete_messages(filters)}


@_logged
@_control
async def list_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    return JSONResponse(await runner.run(_context(request), _listed, filters))


@_logged
@_control
@_changes_state
async def clear_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    return JSONResponse(await runner.run(_context(request), _cleared, filters))


@_logged
@_control
@_changes_state
async def reset_state(request: Request) -> JSONResponse:
    reset(request.app.state.services)
    request.app.state.services.triggers.clear()
    return JSONResponse({"reset": True})


@_logged
@_control
async def get_snapshot(request: Request) -> Response:
    return StreamingResponse(stream_snapshot(request.app.state.services), media_type="application/json")


@_logged
@_control
@_changes_state
async def put_snapshot(request: Request) -> JSONResponse:
    # JSON only: a plain HTML form cannot send this content type without a CORS preflight.
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return JSONResponse({"message": "Snapshot refused: send it as application/json."}, status_code=415)
    # Read and built as it streams in, on worker threads: the loop serves calls meanwhile.
    incoming = await asyncio.to_thread(Incoming, request.app.state.services)
    try:
        async for piece in request.stream():
            if piece:
                await asyncio.to_thread(incoming.feed, piece)
        await asyncio.to_thread(incoming.feed, b"", True)
        await asyncio.to_thread(incoming.finish)
    except ValueError as exc:  # the state is as it was
        incoming.discard()
        return JSONResponse({"message": f"Snapshot refused: {exc}"}, status_code=400)
    except BaseException:
        incoming.discard()
        raise
    incoming.swap()
    return JSONResponse({"imported": True})


@_logged
@_control
async def import_job_failures(request: Request) -> JSONResponse:
    """A user import job's failed rows (the first ones), as Cognito logs them to CloudWatch."""
    found = imports.failures(request.app.state.services, request.path_params["job_id"])
    if found is None:
        return JSONResponse({"message": "No such user import job."}, status_code=404)
    return JSONResponse(found)
