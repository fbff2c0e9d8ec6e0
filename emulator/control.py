"""The emulator's own HTTP endpoints under /_emulator: the outbox tests read, reset,
and snapshots of the whole state."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from .api import Services
from .messaging import message_to_json
from .snapshot import export_snapshot, import_snapshot, reset

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


async def list_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    services: Services = request.app.state.services
    return JSONResponse({"messages": [message_to_json(r) for r in services.store.list_messages(filters)]})


async def clear_messages(request: Request) -> JSONResponse:
    filters = _filters(request)
    if isinstance(filters, JSONResponse):
        return filters
    services: Services = request.app.state.services
    return JSONResponse({"deleted": services.store.delete_messages(filters)})


async def reset_state(request: Request) -> JSONResponse:
    reset(request.app.state.services)
    return JSONResponse({"reset": True})


async def get_snapshot(request: Request) -> JSONResponse:
    return JSONResponse(export_snapshot(request.app.state.services))


async def put_snapshot(request: Request) -> JSONResponse:
    try:
        body = await request.json()
        import_snapshot(request.app.state.services, body)
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"message": f"Snapshot refused: {exc}"}, status_code=400)
    return JSONResponse({"imported": True})
