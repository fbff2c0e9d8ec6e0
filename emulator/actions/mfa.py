"""MFA configuration: the pool's, each user's preference, and TOTP authenticator setup
(by access token, or by the Session of an MFA_SETUP challenge)."""

from __future__ import annotations

from typing import Any

from .. import ids, mfa
from ..accounts import save
from ..api import Context, Request, Response, action
from ..errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
    UnsupportedOperationException,
)
from ..issuing import authenticate
from ..lookup import require_pool, require_user
from ..records import Challenge, Pool, User

# The request members of the methods with a private pool key (SMS is the pool's own).
_REQUEST_KEYS = {mfa.TOTP: "SoftwareTokenMfaConfiguration", mfa.EMAIL: "EmailMfaConfiguration"}
_PREFERENCE_KEYS = {mfa.SMS: "SMSMfaSettings", mfa.TOTP: "SoftwareTokenMfaSettings",
                    mfa.EMAIL: "EmailMfaSettings"}


def _pool_mfa_wire(pool: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {"MfaConfiguration": mfa.pool_mode(pool)}
    sms = mfa.sms_config(pool)
    if sms:
        out["SmsMfaConfiguration"] = sms
    for method, key in _REQUEST_KEYS.items():
        stored = pool.config.get(mfa.POOL_KEYS[method])
        if stored is not None:
            out[key] = stored
    return out


@action("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    if (req.get("WebAuthnConfiguration") or {}).get("UserVerification") == "required":
        raise UnsupportedOperationException("WebAuthn is not supported by this emulator yet.")
    mode = req.get("MfaConfiguration") or mfa.pool_mode(pool)
    turning_on = (req.get("SmsMfaConfiguration") is not None or req.get("EmailMfaConfiguration") is not None
                  or (req.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))
    if mode == "OFF" and turning_on:
        raise InvalidParameterException("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")
    # As in Cognito, the call states the whole configuration: a method left out is off.
    for method, key in _REQUEST_KEYS.items():
        pool.config.pop(mfa.POOL_KEYS[method], None)
        if req.get(key) is not None:
            pool.config[mfa.POOL_KEYS[method]] = req[key]
    if mode != "OFF":
        _set_sms_mfa(pool, req.get("SmsMfaConfiguration"))
    pool.config["MfaConfiguration"] = mode
    if mode != "OFF" and not mfa.pool_methods(pool):
        raise InvalidParameterException("At least one MFA method must be enabled when MFA is ON or OPTIONAL.")
    pool.modified = ctx.now()
    ctx.store.put_pool(pool)
    return _pool_mfa_wire(pool)


def _set_sms_mfa(pool: Pool, given: dict[str, Any] | None) -> None:
    """SmsMfaConfiguration writes the pool's SmsConfiguration and SmsAuthenticationMessage
    (DescribeUserPool's members): SMS MFA is on wherever the pool can text."""
    if given is None:
        if pool.config.get("SmsConfiguration") is not None:
            raise InvalidParameterException("Can't turn off SMS_MFA when SMS configuration is set for the user pool")
        return
    if given.get("SmsConfiguration") is not None:
        pool.config["SmsConfiguration"] = given["SmsConfiguration"]
    if pool.config.get("SmsConfiguration") is None:
        raise InvalidParameterException(
            "SMS_MFA needs an SmsConfiguration: give one in SmsMfaConfiguration or in CreateUserPool/UpdateUserPool.")
    # Without a message the user pool sends its default one.
    pool.config.pop("SmsAuthenticationMessage", None)
    if given.get("SmsAuthenticationMessage"):
        pool.config["SmsAuthenticationMessage"] = given["SmsAuthenticationMessage"]


@action("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(ctx: Context, req: Request) -> Response:
    return _pool_mfa_wire(require_pool(ctx, req["UserPoolId"]))


def _apply_preferences(pool: Pool, user: User, req: Request) -> None:
    for method, key in _PREFERENCE_KEYS.items():
        settings = req.get(key)
        if not settings:
            continue
        enabling = settings.get("Enabled") or settings.get("PreferredMfa")
        if enabling and not _deliverable(user, method):
            raise InvalidParameterException(f"User does not have delivery config set to turn on {method}")
        mfa.set_preference(user, method, settings.get("Enabled"), settings.get("PreferredMfa"))


def _deliverable(user: User, method: str) -> bool:
    """Whether the user has what `method` needs: a phone, an email, a verified authenticator."""
    if method == mfa.TOTP:
        return bool((user.extra.get("totp") or {}).get("verified"))
    return bool(user.attributes.get("phone_number" if method == mfa.SMS else "email"))


@action("SetUserMFAPreference")
def set_user_mfa_preference(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    _apply_preferences(pool, user, req)
    save(ctx, pool, user)
    return {}


@action("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    user = require_user(ctx, pool, req["Username"])
    _apply_preferences(pool, user, req)
    save(ctx, pool, user)
    return {}


# -- TOTP setup -----------------------------------------------------------------------


def _setup_subject(ctx: Context, req: Request) -> tuple[Pool, User, Challenge | None]:
    """The user setting up TOTP: by access token, or by an MFA_SETUP challenge's Session."""
    if req.get("AccessToken"):
        pool, user, _ = authenticate(ctx, req["AccessToken"])
        return pool, user, None
    challenge = ctx.store.get_challenge(req.get("Session") or "")
    if challenge is None or challenge.expires <= ctx.now():
        if not req.get("Session"):
            raise InvalidParameterException("Either AccessToken or Session must be provided.")
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    if challenge.name != "MFA_SETUP":
        raise NotAuthorizedException("Invalid session for the user.")
    pool = require_pool(ctx, challenge.pool_id)
    user = require_user(ctx, pool, challenge.username)
    return pool, user, challenge


def _next_session(ctx: Context, challenge: Challenge) -> str:
    """Each step of MFA setup hands the client a new Session for the same challenge."""
    if not ctx.store.delete_challenge(challenge.session):
        raise NotAuthorizedException("Invalid session for the user, session can only be used once.")
    challenge.session = ids.opaque(96)
    ctx.store.put_challenge(challenge)
    return challenge.session


@action("AssociateSoftwareToken")
def associate_software_token(ctx: Context, req: Request) -> Response:
    pool, user, challenge = _setup_subject(ctx, req)
    secret = mfa.new_totp_secret()
    # Kept aside: it replaces the user's authenticator only once VerifySoftwareToken
    # proves it, as in Cognito; until then the old one goes on signing in.
    user.extra["totp_pending"] = {"secret": secret}
    save(ctx, pool, user)
    out: Response = {"SecretCode": secret}
    if challenge is not None:
        out["Session"] = _next_session(ctx, challenge)
    return out


@action("VerifySoftwareToken")
def verify_software_token(ctx: Context, req: Request) -> Response:
    pool, user, challenge = _setup_subject(ctx, req)
    current = user.extra.get("totp") or {}
    pending = user.extra.get("totp_pending") or {}
    secret = pending.get("secret") or current.get("secret")
    if not secret:
        raise SoftwareTokenMFANotFoundException("Software Token MFA mfa not found for the user.")
    after = -1 if pending else int(current.get("last_step", -1))
    step = mfa.matching_step(secret, req["UserCode"], ctx.now(), after)
    if step is None:
        raise EnableSoftwareTokenMFAException("Code mismatch and fail enable Software Token MFA")
    user.extra.pop("totp_pending", None)
    user.extra["totp"] = {"secret": secret, "verified": True, "last_step": step}
    if req.get("FriendlyDeviceName"):
        user.extra["totp"]["device_name"] = req["FriendlyDeviceName"]
    # A verified authenticator is an enabled MFA method, as GetUser then shows.
    mfa.set_preference(user, mfa.TOTP, True, True if challenge is not None else None)
    save(ctx, pool, user)
    out: Response = {"Status": "SUCCESS"}
    if challenge is not None:
        challenge.data["verified"] = True
        out["Session"] = _next_session(ctx, challenge)
    return out

