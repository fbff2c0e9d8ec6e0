"""What every sign-in step shares: the attempt, parameter checks, tokens, and opening
a challenge."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .. import devices, ids, lockout
from ..api import Context, Response
from ..authflows import allowed_flows
from ..errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotFoundException,
)
from ..issuing import issue
from ..lookup import check_secret_hash, find_user
from ..records import Challenge, Client, Pool, User
from ..triggers.signin import post_authentication


@dataclass
class Attempt:
    """One sign-in call: who is asking, through which client, and how."""

    ctx: Context
    pool: Pool
    client: Client
    params: dict[str, str]
    admin: bool
    # What a finished sign-in yields instead of API tokens: the hosted UI's own ending
    # (a session cookie and an authorization code) after the very same steps.
    finish: Callable[[User], Awaitable[Response]] | None = None
    # The call's ClientMetadata, handed to the triggers it runs.
    metadata: dict[str, str] = field(default_factory=dict)
    # The PreTokenGeneration source of the tokens this attempt ends with.
    token_source: str = "TokenGeneration_Authentication"
    # The device the client signs in on (DEVICE_KEY), carried from step to step in the
    # challenges' data; verified once DEVICE_PASSWORD_VERIFIER is answered.
    device_key: str | None = None
    device_verified: bool = False


def param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def user_for_sign_in(a: Attempt, username: str) -> User | None:
    """The user a sign-in names (by username or alias), after the client's SECRET_HASH
    check; None only when the client hides unknown users (PreventUserExistenceErrors),
    else UserNotFoundException."""
    user = find_user(a.ctx, a.pool, username)
    check_secret_hash(a.client, username, a.params.get("SECRET_HASH"), *([user.username] if user else []))
    if user is None and a.client.config.get("PreventUserExistenceErrors") != "ENABLED":
        raise UserNotFoundException("User does not exist.")
    return user


def refuse_without_password(user: User) -> None:
    """A user a job imported (RESET_REQUIRED, no password yet) has no password to prove:
    Cognito answers any sign-in with a password so, whatever password is tried."""
    if user.status == "RESET_REQUIRED" and not user.password_hash:
        raise PasswordResetRequiredException("Password reset required for the user")


def consume(a: Attempt, challenge: Challenge) -> None:
    """Take the challenge out of the store; a second answer (even a concurrent one) is refused."""
    if not a.ctx.store.delete_challenge(challenge.session):
        raise NotAuthorizedException("Invalid session for the user, session can only be used once.")


def reread(a: Attempt, challenge: Challenge) -> tuple[Challenge, User]:
    """The challenge and its user read again after an await: still open, still theirs."""
    fresh = a.ctx.store.get_challenge(challenge.session)
    if fresh is None:
        raise NotAuthorizedException("Invalid session for the user, session can only be used once.")
    user = find_user(a.ctx, a.pool, fresh.username)
    if user is None or user.username != fresh.username:
        raise NotAuthorizedException("Invalid session for the user.")
    return fresh, user


# How many wrong codes one challenge session takes: the next answer, even a right one,
# is refused. Cognito documents no number; three, as AWS's passwordless sample allows.
WRONG_ANSWERS_PER_SESSION = 3


def spent(challenge: Challenge) -> bool:
    return int(challenge.data.get("wrong", 0)) >= WRONG_ANSWERS_PER_SESSION


def wrong_code(a: Attempt, challenge: Challenge, user: User) -> NoReturn:
    """A wrong one-time code: counted for the user's lockout and against the session."""
    lockout.failed(a.ctx, a.pool, lockout.key_of(a.pool, user))
    a.ctx.store.add_wrong_answer(challenge.session)
    raise CodeMismatchException("Invalid code received for user")


def require_flow(a: Attempt, flag: str, message: str) -> None:
    if flag not in allowed_flows(a.client):
        raise InvalidParameterException(message)


