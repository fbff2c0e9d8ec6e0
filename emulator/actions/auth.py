"""Sign-in: InitiateAuth / AdminInitiateAuth and the challenge answers, as dispatch
tables of one small function per AuthFlow and per ChallengeName."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from .. import ids
from ..accounts import save, set_password, update_attributes
from ..api import Context, Request, Response, action
from ..attributes import check_writable
from ..errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from ..issuing import issue, refresh_session
from ..lookup import (
    check_secret_hash,
    find_user,
    require_client,
    require_pool,
    secret_hash,
    user_key,
)
from ..passwords import verify_password
from ..records import Challenge, Client, Pool, User
from .clients import allowed_flows


@dataclass
class Attempt:
    """One sign-in call: who is asking, through which client, and how."""

    ctx: Context
    pool: Pool
    client: Client
    params: dict[str, str]
    admin: bool


def _param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def _require_flow(a: Attempt, flag: str, message: str) -> None:
    if flag not in allowed_flows(a.client):
        raise InvalidParameterException(message)


def _tokens(a: Attempt, user: User) -> Response:
    return {"AuthenticationResult": issue(a.ctx, a.pool, a.client, user), "ChallengeParameters": {}}


def _challenge(a: Attempt, user: User, name: str, parameters: dict[str, str]) -> Response:
    now = a.ctx.now()
    minutes = int(a.client.config.get("AuthSessionValidity", 3))
    session = ids.opaque(96)
    a.ctx.store.put_challenge(Challenge(
        session=session, pool_id=a.pool.id, client_id=a.client.id, username=user.username,
        name=name, created=now, expires=now + minutes * 60,
    ))
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


# -- password sign-in -------------------------------------------------------------


def _password_sign_in(a: Attempt) -> Response:
    username = _param(a.params, "USERNAME")
    password = _param(a.params, "PASSWORD")
    user = find_user(a.ctx, a.pool, username)
    check_secret_hash(a.client, username, a.params.get("SECRET_HASH"), *([user.username] if user else []))
    if user is None:
        if a.client.config.get("PreventUserExistenceErrors") == "ENABLED":
            raise NotAuthorizedException("Incorrect username or password.")
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if not verify_password(password, user.password_hash):
        raise NotAuthorizedException("Incorrect username or password.")
    return _after_password(a, user)


def _after_password(a: Attempt, user: User) -> Response:
    """What a correct password leads to, by the user's status."""
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == "FORCE_CHANGE_PASSWORD":
        days = a.pool.config.get("Policies", {}).get("PasswordPolicy", {}).get("TemporaryPasswordValidityDays") or 7
        if a.ctx.now() - user.password_set > days * 86400:
            raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
        return _challenge(a, user, "NEW_PASSWORD_REQUIRED", _new_password_parameters(a.pool, user))
    return _tokens(a, user)


def _new_password_parameters(pool: Pool, user: User) -> dict[str, str]:
    required = [
        f"userAttributes.{e['Name']}" for e in pool.config.get("SchemaAttributes", [])
        if e.get("Required") and e["Name"] != "sub" and not user.attributes.get(e["Name"])
    ]
    return {
        "USER_ID_FOR_SRP": user.username,
        "requiredAttributes": json.dumps(required),
        "userAttributes": json.dumps(user.attributes),
    }


