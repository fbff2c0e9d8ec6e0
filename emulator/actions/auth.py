"""Sign-in actions: InitiateAuth / AdminInitiateAuth and the challenge answers, as
dispatch tables of one small function per AuthFlow and per ChallengeName (emulator/signin)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .. import devices
from ..api import Context, Request, Response, action
from ..authflows import allowed_flows
from ..errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from ..issuing import issue_client_credentials
from ..lookup import (
    check_secret_hash,
    client_secret_matches,
    find_user,
    require_client,
    require_pool,
)
from ..records import Challenge, Client, Pool, User
from ..refreshing import refreshed
from ..signin.core import Attempt, device_session, param, spent
from ..signin.custom_auth import NOT_FOUND, answer_custom_challenge, custom_auth
from ..signin.device_auth import device_password_verifier, device_srp_auth
from ..signin.mfa_steps import (
    answer_mfa_setup,
    answer_otp,
    answer_select_mfa_type,
    answer_totp,
)
from ..signin.password import (
    admin_password_auth,
    new_password_required,
    refresh_token_auth,
    user_password_auth,
)
from ..signin.srp_auth import decoy_answered, password_verifier, session_key, user_srp_auth
from ..signin.user_auth import answer_select_challenge, user_auth

Flow = Callable[[Attempt], Awaitable[Response]]
Answer = Callable[[Attempt, Challenge, User], Awaitable[Response]]


_COMMON_FLOWS: dict[str, Flow] = {
    "REFRESH_TOKEN_AUTH": refresh_token_auth,
    "REFRESH_TOKEN": refresh_token_auth,
    "USER_SRP_AUTH": user_srp_auth,
    "CUSTOM_AUTH": custom_auth,
    "USER_AUTH": user_auth,
}
INITIATE_FLOWS = {**_COMMON_FLOWS, "USER_PASSWORD_AUTH": user_password_auth}
ADMIN_INITIATE_FLOWS = {
    **_COMMON_FLOWS,
    "ADMIN_USER_PASSWORD_AUTH": admin_password_auth,
    "ADMIN_NO_SRP_AUTH": admin_password_auth,
}

CHALLENGES: dict[str, Answer] = {
    "NEW_PASSWORD_REQUIRED": new_password_required,
    "PASSWORD_VERIFIER": password_verifier,
    "SMS_MFA": answer_otp,
    "SMS_OTP": answer_otp,
    "EMAIL_OTP": answer_otp,
    "SOFTWARE_TOKEN_MFA": answer_totp,
    "SELECT_MFA_TYPE": answer_select_mfa_type,
    "MFA_SETUP": answer_mfa_setup,
    "SELECT_CHALLENGE": answer_select_challenge,
    "CUSTOM_CHALLENGE": answer_custom_challenge,
    "DEVICE_SRP_AUTH": device_srp_auth,
    "DEVICE_PASSWORD_VERIFIER": device_password_verifier,
}


async def _initiate(ctx: Context, pool: Pool, client: Client, req: Request, flows: dict[str, Flow],
                    admin: bool) -> Response:
    flow = flows.get(req["AuthFlow"])
    if flow is None:
        raise InvalidParameterException("Initiate Auth method not supported.")
    params = req.get("AuthParameters") or {}
    # Admin flows track no devices (Cognito's developer guide): their DEVICE_KEY is ignored.
    device_key = None if admin else params.get("DEVICE_KEY")
    return await flow(Attempt(ctx, pool, client, params, admin, metadata=dict(req.get("ClientMetadata") or {}),
                              device_key=device_key))


@action("InitiateAuth")
async def initiate_auth(ctx: Context, req: Request) -> Response:
    client = require_client(ctx, req["ClientId"])
    return await _initiate(ctx, require_pool(ctx, client.pool_id), client, req, INITIATE_FLOWS, admin=False)


@action("AdminInitiateAuth")
async def admin_initiate_auth(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    return await _initiate(ctx, pool, client, req, ADMIN_INITIATE_FLOWS, admin=True)


def _session_of(name: str, client: Client, req: Request, params: dict[str, str]) -> str:
    # The verifiers are found by their secret block, DEVICE_SRP_AUTH by user and device:
    # pycognito sends no Session for these.
    if name in ("PASSWORD_VERIFIER", "DEVICE_PASSWORD_VERIFIER"):
        return session_key(param(params, "PASSWORD_CLAIM_SECRET_BLOCK"))
    if name == "DEVICE_SRP_AUTH" and not req.get("Session"):
        return device_session(client.id, param(params, "USERNAME"), param(params, "DEVICE_KEY"))
    return req.get("Session") or ""


async def respond(ctx: Context, pool: Pool, client: Client, req: Request, admin: bool,
                  finish: Callable[[User], Awaitable[Response]] | None = None) -> Response:
    """Answer a challenge (RespondToAuthChallenge's body); the hosted UI passes `finish`."""
    name = req["ChallengeName"]
    handler = CHALLENGES.get(name)
    if handler is None:
        raise InvalidParameterException(f"ChallengeName {name} is not supported by this emulator yet.")
    params = req.get("ChallengeResponses") or {}
    challenge = ctx.store.get_challenge(_session_of(name, client, req, params))
    if challenge is None and name == "PASSWORD_VERIFIER":
        # Also what a PreventUserExistenceErrors decoy challenge gets: it was never stored.
        decoy_answered(ctx, pool, client, params)
        raise NotAuthorizedException("Incorrect username or password.")
    if challenge is None or challenge.expires <= ctx.now():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    if challenge.client_id != client.id or challenge.name != name or spent(challenge):
        raise NotAuthorizedException("Invalid session for the user.")
    username = param(params, "USERNAME")
    if challenge.data.get(NOT_FOUND):
        return await _answer_for_nobody(ctx, pool, client, req, challenge, username, admin)
    user = find_user(ctx, pool, username)
    if user is None or user.username != challenge.username:
        raise NotAuthorizedException("Invalid session for the user.")
    check_secret_hash(client, username, params.get("SECRET_HASH"), user.username)
    device_key = None if admin else params.get("DEVICE_KEY") or challenge.data.get("device_key")
    if device_key and params.get("DEVICE_KEY") and devices.tracking(pool):
        # Before the challenge is used: amazon-cognito-identity-js answers a "device"
        # ResourceNotFoundException by sending the same answer again without the key.
        devices.require(ctx, pool, user, device_key)
    attempt = Attempt(ctx, pool, client, params, admin, finish, dict(req.get("ClientMetadata") or {}),
                      device_key=device_key)
    return await handler(attempt, challenge, user)


async def _answer_for_nobody(ctx: Context, pool: Pool, client: Client, req: Request, challenge: Challenge,
                             username: str, admin: bool) -> Response:
    """A CUSTOM_CHALLENGE opened for a name no user has (PreventUserExistenceErrors):
    answered through the same triggers, by that name only; it never ends in tokens."""
    params = req.get("ChallengeResponses") or {}
    if username != challenge.username:
        raise NotAuthorizedException("Invalid session for the user.")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    attempt = Attempt(ctx, pool, client, params, admin, metadata=dict(req.get("ClientMetadata") or {}))
    return await answer_custom_challenge(attempt, challenge, None)


@action("RespondToAuthChallenge")
async def respond_to_auth_challenge(ctx: Context, req: Request) -> Response:
    client = require_client(ctx, req["ClientId"])
    return await respond(ctx, require_pool(ctx, client.pool_id), client, req, admin=False)


@action("AdminRespondToAuthChallenge")
async def admin_respond_to_auth_challenge(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    return await respond(ctx, pool, client, req, admin=True)


@action("GetTokensFromRefreshToken")
async def get_tokens_from_refresh_token(ctx: Context, req: Request) -> Response:
    """Amplify v6's only way to refresh; with the client's rotation, a new refresh token too."""
    client = require_client(ctx, req["ClientId"])
    pool = require_pool(ctx, client.pool_id)
    if client.secret and not req.get("ClientSecret"):
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not client_secret_matches(client, req.get("ClientSecret")):
        raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    if "ALLOW_REFRESH_TOKEN_AUTH" not in allowed_flows(client):
        raise InvalidParameterException("Refresh Token flow not enabled for this client")
    result = await refreshed(ctx, pool, client, req["RefreshToken"], device_key=req.get("DeviceKey"),
                             metadata=dict(req.get("ClientMetadata") or {}))
    return {"AuthenticationResult": result}


@action("GetClientToken")
async def get_client_token(ctx: Context, req: Request) -> Response:
    """A machine-to-machine access token through the API, as the client_credentials grant
    gives one. The model names no ALLOW_CLIENT_TOKEN_AUTH flow a client could be given, so
    the client must be one that may use that grant: a secret, client_credentials allowed."""
    client = require_client(ctx, req["ClientId"])
    pool = require_pool(ctx, client.pool_id)
    if not client.secret or not client_secret_matches(client, req["Secret"]):
        raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    config = client.config
    if not config.get("AllowedOAuthFlowsUserPoolClient") or "client_credentials" not in (
            config.get("AllowedOAuthFlows") or []):
        raise NotAuthorizedException(f"Client {client.id} is not allowed the client_credentials flow.")
    allowed = config.get("AllowedOAuthScopes") or []
    scopes = list(dict.fromkeys(req.get("Scopes") or allowed))
    wrong = [s for s in scopes if s not in allowed]
    if wrong:
        raise InvalidParameterException(f"Invalid scope requested: {wrong[0]}")
    try:
        result = await issue_client_credentials(ctx, pool, client, scopes, req.get("ClientMetadata"))
    except (UserLambdaValidationException, InvalidLambdaResponseException, UnexpectedLambdaException) as err:
        # The model lists no Lambda errors for GetClientToken: a V3_0 PreTokenGeneration
        # that fails refuses the token, its message kept (the emulator's choice).
        raise NotAuthorizedException(err.message) from None
    return {"ClientAuthenticationResult": result}