async def tokens(a: Attempt, user: User) -> Response:
    # An open challenge outlives AdminDisableUser: the last step checks again.
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    lockout.succeeded(a.ctx, a.pool, user)
    if a.finish is not None:
        return await a.finish(await post_authentication(a, user))
    # Cognito's admin flows do not track devices (developer guide, authentication flow).
    if a.admin or not devices.tracking(a.pool):
        # PostAuthentication, then PreTokenGeneration (in issue), as the hosted UI's ending
        # does: both run before anything is written, so either failing leaves nothing.
        user = await post_authentication(a, user)
        result = await issue(a.ctx, a.pool, a.client, user, source=a.token_source, metadata=a.metadata)
        return {"AuthenticationResult": result, "ChallengeParameters": {}}
    return await _tokens_on_device(a, user)


async def _tokens_on_device(a: Attempt, user: User) -> Response:
    """A pool that tracks devices: a known device proves itself first (DEVICE_SRP_AUTH);
    a sign-in on any other gets NewDeviceMetadata."""
    device = devices.known(a.ctx, a.pool, user, a.device_key)
    if device is not None and not a.device_verified:
        session = device_session(a.client.id, user.username, device.device_key)
        out = open_challenge(a, user, "DEVICE_SRP_AUTH", {"USERNAME": user.username}, session=session)
        return {**out, "Session": session}
    user = await post_authentication(a, user, new_device=device is None)
    # A new device's key is known before the tokens (its refresh tokens are bound to it);
    # the device is written once the triggers have passed, read again after their awaits.
    fresh = devices.new_device(a.ctx, a.pool, user) if device is None else None
    result = await issue(a.ctx, a.pool, a.client, user, device_key=device.device_key if device else None,
                         new_device=fresh.device_key if fresh else None, source=a.token_source,
                         metadata=a.metadata)
    device = devices.known(a.ctx, a.pool, user, device.device_key) if device is not None else None
    if device is not None:
        devices.authenticated(a.ctx, device)
    elif fresh is not None:
        result["NewDeviceMetadata"] = devices.hand_out(a.ctx, fresh)
    return {"AuthenticationResult": result, "ChallengeParameters": {}}


def device_session(client_id: str, username: str, device_key: str) -> str:
    """DEVICE_SRP_AUTH's Session, which pycognito does not send back: found again from
    the answer's USERNAME and DEVICE_KEY (the device's proof follows in the next step)."""
    return "device:" + hashlib.sha256(f"{client_id}/{username}/{device_key}".encode()).hexdigest()


def open_challenge(
    a: Attempt, user: User, name: str, parameters: dict[str, str],
    *, session: str | None = None, data: dict[str, Any] | None = None,
) -> Response:
    """Store a pending challenge (AuthSessionValidity minutes) and answer with it."""
    return open_challenge_for(a, user.username, name, parameters, session=session, data=data)


def open_challenge_for(
    a: Attempt, username: str, name: str, parameters: dict[str, str],
    *, session: str | None = None, data: dict[str, Any] | None = None,
) -> Response:
    """open_challenge() by name: also for a name no user has (CUSTOM_AUTH's userNotFound)."""
    now = a.ctx.now()
    minutes = int(a.client.config.get("AuthSessionValidity", 3))
    key = session or ids.opaque(96)
    data = dict(data or {})
    if a.device_key:
        data["device_key"] = a.device_key
    a.ctx.store.put_challenge(Challenge(
        session=key, pool_id=a.pool.id, client_id=a.client.id, username=username,
        name=name, created=now, expires=now + minutes * 60, data=data,
    ))
    out: Response = {"ChallengeName": name, "ChallengeParameters": parameters}
    if session is None:
        out["Session"] = key
    return out


def missing_required(pool: Pool, user: User) -> list[str]:
    return [
        e["Name"] for e in pool.config.get("SchemaAttributes", [])
        if e.get("Required") and e["Name"] != "sub" and not user.attributes.get(e["Name"])
    ]


def json_parameter(value: Any) -> str:
    """A challenge parameter holding JSON, written as Cognito writes it: compact
    (`{"email":"a@example.com"}`), which clients may compare as text. Non-ASCII stays
    as it is, as a JSON writer in UTF-8 leaves it (not confirmed against Cognito)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def new_password_parameters(pool: Pool, user: User) -> dict[str, str]:
    return {
        "USER_ID_FOR_SRP": user.username,
        "requiredAttributes": json_parameter([f"userAttributes.{n}" for n in missing_required(pool, user)]),
        "userAttributes": json_parameter(user.attributes),
    }
