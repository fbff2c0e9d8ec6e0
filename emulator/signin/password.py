"""Password flows (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH),
refresh, and the NEW_PASSWORD_REQUIRED challenge."""

from __future__ import annotations

from .. import lockout
from ..accounts import save, set_password, update_attributes
from ..api import Response
from ..attributes import check_writable
from ..errors import (
    InvalidParameterException,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UserNotConfirmedException,
)
from ..lookup import check_secret_hash, find_user
from ..passwords import prepare
from ..records import Challenge, User
from ..refreshing import refreshed, rotation
from ..triggers import target
from ..triggers.migration import migrate
from ..triggers.signin import pre_authentication, pre_authentication_not_found
from .core import (
    Attempt,
    consume,
    missing_required,
    param,
    refuse_without_password,
    require_flow,
    reread,
    user_for_sign_in,
)
from .mfa_steps import after_password, second_factor


async def password_sign_in(a: Attempt) -> Response:
    username = param(a.params, "USERNAME")
    password = param(a.params, "PASSWORD")

    def ready() -> User:  # read before the password check, and again after it
        user = user_for_sign_in(a, username)
        if user is None:
            lockout.refuse_unknown(a.ctx, a.pool, username)
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        # Cognito says so before it looks at the password (by design, per the Cognito team).
        if user.status == "UNCONFIRMED":
            raise UserNotConfirmedException("User is not confirmed.")
        refuse_without_password(user)
        return user

    if target(a.ctx, a.pool, "UserMigration") is not None and find_user(a.ctx, a.pool, username) is None:
        check_secret_hash(a.client, username, a.params.get("SECRET_HASH"))  # before anything runs
        await migrate(a.ctx, a.pool, a.client, username, password, a.metadata)
    if target(a.ctx, a.pool, "PreAuthentication") is not None:
        if user_for_sign_in(a, username) is None:  # a hidden unknown name: userNotFound
            await pre_authentication_not_found(a, username)
        await pre_authentication(a, ready())  # before the password is looked at
    return await after_password(a, await lockout.proven(a.ctx, a.pool, password, ready))


async def user_password_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH flow not enabled for this client")
    return await password_sign_in(a)


async def admin_password_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "Auth flow not enabled for this client")
    return await password_sign_in(a)


async def refresh_token_auth(a: Attempt) -> Response:
    require_flow(a, "ALLOW_REFRESH_TOKEN_AUTH", "Refresh Token flow not enabled for this client")
    if rotation(a.client)[0]:
        # Cognito: "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with
        # refresh token rotation enabled" (the wording is the emulator's).
        raise InvalidParameterException(
            "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken.")
    token = param(a.params, "REFRESH_TOKEN")

    def check(user: User) -> None:
        if not a.client.secret:
            return
        given = a.params.get("SECRET_HASH")
        if not given:
            raise NotAuthorizedException(f"Client {a.client.id} is configured for secret but secret was not received")
        if not a.client.accepts_secret_hash(given, user.username, user.sub):
            raise NotAuthorizedException(f"SecretHash does not match for the client: {a.client.id}")

    try:
        result = await refreshed(a.ctx, a.pool, a.client, token, check, a.params.get("DEVICE_KEY"),
                                 metadata=a.metadata)
    except RefreshTokenReuseException:
        # Not among InitiateAuth's errors: a token rotated out is simply no longer valid.
        raise NotAuthorizedException("Invalid Refresh Token") from None
    return {"AuthenticationResult": result, "ChallengeParameters": {}}


async def new_password_required(a: Attempt, challenge: Challenge, user: User) -> Response:
    password = await prepare(a.ctx, param(a.params, "NEW_PASSWORD"))
    # Read again after the await: the challenge may have been answered meanwhile.
    challenge, user = reread(a, challenge)
    updates = {k.split(".", 1)[1]: v for k, v in a.params.items() if k.startswith("userAttributes.")}
    if updates:
        check_writable(a.client, a.pool, set(updates))
        update_attributes(a.ctx, a.pool, user, updates)
    missing = missing_required(a.pool, user)
    if missing:
        raise InvalidParameterException(f"Invalid attributes given, {missing[0]} is missing")
    set_password(a.ctx, a.pool, user, password, status="CONFIRMED")
    consume(a, challenge)  # before anything is written: a raced second answer changes nothing
    save(a.ctx, a.pool, user)
    a.token_source = "TokenGeneration_NewPasswordChallenge"
    return await second_factor(a, user)
