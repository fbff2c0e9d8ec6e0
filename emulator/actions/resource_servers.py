"""Resource servers: the APIs whose custom scopes (`<identifier>/<scope>`) app clients
may be allowed and OAuth access tokens may carry."""

from __future__ import annotations

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from ..lookup import require_pool
from ..records import ResourceServer

# Cognito's quota: 25 resource servers a pool (Developer Guide, quotas).
MAX_SERVERS = 25


def _scopes(req: Request) -> list[dict[str, str]]:
    scopes = [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]}
              for s in req.get("Scopes") or []]
    names = [s["ScopeName"] for s in scopes]
    if len(set(names)) != len(names):
        raise InvalidParameterException("Scope names must be unique within a resource server.")
    return scopes


def _require(ctx: Context, pool_id: str, identifier: str) -> ResourceServer:
    server = ctx.store.get_resource_server(pool_id, identifier)
    if server is None:
        raise ResourceNotFoundException(f"Resource server {identifier} does not exist.")
    return server


@action("CreateResourceServer")
def create_resource_server(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if ctx.store.get_resource_server(pool.id, req["Identifier"]) is not None:
        raise InvalidParameterException(f"{req['Identifier']} already exists in user pool {pool.id}.")
    if len(ctx.store.list_resource_servers(pool.id)) >= MAX_SERVERS:
        raise LimitExceededException(f"A user pool can have at most {MAX_SERVERS} resource servers.")
    server = ResourceServer(pool_id=pool.id, identifier=req["Identifier"], name=req["Name"], scopes=_scopes(req))
    ctx.store.add_resource_server(server)
    return {"ResourceServer": server.to_wire()}


@action("DescribeResourceServer")
def describe_resource_server(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return {"ResourceServer": _require(ctx, pool.id, req["Identifier"]).to_wire()}


@action("UpdateResourceServer")
def update_resource_server(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    server = _require(ctx, pool.id, req["Identifier"])
    # As other Update calls, this one states the whole server: Scopes left out are removed.
    server.name = req["Name"]
    server.scopes = _scopes(req)
    ctx.store.put_resource_server(server)
    return {"ResourceServer": server.to_wire()}


@action("DeleteResourceServer")
def delete_resource_server(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    ctx.store.delete_resource_server(pool.id, _require(ctx, pool.id, req["Identifier"]).identifier)
    return {}


@action("ListResourceServers")
def list_resource_servers(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req.get("MaxResults", 50)
    rows = ctx.store.list_resource_servers(pool.id, paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing([(s.identifier, s) for s in rows], limit, "ResourceServers", lambda s: s.to_wire())


def custom_scopes(ctx: Context, pool_id: str) -> set[str]:
    """Every `<identifier>/<scope>` the pool's resource servers define."""
    return {name for s in ctx.store.list_resource_servers(pool_id) for name in s.scope_names()}
