"""Groups and membership."""

from __future__ import annotations

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import GroupExistsException, ResourceNotFoundException
from ..lookup import require_pool, require_user, user_key
from ..records import Group, Pool, User


def _require_group(ctx: Context, pool: Pool, name: str) -> Group:
    group = ctx.store.get_group(pool.id, name)
    if group is None:
        raise ResourceNotFoundException("Group not found.")
    return group


@action("CreateGroup")
def create_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if ctx.store.get_group(pool.id, req["GroupName"]) is not None:
        raise GroupExistsException("A group with the name already exists.")
    now = ctx.now()
    group = Group(pool_id=pool.id, name=req["GroupName"], created=now, modified=now,
                  description=req.get("Description"), role_arn=req.get("RoleArn"),
                  precedence=req.get("Precedence"))
    ctx.store.add_group(group)
    return {"Group": group.to_wire()}


@action("GetGroup")
def get_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return {"Group": _require_group(ctx, pool, req["GroupName"]).to_wire()}


@action("UpdateGroup")
def update_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    group = _require_group(ctx, pool, req["GroupName"])
    # Only the members the request names change.
    if "Description" in req:
        group.description = req["Description"]
    if "RoleArn" in req:
        group.role_arn = req["RoleArn"]
    if "Precedence" in req:
        group.precedence = req["Precedence"]
    group.modified = ctx.now()
    ctx.store.put_group(group)
    return {"Group": group.to_wire()}


@action("DeleteGroup")
def delete_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    ctx.store.delete_group(pool.id, _require_group(ctx, pool, req["GroupName"]).name)
    return {}


@action("ListGroups")
def list_groups(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req.get("Limit") or 60
    rows = ctx.store.list_groups(pool.id, paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing([(g.name, g) for g in rows], limit, "Groups", Group.to_wire)


@action("AdminAddUserToGroup")
def admin_add_user_to_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    group = _require_group(ctx, pool, req["GroupName"])
    user = require_user(ctx, pool, req["Username"])
    ctx.store.add_member(pool.id, group.name, user_key(pool, user.username))
    return {}


@action("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    group = _require_group(ctx, pool, req["GroupName"])
    user = require_user(ctx, pool, req["Username"])
    ctx.store.remove_member(pool.id, group.name, user_key(pool, user.username))
    return {}


@action("AdminListGroupsForUser")
def admin_list_groups_for_user(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    limit = req.get("Limit") or 60
    rows = ctx.store.groups_of(pool.id, user_key(pool, user.username),
                               paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing([(g.name, g) for g in rows], limit, "Groups", Group.to_wire)


@action("ListUsersInGroup")
def list_users_in_group(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    group = _require_group(ctx, pool, req["GroupName"])
    limit = req.get("Limit") or 60
    rows = ctx.store.members_of(pool.id, group.name, paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing(rows, limit, "Users", User.to_wire)
