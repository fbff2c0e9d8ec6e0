"""Multi-factor authentication state: the pool's MFA configuration, each user's MFA
methods and preference, and TOTP (RFC 6238) secrets and codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import TYPE_CHECKING, Any

from .lookup import user_key
from .records import Pool, User

if TYPE_CHECKING:
    from .store import Store

SMS, TOTP, EMAIL = "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"
METHODS = (SMS, TOTP, EMAIL)
# Where the TOTP and email methods' pool configuration is kept (private keys: UserPoolType
# has no member for them). SMS MFA has no key of its own: in Cognito it is the pool's
# SmsConfiguration and SmsAuthenticationMessage, the members DescribeUserPool shows.
POOL_KEYS = {TOTP: "_SoftwareTokenMfaConfiguration", EMAIL: "_EmailMfaConfiguration"}
SMS_KEYS = ("SmsAuthenticationMessage", "SmsConfiguration")
STEP = 30
# Cognito accepts the current code and its neighbours (clock drift of one step either way).
WINDOW = 1


def pool_mode(pool: Pool) -> str:
    return str(pool.config.get("MfaConfiguration") or "OFF")


def pool_methods(pool: Pool) -> list[str]:
    """Methods the pool offers, in Cognito's order."""
    return offered(pool.config)


def offered(config: dict[str, Any]) -> list[str]:
    """Methods a pool configuration offers: SMS wherever it can text."""
    out = []
    if config.get("SmsConfiguration") is not None:
        out.append(SMS)
    if (config.get(POOL_KEYS[TOTP]) or {}).get("Enabled"):
        out.append(TOTP)
    if config.get(POOL_KEYS[EMAIL]) is not None:
        out.append(EMAIL)
    return out


def sms_config(pool: Pool) -> dict[str, Any]:
    """SmsMfaConfiguration as GetUserPoolMfaConfig shows it: the pool's SMS settings."""
    return {k: pool.config[k] for k in SMS_KEYS if pool.config.get(k) is not None}


def user_settings(user: User) -> dict[str, dict[str, bool]]:
    return {m: dict(s) for m, s in (user.extra.get("mfa") or {}).items()}


def enabled_methods(pool: Pool, user: User) -> list[str]:
    """The user's enabled methods that the pool still offers."""
    settings = user_settings(user)
    offered = pool_methods(pool)
    return [m for m in METHODS if settings.get(m, {}).get("enabled") and m in offered]


def preferred_method(pool: Pool, user: User) -> str | None:
    settings = user_settings(user)
    for method in enabled_methods(pool, user):
        if settings[method].get("preferred"):
            return method
    return None


def set_preference(user: User, method: str, enabled: bool | None, preferred: bool | None) -> None:
    settings = user_settings(user)
    current = settings.setdefault(method, {"enabled": False, "preferred": False})
    if enabled is not None:
        current["enabled"] = enabled
        if not enabled:
            current["preferred"] = False
    if preferred is not None:
        if preferred:
            for other in settings.values():
                other["preferred"] = False
            current["enabled"] = True
        current["preferred"] = preferred
    user.extra["mfa"] = settings


LEGACY_SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def set_legacy_sms(user: User, on: bool) -> None:
    """SetUserSettings' SMS MFA: on or off, shown as MFAOptions while on."""
    set_preference(user, SMS, on, None)
    if on:
        user.extra["legacy_sms"] = True
    else:
        user.extra.pop("legacy_sms", None)


def delete_totp(user: User) -> bool:
    """Forget the user's authenticator (and TOTP as a method); False if there was none."""
    had = "totp" in user.extra or "totp_pending" in user.extra or TOTP in user_settings(user)
    user.extra.pop("totp", None)
    user.extra.pop("totp_pending", None)
    settings = user_settings(user)
    settings.pop(TOTP, None)
    user.extra["mfa"] = settings
    return had


def user_wire(pool: Pool, user: User) -> dict[str, Any]:
    """UserMFASettingList and PreferredMfaSetting, as GetUser and AdminGetUser show them,
    and MFAOptions for SMS MFA set the legacy way (SetUserSettings)."""
    out: dict[str, Any] = {}
    settings = user_settings(user)
    if user.extra.get("legacy_sms") and settings.get(SMS, {}).get("enabled"):
        out["MFAOptions"] = [dict(LEGACY_SMS_OPTION)]
    enabled = [m for m in METHODS if settings.get(m, {}).get("enabled")]
    if enabled:
        out["UserMFASettingList"] = enabled
    preferred = next((m for m in enabled if settings[m].get("preferred")), None)
    if preferred:
        out["PreferredMfaSetting"] = preferred
    return out


# -- TOTP ---------------------------------------------------------------------------


def new_totp_secret() -> str:
    """32 base32 characters: 160 bits, as Cognito's SecretCode."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def matching_step(secret: str, code: str, now: float, after: int = -1) -> int | None:
    """The time step after `after` whose code `code` is, within the window."""
    current = int(now // STEP)
    for step in range(max(current - WINDOW, after + 1), current + WINDOW + 1):
        if hmac.compare_digest(totp_at(secret, step).encode(), code.strip().encode()):
            return step
    return None


def check_totp(store: Store, pool: Pool, user: User, code: str, now: float) -> bool:
    """True for a fresh code of the user's verified authenticator; a code's step is
    never accepted twice (the store claims it atomically)."""
    totp = user.extra.get("totp") or {}
    if not totp.get("secret") or not totp.get("verified"):
        return False
    step = matching_step(totp["secret"], code, now, int(totp.get("last_step", -1)))
    if step is None or not store.claim_totp_step(pool.id, user_key(pool, user.username), step):
        return False
    totp["last_step"] = step
    return True
