"""Self-service user actions (unsigned in Cognito): sign-up, and what a signed-in user
does with an access token."""

from __future__ import annotations

from .. import lockout, mfa, revocation
from ..accounts import (
    create_user,
    delete_attributes,
    save,
    set_password,
    update_attributes,
    verify_contact,
)
from ..api import Context, Request, Response, action
from ..attributes import check_deletable, check_writable, from_wire, readable
from ..errors import (
    NotAuthorizedException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
    UsernameExistsException,
)
from ..issuing import sealed_session, signed_in
from ..lookup import (
    check_secret_hash,
    client_secret_matches,
    find_user,
    require_client,
    require_pool,
    user_key,
)
from ..messaging import send_code, send_verification_codes, signup_code_attribute
from ..passwords import prepare
from ..records import Client, Pool, User
from ..triggers import target
from ..triggers.signup import SignUpAnswer, post_confirmation, pre_sign_up


@action("SignUp")
async def sign_up(ctx: Context, req: Request) -> Response:
    if not req.get("Password"):
        raise UnsupportedOperationException("SignUp without a Password (passwordless sign-up) is not supported by this emulator yet.")
    password = await prepare(ctx, req["Password"])
    client = require_client(ctx, req["ClientId"])
    pool = require_pool(ctx, client.pool_id)
    if pool.config.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    check_secret_hash(client, req["Username"], req.get("SecretHash"))
    attributes = from_wire(req.get("UserAttributes"))
    check_writable(client, pool, set(attributes))
    if target(ctx, pool, "PreSignUp") is not None:
        if find_user(ctx, pool, req["Username"]) is not None:
            raise UsernameExistsException("User already exists")  # before the function runs
        answer = await pre_sign_up(ctx, pool, "PreSignUp_SignUp", req["Username"], attributes, req, client.id)
        client = require_client(ctx, req["ClientId"])  # read again after the await
        pool = require_pool(ctx, client.pool_id)
    else:
        answer = SignUpAnswer()
    for attribute in answer.verify:
        attributes[f"{attribute}_verified"] = "true"
    # Cognito records a signed-up contact as unverified until a code verifies it.
    user = create_user(ctx, pool, req["Username"], attributes, password=password,
                       status="CONFIRMED" if answer.confirm else "UNCONFIRMED", mark_unverified=True)
    for attribute in answer.verify:  # a verified alias moves here from a previous owner
        verify_contact(ctx, pool, user, attribute, force=True)
    if answer.verify:
        save(ctx, pool, user)
    out: Response = {"UserConfirmed": answer.confirm, "UserSub": user.sub}
    if answer.confirm:
        # A user PreSignUp confirmed is a confirmed sign-up: PostConfirmation runs once
        # the user is written (its failure fails the call; the user stays).
        await post_confirmation(ctx, pool, user, "PostConfirmation_ConfirmSignUp", req, client.id)
        return out
    code_to = signup_code_attribute(pool, user)
    if code_to:
        out["CodeDeliveryDetails"] = send_code(ctx, pool, user, kind="SIGN_UP", attribute=code_to)
    return out


def _signed_in(ctx: Context, req: Request) -> tuple[Pool, User, Client]:
    pool, user, client, _ = signed_in(ctx, req["AccessToken"])
    return pool, user, client


@action("GetUser")
def get_user(ctx: Context, req: Request) -> Response:
    pool, user, client = _signed_in(ctx, req)
    return {"Username": user.username, "UserAttributes": user.attribute_list(readable(client, pool)),
            **mfa.user_wire(pool, user)}


@action("DeleteUser")
def delete_user(ctx: Context, req: Request) -> Response:
    pool, user, _ = _signed_in(ctx, req)
    revocation.sign_out(ctx, pool.id, user.sub)  # a user made again with this sub gets none of them
    ctx.store.delete_user(pool.id, user_key(pool, user.username))
    return {}


@action("UpdateUserAttributes")
def update_user_attributes(ctx: Context, req: Request) -> Response:
    pool, user, client = _signed_in(ctx, req)
    updates = from_wire(req["UserAttributes"])
    check_writable(client, pool, set(updates))
    to_verify = update_attributes(ctx, pool, user, updates)
    save(ctx, pool, user)
    return {"CodeDeliveryDetailsList": send_verification_codes(ctx, pool, user, to_verify)}


@action("DeleteUserAttributes")
def delete_user_attributes(ctx: Context, req: Request) -> Response:
    pool, user, client = _signed_in(ctx, req)
    check_deletable(pool, req["UserAttributeNames"])  # a bad name before a permission
    check_writable(client, pool, set(req["UserAttributeNames"]))
    delete_attributes(pool, user, req["UserAttributeNames"])
    save(ctx, pool, user)
    return {}


@action("ChangePassword")
async def change_password(ctx: Context, req: Request) -> Response:
    password = await prepare(ctx, req["ProposedPassword"])
    pool = _signed_in(ctx, req)[0]
    user = await lockout.proven(ctx, pool, req.get("PreviousPassword") or "", lambda: _signed_in(ctx, req)[1])
    set_password(ctx, pool, user, password, status=user.status)
    save(ctx, pool, user)
    return {}


@action("GlobalSignOut")
def global_sign_out(ctx: Context, req: Request) -> Response:
    pool, user, _ = _signed_in(ctx, req)
    revocation.sign_out(ctx, pool.id, user.sub)
    return {}


@action("RevokeToken")
async def revoke_token(ctx: Context, req: Request) -> Response:
    # RevokeToken lists neither ResourceNotFound nor NotAuthorized: a bad client or
    # secret is Cognito's "UnauthorizedException: Invalid client or secret".
    client = ctx.store.get_client(req["ClientId"])
    if client is None or not client_secret_matches(client, req.get("ClientSecret")):
        raise UnauthorizedException("Invalid client or secret")
    if not client.config.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    # Cognito answers an access or ID token here with UnsupportedTokenTypeException.
    if req["Token"].count(".") == 2:
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    session = await sealed_session(ctx, client, req["Token"])
    if session is None:
        return {}  # not a refresh token of this pool: nothing to revoke
    if session.client_id != client.id:
        raise UnauthorizedException(f"The refresh token was not issued to client {client.id}.")
    revocation.revoke_family(ctx, session)  # again, for a revoked or expired one: still fine
    return {}

