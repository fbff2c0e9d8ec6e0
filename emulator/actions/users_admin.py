"""Admin user actions (IAM-signed in Cognito): create, read, change, disable, list users."""

from __future__ import annotations

from .. import paging, revocation, userfilter
from ..accounts import (
    CONTACTS,
    admin_user_wire,
    create_user,
    delete_attributes,
    generate_temporary_password,
    save,
    set_password,
    update_attributes,
    verify_contact,
)
from ..api import Context, Request, Response, action
from ..attributes import from_wire
from ..errors import (
    AliasExistsException,
    NotAuthorizedException,
    UnsupportedUserStateException,
    UsernameExistsException,
    UserNotFoundException,
)
from ..lookup import find_user, require_pool, require_user, user_key
from ..messaging import send_invitation, send_verification_codes
from ..passwords import prepare
from ..triggers import target
from ..triggers.signup import post_confirmation, pre_sign_up


@action("AdminCreateUser")
async def admin_create_user(ctx: Context, req: Request) -> Response:
    text: str | None = req.get("TemporaryPassword")
    if not text and req.get("MessageAction") != "SUPPRESS":
        # A generated password nobody is ever told cannot sign anyone in: it is made
        # (and hashed) only when the invitation will carry it.
        text = generate_temporary_password(require_pool(ctx, req["UserPoolId"]))
    password = await prepare(ctx, text) if text else None
    pool = require_pool(ctx, req["UserPoolId"])  # read (again) after the await
    username = req["Username"]
    if req.get("MessageAction") == "RESEND":
        user = find_user(ctx, pool, username)
        if user is None:
            raise UserNotFoundException("User does not exist.")
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise UnsupportedUserStateException(
                f"Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD."
            )
        assert password is not None  # RESEND is not SUPPRESS
        set_password(ctx, pool, user, password, status="FORCE_CHANGE_PASSWORD")
        save(ctx, pool, user)
    else:
        if target(ctx, pool, "PreSignUp") is not None:
            if find_user(ctx, pool, username) is not None:
                raise UsernameExistsException("User account already exists")
            await pre_sign_up(ctx, pool, "PreSignUp_AdminCreateUser", username,
                              from_wire(req.get("UserAttributes")), req, None)
            pool = require_pool(ctx, req["UserPoolId"])  # read again after the await
        # One transaction: a verified contact that is another user's alias undoes the creation.
        # AdminCreateUser's errors do not include AliasExistsException; Cognito answers
        # UsernameExistsException naming the attribute.
        with ctx.store.transaction():
            user = create_user(ctx, pool, username, from_wire(req.get("UserAttributes")),
                               password=password, status="FORCE_CHANGE_PASSWORD",
                               taken="User account already exists")
            verified = [name for name, flag in CONTACTS if user.attributes.get(flag) == "true"]
            try:
                for name in verified:
                    verify_contact(ctx, pool, user, name, force=bool(req.get("ForceAliasCreation")))
            except AliasExistsException as exc:
                raise UsernameExistsException(exc.message) from None
            if verified:
                # Still the creation: Cognito's UserLastModifiedDate equals UserCreateDate.
                ctx.store.put_user(user, user_key(pool, user.username))
    if req.get("MessageAction") != "SUPPRESS":
        assert password is not None
        send_invitation(ctx, pool, user, password.text, req.get("DesiredDeliveryMediums") or ["SMS"])
    return {"User": user.to_wire()}


@action("AdminGetUser")
def admin_get_user(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return admin_user_wire(pool, require_user(ctx, pool, req["Username"]))


@action("AdminDeleteUser")
def admin_delete_user(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    revocation.sign_out(ctx, pool.id, user.sub)  # a user made again with this sub gets none of them
    ctx.store.delete_user(pool.id, user_key(pool, user.username))
    return {}


@action("AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    to_verify = update_attributes(ctx, pool, user, from_wire(req["UserAttributes"]))
    save(ctx, pool, user)
    send_verification_codes(ctx, pool, user, to_verify)
    return {}


@action("AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    delete_attributes(pool, user, req["UserAttributeNames"])
    save(ctx, pool, user)
    return {}


@action("AdminSetUserPassword")
async def admin_set_user_password(ctx: Context, req: Request) -> Response:
    password = await prepare(ctx, req["Password"])
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    permanent = bool(req.get("Permanent", False))
    set_password(ctx, pool, user, password,
                 status="CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD")
    save(ctx, pool, user)
    return {}


@action("AdminConfirmSignUp")
async def admin_confirm_sign_up(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    if user.status != "UNCONFIRMED":
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    user.status = "CONFIRMED"
    save(ctx, pool, user)
    await post_confirmation(ctx, pool, user, "PostConfirmation_ConfirmSignUp", req, None)
    return {}


def _set_enabled(ctx: Context, req: Request, enabled: bool) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    user.enabled = enabled
    save(ctx, pool, user)
    if not enabled:  # Cognito: "Deactivates a user and revokes all access tokens for the user."
        revocation.sign_out(ctx, pool.id, user.sub)
    return {}


@action("AdminEnableUser")
def admin_enable_user(ctx: Context, req: Request) -> Response:
    return _set_enabled(ctx, req, True)


@action("AdminDisableUser")
def admin_disable_user(ctx: Context, req: Request) -> Response:
    return _set_enabled(ctx, req, False)


@action("AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    revocation.sign_out(ctx, pool.id, user.sub)
    return {}


@action("ListUsers")
def list_users(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req.get("Limit") or 60
    query = userfilter.parse(pool, req.get("Filter"))
    rows = ctx.store.list_users(pool.id, query, paging.decode_pair(req.get("PaginationToken")), limit + 1)
    wanted = set(req["AttributesToGet"]) if req.get("AttributesToGet") else None
    return paging.listing(rows, limit, "Users", lambda u: u.to_wire(wanted), "PaginationToken")
