"""Choice-based sign-in (USER_AUTH): the first factor is PASSWORD, PASSWORD_SRP,
EMAIL_OTP or SMS_OTP, as the pool's sign-in policy (AllowedFirstAuthFactors) and the
user's contacts allow; chosen up front (PREFERRED_CHALLENGE) or through SELECT_CHALLENGE."""

from __future__ import annotations

from .. import lockout
from ..api import Response
from ..errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
)
from ..lookup import find_user
from ..records import Challenge, Pool, User
from ..triggers import target
from ..triggers.signin import pre_authentication, pre_authentication_not_found
from .core import Attempt, consume, open_challenge, param, require_flow, user_for_sign_in
from .mfa_steps import after_password, send_otp
from .srp_auth import parse_srp_a, start_srp


def first_factors(pool: Pool) -> list[str]:
    policy = (pool.config.get("Policies") or {}).get("SignInPolicy") or {}
    return list(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])


def available_challenges(pool: Pool, user: User) -> list[str]:
    allowed = first_factors(pool)
    out: list[str] = []
    if "PASSWORD" in allowed and user.password_hash:
        out += ["PASSWORD", "PASSWORD_SRP"]
    if "EMAIL_OTP" in allowed and user.attributes.get("email"):
        out.append("EMAIL_OTP")
    if "SMS_OTP" in allowed and user.attributes.get("phone_number"):
        out.append("SMS_OTP")
    return out


async def user_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_USER_AUTH", "USER_AUTH flow not enabled for this client")
    username = param(a.params, "USERNAME")
    user = user_for_sign_in(a, username)
    if user is None:
        await pre_authentication_not_found(a, username)
        if a.params.get("PREFERRED_CHALLENGE") == "PASSWORD":
            param(a.params, "PASSWORD")  # missing, it is said so, as for a real user
            lockout.refuse_unknown(a.ctx, a.pool, username)
        raise NotAuthorizedException("Incorrect username or password.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if target(a.ctx, a.pool, "PreAuthentication") is not None:
        await pre_authentication(a, user)  # before any factor is offered or checked
        user = _same_user(a, user.username)
    available = available_challenges(a.pool, user)
    preferred = a.params.get("PREFERRED_CHALLENGE")
    if preferred:
        return await _first_factor(a, user, preferred, available)
    out = open_challenge(a, user, "SELECT_CHALLENGE", {}, data={"available": available})
    out["AvailableChallenges"] = available
    return out


async def _first_factor(a: Attempt, user: User, choice: str, available: list[str]) -> Response:
    if choice == "WEB_AUTHN":
        raise InvalidParameterException("WEB_AUTHN sign-in is not supported by this emulator yet.")
    if choice not in available:
        raise InvalidParameterException(f"{choice} is not an available challenge for this user.")
    # A one-time code proves the mailbox, not a confirmed sign-up: no tokens before ConfirmSignUp.
    # (PASSWORD_SRP says so once the password is proven, as USER_SRP_AUTH does.)
    if user.status == "UNCONFIRMED" and choice != "PASSWORD_SRP":
        raise UserNotConfirmedException("User is not confirmed.")
    if choice == "PASSWORD":
        username = user.username
        proven = await lockout.proven(a.ctx, a.pool, param(a.params, "PASSWORD"), lambda: _same_user(a, username))
        return await after_password(a, proven)
    if choice == "PASSWORD_SRP":
        return start_srp(a, user, parse_srp_a(a))
    return send_otp(a, user, choice, first_factor=True)


async def answer_select_challenge(a: Attempt, challenge: Challenge, user: User) -> Response:
    consume(a, challenge)
    return await _first_factor(a, user, param(a.params, "ANSWER"), challenge.data.get("available", []))


def _same_user(a: Attempt, username: str) -> User:
    """The user read again after an await, as a sign-in still wants it."""
    user = find_user(a.ctx, a.pool, username)
    if user is None or user.username != username:
        raise NotAuthorizedException("Incorrect username or password.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user
