"""A user's factors: the legacy SMS MFA setting (SetUserSettings / AdminSetUserSettings,
which amazon-cognito-identity-js's enableMFA, disableMFA and setMFAOptions call),
removing an authenticator (AdminDeleteSoftwareToken), and the factors a user has
(GetUserAuthFactors / AdminGetUserAuthFactors)."""

from __future__ import annotations

from typing import Any

from .. import mfa
from ..accounts import save
from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException
from ..issuing import authenticate
from ..lookup import require_pool, require_user
from ..records import Pool, User
from ..signin.user_auth import first_factors


def _apply_mfa_options(user: User, options: list[dict[str, Any]]) -> None:
    """Cognito takes only SMS on phone_number here: one such entry turns SMS MFA on, an
    empty list turns it off."""
    for option in options:
        if option.get("DeliveryMedium") != "SMS":
            raise InvalidParameterException("Only SMS is supported as a DeliveryMedium in MFAOptions.")
        if option.get("AttributeName") != "phone_number":
            raise InvalidParameterException("Only phone_number is supported as an AttributeName in MFAOptions.")
    if options and not user.attributes.get("phone_number"):
        raise InvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
    mfa.set_legacy_sms(user, bool(options))


@action("SetUserSettings")
def set_user_settings(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    _apply_mfa_options(user, req["MFAOptions"])
    save(ctx, pool, user)
    return {}


@action("AdminSetUserSettings")
def admin_set_user_settings(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    _apply_mfa_options(user, req["MFAOptions"])
    save(ctx, pool, user)
    return {}


@action("AdminDeleteSoftwareToken")
def admin_delete_software_token(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    if mfa.delete_totp(user):
        save(ctx, pool, user)
    return {}


def _factors(pool: Pool, user: User) -> Response:
    allowed = first_factors(pool)
    configured = ["PASSWORD"] if user.password_hash else []
    if "EMAIL_OTP" in allowed and user.attributes.get("email"):
        configured.append("EMAIL_OTP")
    if "SMS_OTP" in allowed and user.attributes.get("phone_number"):
        configured.append("SMS_OTP")
    if (user.extra.get("totp") or {}).get("verified"):
        configured.append("SOFTWARE_TOKEN")
    out: Response = {"Username": user.username, **mfa.user_wire(pool, user)}
    out.pop("MFAOptions", None)
    out["ConfiguredUserAuthFactors"] = configured
    return out


@action("GetUserAuthFactors")
def get_user_auth_factors(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    return _factors(pool, user)


@action("AdminGetUserAuthFactors")
def admin_get_user_auth_factors(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    return _factors(pool, require_user(ctx, pool, req["Username"]))