def user_password_auth(a: Attempt) -> Response:
    _require_flow(a, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH flow not enabled for this client")
    return _password_sign_in(a)


def admin_password_auth(a: Attempt) -> Response:
    _require_flow(a, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "Auth flow not enabled for this client")
    return _password_sign_in(a)


def refresh_token_auth(a: Attempt) -> Response:
    _require_flow(a, "ALLOW_REFRESH_TOKEN_AUTH", "Refresh Token flow not enabled for this client")
    session = refresh_session(a.ctx, a.client, _param(a.params, "REFRESH_TOKEN"))
    user = a.ctx.store.get_user(a.pool.id, user_key(a.pool, session.username))
    if user is None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if a.client.secret:
        given = a.params.get("SECRET_HASH")
        if not given:
            raise NotAuthorizedException(f"Client {a.client.id} is configured for secret but secret was not received")
        if given not in {secret_hash(a.client.secret, n, a.client.id) for n in (user.username, user.sub)}:
            raise NotAuthorizedException(f"SecretHash does not match for the client: {a.client.id}")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return {"AuthenticationResult": issue(a.ctx, a.pool, a.client, user, session=session), "ChallengeParameters": {}}


def _not_yet(flow: str) -> Callable[[Attempt], Response]:
    def handler(a: Attempt) -> Response:
        raise InvalidParameterException(f"AuthFlow {flow} is not supported by this emulator yet.")
    return handler


_COMMON_FLOWS: dict[str, Callable[[Attempt], Response]] = {
    "REFRESH_TOKEN_AUTH": refresh_token_auth,
    "REFRESH_TOKEN": refresh_token_auth,
    "USER_SRP_AUTH": _not_yet("USER_SRP_AUTH"),
    "CUSTOM_AUTH": _not_yet("CUSTOM_AUTH"),
    "USER_AUTH": _not_yet("USER_AUTH"),
}
INITIATE_FLOWS = {**_COMMON_FLOWS, "USER_PASSWORD_AUTH": user_password_auth}
ADMIN_INITIATE_FLOWS = {
    **_COMMON_FLOWS,
    "ADMIN_USER_PASSWORD_AUTH": admin_password_auth,
    "ADMIN_NO_SRP_AUTH": admin_password_auth,
}


@action("InitiateAuth")
def initiate_auth(ctx: Context, req: Request) -> Response:
    client = require_client(ctx, req["ClientId"])
    attempt = Attempt(ctx, require_pool(ctx, client.pool_id), client, req.get("AuthParameters") or {}, admin=False)
    flow = INITIATE_FLOWS.get(req["AuthFlow"])
    if flow is None:
        raise InvalidParameterException("Initiate Auth method not supported.")
    return flow(attempt)


@action("AdminInitiateAuth")
def admin_initiate_auth(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    attempt = Attempt(ctx, pool, client, req.get("AuthParameters") or {}, admin=True)
    flow = ADMIN_INITIATE_FLOWS.get(req["AuthFlow"])
    if flow is None:
        raise InvalidParameterException("Initiate Auth method not supported.")
    return flow(attempt)


# -- challenges ---------------------------------------------------------------------


def new_password_required(a: Attempt, challenge: Challenge, user: User) -> Response:
    password = _param(a.params, "NEW_PASSWORD")
    updates = {k.split(".", 1)[1]: v for k, v in a.params.items() if k.startswith("userAttributes.")}
    if updates:
        check_writable(a.client, a.pool, set(updates))
        update_attributes(a.ctx, a.pool, user, updates)
    missing = [p.split(".", 1)[1] for p in json.loads(_new_password_parameters(a.pool, user)["requiredAttributes"])]
    if missing:
        raise InvalidParameterException(f"Invalid attributes given, {missing[0]} is missing")
    set_password(a.ctx, a.pool, user, password, status="CONFIRMED")
    save(a.ctx, a.pool, user)
    a.ctx.store.delete_challenge(challenge.session)
    return _tokens(a, user)


CHALLENGES: dict[str, Callable[[Attempt, Challenge, User], Response]] = {
    "NEW_PASSWORD_REQUIRED": new_password_required,
}


def _respond(ctx: Context, pool: Pool, client: Client, req: Request, admin: bool) -> Response:
    name = req["ChallengeName"]
    handler = CHALLENGES.get(name)
    if handler is None:
        raise InvalidParameterException(f"ChallengeName {name} is not supported by this emulator yet.")
    params = req.get("ChallengeResponses") or {}
    challenge = ctx.store.get_challenge(req.get("Session") or "")
    if challenge is None or challenge.expires <= ctx.now():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    if challenge.client_id != client.id or challenge.name != name:
        raise NotAuthorizedException("Invalid session for the user.")
    username = _param(params, "USERNAME")
    user = find_user(ctx, pool, username)
    if user is None or user.username != challenge.username:
        raise NotAuthorizedException("Invalid session for the user.")
    check_secret_hash(client, username, params.get("SECRET_HASH"), user.username)
    return handler(Attempt(ctx, pool, client, params, admin), challenge, user)


@action("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: Context, req: Request) -> Response:
    client = require_client(ctx, req["ClientId"])
    return _respond(ctx, require_pool(ctx, client.pool_id), client, req, admin=False)


@action("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    return _respond(ctx, pool, client, req, admin=True)

