"""What a proven first factor leads to (NEW_PASSWORD_REQUIRED, an MFA challenge or
tokens), and the answers to SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and
MFA_SETUP. The one-time-code challenges are shared with USER_AUTH's passwordless
first factors."""

from __future__ import annotations

from .. import devices, lockout, mfa
from ..api import Response
from ..errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
)
from ..messaging import deliver, mask, new_code
from ..records import Challenge, Pool, User, same_secret
from .core import (
    Attempt,
    consume,
    json_parameter,
    new_password_parameters,
    open_challenge,
    param,
    tokens,
    wrong_code,
)

DEFAULT_SMS_TEXT = "Your authentication code is {####}. "
DEFAULT_EMAIL_TEXT = "Your authentication code is {####}. "
DEFAULT_EMAIL_SUBJECT = "Your authentication code"
# Challenge name -> (channel, contact attribute, response key).
OTP_CHALLENGES = {
    "SMS_MFA": ("SMS", "phone_number", "SMS_MFA_CODE"),
    "SMS_OTP": ("SMS", "phone_number", "SMS_OTP_CODE"),
    "EMAIL_OTP": ("EMAIL", "email", "EMAIL_OTP_CODE"),
}


async def after_password(a: Attempt, user: User) -> Response:
    """What a proven password leads to, by the user's status."""
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == "FORCE_CHANGE_PASSWORD":
        policy = a.pool.config.get("Policies", {}).get("PasswordPolicy", {})
        days = policy.get("TemporaryPasswordValidityDays") or 7
        if a.ctx.now() - user.password_set > days * 86400:
            raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
        return open_challenge(a, user, "NEW_PASSWORD_REQUIRED", new_password_parameters(a.pool, user))
    return await second_factor(a, user)


async def second_factor(a: Attempt, user: User) -> Response:
    """After the first factor: tokens, or the MFA challenge the pool and user call for."""
    mode = mfa.pool_mode(a.pool)
    if mode == "OFF" or (a.device_key and devices.skips_mfa(a.ctx, a.pool, user, a.device_key)):
        return await tokens(a, user)
    enabled = mfa.enabled_methods(a.pool, user)
    preferred = mfa.preferred_method(a.pool, user)
    if preferred or len(enabled) == 1:
        return start_mfa(a, user, preferred or enabled[0])
    if enabled:
        return open_challenge(a, user, "SELECT_MFA_TYPE",
                              {"MFAS_CAN_CHOOSE": json_parameter(enabled), "USER_ID_FOR_SRP": user.username},
                              data={"choices": enabled})
    if mode == "ON":
        return _required_without_method(a, user)
    return await tokens(a, user)


def _required_without_method(a: Attempt, user: User) -> Response:
    offered = mfa.pool_methods(a.pool)
    # With MFA required, Cognito texts or mails a user whose contact it has, unasked.
    if mfa.SMS in offered and user.attributes.get("phone_number"):
        return start_mfa(a, user, mfa.SMS)
    if mfa.EMAIL in offered and user.attributes.get("email"):
        return start_mfa(a, user, mfa.EMAIL)
    if mfa.TOTP in offered:
        return open_challenge(a, user, "MFA_SETUP",
                              {"MFAS_CAN_SETUP": json_parameter([mfa.TOTP]), "USER_ID_FOR_SRP": user.username})
    raise NotAuthorizedException("User has no MFA method that this user pool can use.")


def start_mfa(a: Attempt, user: User, method: str) -> Response:
    if method == mfa.TOTP:
        return open_challenge(a, user, "SOFTWARE_TOKEN_MFA", {"USER_ID_FOR_SRP": user.username})
    return send_otp(a, user, method)


def _template(pool: Pool, challenge: str) -> tuple[str, str]:
    if challenge.startswith("SMS"):
        return pool.config.get("SmsAuthenticationMessage") or DEFAULT_SMS_TEXT, ""
    config = pool.config.get(mfa.POOL_KEYS[mfa.EMAIL]) or {}
    return config.get("Message") or DEFAULT_EMAIL_TEXT, config.get("Subject") or DEFAULT_EMAIL_SUBJECT


def send_otp(a: Attempt, user: User, challenge: str, *, first_factor: bool = False) -> Response:
    """Send a one-time code by SMS or email and open the challenge that checks it."""
    channel, attribute, _ = OTP_CHALLENGES[challenge]
    destination = user.attributes.get(attribute)
    if not destination:
        raise InvalidParameterException(f"The user has no {attribute} to send a code to.")
    code = new_code(a.ctx)
    text, subject = _template(a.pool, challenge)
    deliver(a.ctx, a.pool, user, kind="AUTHENTICATION", channel=channel, destination=destination,
            body=text.replace("{####}", code), subject=subject, code=code)
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": channel,
                  "CODE_DELIVERY_DESTINATION": mask(destination, channel),
                  "USER_ID_FOR_SRP": user.username}
    return open_challenge(a, user, challenge, parameters, data={"code": code, "first_factor": first_factor})


async def answer_otp(a: Attempt, challenge: Challenge, user: User) -> Response:
    _, _, key = OTP_CHALLENGES[challenge.name]
    given = param(a.params, key).strip()
    lockout.guard(a.ctx, a.pool, lockout.key_of(a.pool, user))
    if not same_secret(str(challenge.data.get("code")), given):
        wrong_code(a, challenge, user)
    consume(a, challenge)
    return await tokens(a, user)


async def answer_totp(a: Attempt, challenge: Challenge, user: User) -> Response:
    given = param(a.params, "SOFTWARE_TOKEN_MFA_CODE")
    lockout.guard(a.ctx, a.pool, lockout.key_of(a.pool, user))
    if not mfa.check_totp(a.ctx.store, a.pool, user, given, a.ctx.now()):
        wrong_code(a, challenge, user)
    consume(a, challenge)
    return await tokens(a, user)


async def answer_select_mfa_type(a: Attempt, challenge: Challenge, user: User) -> Response:
    answer = param(a.params, "ANSWER")
    if answer not in challenge.data.get("choices", []):
        raise InvalidParameterException(f"{answer} is not one of the MFA types the user can choose.")
    consume(a, challenge)
    return start_mfa(a, user, answer)


async def answer_mfa_setup(a: Attempt, challenge: Challenge, user: User) -> Response:
    if not challenge.data.get("verified"):
        raise NotAuthorizedException("Software token MFA has not been verified for this session.")
    consume(a, challenge)
    return await tokens(a, user)
