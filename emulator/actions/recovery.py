"""Codes sent to users and checked back: sign-up confirmation, password recovery,
attribute verification."""

from __future__ import annotations

from ..accounts import password_policy, save, set_password, verify_contact
from ..api import Context, Request, Response, action
from ..errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..issuing import authenticate
from ..lookup import check_secret_hash, find_user, require_client, require_pool
from ..messaging import check_code, count_call, mask, send_code, signup_code_attribute, spend_code
from ..passwords import check_policy, prepare
from ..records import Client, Pool, User
from ..triggers import target
from ..triggers.migration import migrate
from ..triggers.signup import post_confirmation

# Cognito's hourly caps per user (Developer Guide, quotas).
CAPS = {"ConfirmSignUp": 15, "ResendConfirmationCode": 5, "ConfirmForgotPassword": 10,
        "GetUserAttributeVerificationCode": 5, "VerifyUserAttribute": 15}


def _hides_users(client: Client) -> bool:
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def _client_user(ctx: Context, req: Request) -> tuple[Pool, Client, User | None]:
    client = require_client(ctx, req["ClientId"])
    pool = require_pool(ctx, client.pool_id)
    user = find_user(ctx, pool, req["Username"])
    check_secret_hash(client, req["Username"], req.get("SecretHash"), *([user.username] if user else []))
    return pool, client, user


@action("ConfirmSignUp")
async def confirm_sign_up(ctx: Context, req: Request) -> Response:
    pool, client, user = _client_user(ctx, req)
    if user is None:
        if _hides_users(client):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        raise UserNotFoundException("Username/client id combination not found.")
    if user.status != "UNCONFIRMED":
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    data = check_code(ctx, pool, user, "signup", req["ConfirmationCode"], "ConfirmSignUp", CAPS["ConfirmSignUp"])
    user.status = "CONFIRMED"
    if data.get("attribute"):
        verify_contact(ctx, pool, user, data["attribute"], force=bool(req.get("ForceAliasCreation")))
    save(ctx, pool, user)
    spend_code(ctx, pool, user, "signup")
    await post_confirmation(ctx, pool, user, "PostConfirmation_ConfirmSignUp", req, client.id)
    return {}


@action("ResendConfirmationCode")
def resend_confirmation_code(ctx: Context, req: Request) -> Response:
    pool, client, user = _client_user(ctx, req)
    if user is None:
        if _hides_users(client):
            return {"CodeDeliveryDetails": {"Destination": "+*******0000", "DeliveryMedium": "SMS",
                                            "AttributeName": "phone_number"}}
        raise UserNotFoundException("Username/client id combination not found.")
    if user.status != "UNCONFIRMED":
        raise InvalidParameterException("User is already confirmed.")
    attribute = signup_code_attribute(pool, user)
    if attribute is None:
        raise InvalidParameterException("Auto verification not turned on.")
    count_call(ctx, pool, user, "ResendConfirmationCode", CAPS["ResendConfirmationCode"])
    return {"CodeDeliveryDetails": send_code(ctx, pool, user, kind="RESEND_CODE", attribute=attribute)}


def recovery_attribute(pool: Pool, user: User) -> str:
    """Where a password-reset code goes, by the pool's AccountRecoverySetting."""
    setting = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if setting:
        names: list[str] = [m["Name"] for m in sorted(setting, key=lambda m: m.get("Priority", 1))]
    else:
        names = ["verified_phone_number", "verified_email"]
    for name in names:
        if name == "admin_only":
            raise NotAuthorizedException("User password cannot be reset in the current state.")
        attribute = name.removeprefix("verified_")
        if user.attributes.get(attribute) and user.attributes.get(f"{attribute}_verified") == "true":
            return attribute
    raise InvalidParameterException(
        "Cannot reset password for the user as there is no registered/verified email or phone_number"
    )


@action("ForgotPassword")
async def forgot_password(ctx: Context, req: Request) -> Response:
    pool, client, user = _client_user(ctx, req)
    if user is None and target(ctx, pool, "UserMigration") is not None:
        user = await migrate(ctx, pool, client, req["Username"], None, dict(req.get("ClientMetadata") or {}))
    if user is None:
        if _hides_users(client):
            # Cognito answers as if it had sent a code, so callers cannot probe for users.
            return {"CodeDeliveryDetails": {"Destination": mask(req["Username"] + "@x", "EMAIL"),
                                            "DeliveryMedium": "EMAIL", "AttributeName": "email"}}
        raise UserNotFoundException("Username/client id combination not found.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "FORCE_CHANGE_PASSWORD":
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    attribute = recovery_attribute(pool, user)
    return {"CodeDeliveryDetails": send_code(ctx, pool, user, kind="FORGOT_PASSWORD", attribute=attribute)}


@action("ConfirmForgotPassword")
async def confirm_forgot_password(ctx: Context, req: Request) -> Response:
    password = await prepare(ctx, req["Password"])
    pool, client, user = _client_user(ctx, req)
    if user is None:
        if _hides_users(client):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        raise UserNotFoundException("Username/client id combination not found.")
    check_policy(password_policy(pool), req["Password"])
    check_code(ctx, pool, user, "forgot", req["ConfirmationCode"], "ConfirmForgotPassword",
               CAPS["ConfirmForgotPassword"])
    status = "UNCONFIRMED" if user.status == "UNCONFIRMED" else "CONFIRMED"
    set_password(ctx, pool, user, password, status=status)
    save(ctx, pool, user)
    spend_code(ctx, pool, user, "forgot")
    await post_confirmation(ctx, pool, user, "PostConfirmation_ConfirmForgotPassword", req, client.id)
    return {}


@action("AdminResetUserPassword")
def admin_reset_user_password(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = find_user(ctx, pool, req["Username"])
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    # Only a password the user has set can be reset: not an invitation's temporary one
    # (FORCE_CHANGE_PASSWORD), nor an unconfirmed sign-up's. A reset user gets a new code.
    if user.status not in ("CONFIRMED", "RESET_REQUIRED"):
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    user.status = "RESET_REQUIRED"
    save(ctx, pool, user)
    try:
        attribute = recovery_attribute(pool, user)
    except (InvalidParameterException, NotAuthorizedException):
        return {}  # no verified channel: the reset stands, the user asks for a code later
    send_code(ctx, pool, user, kind="FORGOT_PASSWORD", attribute=attribute)
    return {}


def _verifiable(user: User, attribute: str) -> str:
    if attribute not in ("email", "phone_number"):
        raise InvalidParameterException(f"{attribute} is not a verifiable attribute.")
    pending = (user.extra.get("pending") or {}).get(attribute)
    value = pending or user.attributes.get(attribute)
    if not value:
        raise InvalidParameterException(f"Requested attribute {attribute} is not present for the user.")
    return value


@action("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    attribute = req["AttributeName"]
    destination = _verifiable(user, attribute)
    count_call(ctx, pool, user, "GetUserAttributeVerificationCode", CAPS["GetUserAttributeVerificationCode"])
    details = send_code(ctx, pool, user, kind="VERIFY_USER_ATTRIBUTE", attribute=attribute,
                        destination=destination)
    return {"CodeDeliveryDetails": details}


@action("VerifyUserAttribute")
def verify_user_attribute(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    attribute = req["AttributeName"]
    _verifiable(user, attribute)
    check_code(ctx, pool, user, f"verify:{attribute}", req["Code"], "VerifyUserAttribute",
               CAPS["VerifyUserAttribute"])
    verify_contact(ctx, pool, user, attribute)
    save(ctx, pool, user)
    spend_code(ctx, pool, user, f"verify:{attribute}")
    return {}

