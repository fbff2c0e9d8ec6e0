"""PreAuthentication and PostAuthentication around a sign-in: the first may refuse it
before the password is checked; the second runs once the user is proven and fails the
sign-in when it fails (no tokens are handed out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import NotAuthorizedException
from ..lookup import find_user
from . import invoke, target
from .signup import user_attributes

if TYPE_CHECKING:
    from ..records import User
    from ..signin.core import Attempt


async def pre_authentication(a: Attempt, user: User) -> None:
    """PreAuthentication_Authentication; the call's ClientMetadata arrives as validationData."""
    if target(a.ctx, a.pool, "PreAuthentication") is None:
        return
    request = {"userAttributes": user_attributes(user), "validationData": dict(a.metadata),
               "userNotFound": False}
    await invoke(a.ctx, a.pool, "PreAuthentication", "PreAuthentication_Authentication",
                 user_name=user.username, request=request, client_id=a.client.id)


async def pre_authentication_not_found(a: Attempt, username: str) -> None:
    """PreAuthentication for a name no user has, where the client hides unknown users
    (PreventUserExistenceErrors ENABLED): Cognito still invokes it, with userNotFound, so
    the answer does not tell; a function that fails fails the call, as for a real user."""
    if target(a.ctx, a.pool, "PreAuthentication") is None:
        return
    request = {"userAttributes": {}, "validationData": dict(a.metadata), "userNotFound": True}
    await invoke(a.ctx, a.pool, "PreAuthentication", "PreAuthentication_Authentication",
                 user_name=username, request=request, client_id=a.client.id)


async def post_authentication(a: Attempt, user: User, *, new_device: bool = False) -> User:
    """PostAuthentication_Authentication; the user read again after the await.
    `newDeviceUsed`: a sign-in on a device the pool (tracking devices) does not know."""
    if target(a.ctx, a.pool, "PostAuthentication") is None:
        return user
    request = {"userAttributes": user_attributes(user), "newDeviceUsed": new_device,
               "clientMetadata": dict(a.metadata)}
    await invoke(a.ctx, a.pool, "PostAuthentication", "PostAuthentication_Authentication",
                 user_name=user.username, request=request, client_id=a.client.id)
    fresh = find_user(a.ctx, a.pool, user.username)
    if fresh is None or fresh.sub != user.sub or not fresh.enabled:
        raise NotAuthorizedException("User is disabled." if fresh else "User does not exist.")
    return fresh
