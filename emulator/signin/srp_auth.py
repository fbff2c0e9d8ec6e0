"""USER_SRP_AUTH and its PASSWORD_VERIFIER challenge.

The challenge is found again by its SECRET_BLOCK, which every client echoes as
PASSWORD_CLAIM_SECRET_BLOCK (pycognito sends no Session)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from .. import lockout, srp
from ..api import Context, Response
from ..errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
)
from ..lookup import find_user, user_key
from ..records import Challenge, Client, Pool, User, same_secret
from ..triggers import target
from ..triggers.signin import pre_authentication, pre_authentication_not_found
from .core import (
    Attempt,
    consume,
    open_challenge,
    param,
    refuse_without_password,
    require_flow,
    user_for_sign_in,
)
from .mfa_steps import after_password

_WRONG = "Incorrect username or password."


def session_key(secret_block: str) -> str:
    return "srp:" + hashlib.sha256(secret_block.encode()).hexdigest()


async def user_srp_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_USER_SRP_AUTH", "USER_SRP_AUTH is not enabled for the client.")
    username = param(a.params, "USERNAME")
    big_a = parse_srp_a(a)
    user = user_for_sign_in(a, username)
    if user is None:
        await pre_authentication_not_found(a, username)
        return decoy(a, username, big_a)
    if target(a.ctx, a.pool, "PreAuthentication") is not None:
        await pre_authentication(a, user)
        user = user_for_sign_in(a, username)  # read again after the await
        if user is None:
            return decoy(a, username, big_a)
    if user.enabled:  # a disabled user learns so from the answer, as before
        refuse_without_password(user)
    return start_srp(a, user, big_a)


def parse_srp_a(a: Attempt) -> int:
    try:
        big_a = int(param(a.params, "SRP_A"), 16)
    except ValueError:
        raise InvalidParameterException("SRP_A is not a hexadecimal number.") from None
    if big_a < 0:
        raise InvalidParameterException("SRP_A is not a hexadecimal number.")
    if big_a % srp.N == 0:
        raise NotAuthorizedException(_WRONG)
    return big_a


def start_srp(a: Attempt, user: User, big_a: int, custom: list[dict[str, Any]] | None = None) -> Response:
    """The PASSWORD_VERIFIER challenge for a known user (also reached from USER_AUTH, and
    from CUSTOM_AUTH with SRP_A: `custom` is its history); none while the user is locked out."""
    lockout.guard(a.ctx, a.pool, lockout.key_of(a.pool, user))
    verifier = user.extra.get("srp") or srp.make_verifier(a.pool.id, user.username, secrets.token_hex(16))
    b, big_b = srp.server_ephemeral(verifier["verifier"])
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    parameters = {
        "SALT": verifier["salt"], "SRP_B": format(big_b, "x"), "SECRET_BLOCK": secret_block,
        "USER_ID_FOR_SRP": user.username, "USERNAME": user.username,
    }
    data: dict[str, Any] = {"A": format(big_a, "x"), "b": format(b, "x"), "B": format(big_b, "x"),
                            "verifier": verifier["verifier"]}
    if custom is not None:
        data["custom"] = custom
    return open_challenge(a, user, "PASSWORD_VERIFIER", parameters,
                          session=session_key(secret_block), data=data)


def decoy(a: Attempt, username: str, big_a: int) -> Response:
    """PreventUserExistenceErrors: an unknown user gets a challenge that looks real
    (stable salt per name) and can never be answered."""
    lockout.guard(a.ctx, a.pool, user_key(a.pool, username))
    salt = hmac.new(a.pool.id.encode(), username.encode(), hashlib.sha256).hexdigest()[:32]
    fake_b = int.from_bytes(secrets.token_bytes(384), "big") % srp.N
    return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
        "SALT": salt.lstrip("0") or "1", "SRP_B": format(fake_b, "x"),
        "SECRET_BLOCK": base64.b64encode(secrets.token_bytes(64)).decode(),
        "USER_ID_FOR_SRP": username, "USERNAME": username,
    }}


async def password_verifier(a: Attempt, challenge: Challenge, user: User) -> Response:
    consume(a, challenge)  # one answer per challenge, right or wrong
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    key = lockout.key_of(a.pool, user)
    lockout.guard(a.ctx, a.pool, key)
    expected = srp.expected_signature(
        pool_id=a.pool.id, user_id=user.username, verifier_hex=challenge.data["verifier"],
        a=int(challenge.data["A"], 16), b=int(challenge.data["b"], 16), big_b=int(challenge.data["B"], 16),
        secret_block=param(a.params, "PASSWORD_CLAIM_SECRET_BLOCK"), timestamp=param(a.params, "TIMESTAMP"),
    )
    given = param(a.params, "PASSWORD_CLAIM_SIGNATURE")
    if expected is None or not same_secret(expected, given):
        lockout.failed(a.ctx, a.pool, key)
        raise NotAuthorizedException(_WRONG)
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    if "custom" in challenge.data:
        from .custom_auth import after_custom_password  # custom_auth builds on this module

        return await after_custom_password(a, challenge, user)
    return await after_password(a, user)


def decoy_answered(ctx: Context, pool: Pool, client: Client, params: dict[str, str]) -> None:
    """An answer to a decoy challenge (none is stored) counts as a wrong password for the
    unknown name, as a real user's would."""
    name = params.get("USERNAME")
    if name and client.config.get("PreventUserExistenceErrors") == "ENABLED" and find_user(ctx, pool, name) is None:
        lockout.refuse_unknown(ctx, pool, name)
