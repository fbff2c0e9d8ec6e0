"""The OAuth 2.0 / OpenID Connect endpoints: /oauth2/authorize, /oauth2/token (the
authorization_code, refresh_token and client_credentials grants), /oauth2/userInfo and
/oauth2/revoke. Errors are OAuth's JSON (`{"error", "error_description"}`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..api import Context
from ..attributes import readable
from ..authflows import allowed_flows
from ..errors import (
    CognitoError,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from ..issuing import authenticate, issue, issue_client_credentials
from ..lookup import user_key
from ..records import Client, Pool, User
from ..refreshing import refreshed
from ..urls import page_url
from .authorize import begin, complete, signed_in_user, take_code
from .federated import to_provider
from .web import FormError, call, context, domain_pool_id, endpoint, find_client, page

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status

    def response(self) -> JSONResponse:
        body = {"error": self.error, **({"error_description": self.description} if self.description else {})}
        return JSONResponse(body, self.status, headers=NO_STORE)


def _bad_form(request: Request, err: FormError) -> Response:
    if err.status >= 500:
        return OAuthError("server_error", str(err), err.status).response()
    return OAuthError("invalid_request", str(err)).response()


oauth_endpoint = endpoint(_bad_form)


@page
async def authorize(request: Request, query: dict[str, str]) -> Response:
    """Straight back to the app when the session cookie says who it is, else to /login."""
    started = begin(request, query)
    if isinstance(started, Response):
        return started
    view, areq = started
    if areq.identity_provider:  # silently on to the third-party provider
        return await to_provider(view, areq)
    signed_in = signed_in_user(view, request)
    if signed_in is not None:
        return await complete(view, areq, *signed_in)
    return RedirectResponse(page_url(view.ctx.base_url, "/login", areq.params()), 302)


# -- /oauth2/token ------------------------------------------------------------------------


def authenticate_client(ctx: Context, request: Request, form: dict[str, str]) -> tuple[Pool, Client]:
    """By HTTP Basic (client_secret_basic) or by the form (client_secret_post)."""
    client_id, secret = form.get("client_id", ""), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
        basic_id, sep, basic_secret = raw.partition(":")
        if not sep or (client_id and client_id != unquote_plus(basic_id)):
            raise OAuthError("invalid_client", "malformed Basic credentials", 401)
        client_id, secret = unquote_plus(basic_id), unquote_plus(basic_secret)
    found = find_client(ctx, request, client_id)
    if found is None:
        raise OAuthError("invalid_client", "unknown client")
    pool, client = found
    if client.secret:
        if not secret or not client.accepts_secret(secret):
            raise OAuthError("invalid_client", "client secret missing or wrong")
    elif secret:
        raise OAuthError("invalid_client", "this client has no secret")
    return pool, client


def _require_flow(client: Client, flow: str) -> None:
    if not client.config.get("AllowedOAuthFlowsUserPoolClient") or flow not in (
            client.config.get("AllowedOAuthFlows") or []):
        raise OAuthError("unauthorized_client", f"the client may not use the {flow} flow")


def _live(user: User | None) -> User:
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant", "the user no longer exists or is disabled")
    return user


def _pkce_ok(challenge: str, method: str, verifier: str) -> bool:
    """S256, the one method /oauth2/authorize accepts; a code stored with any other matches nothing."""
    if method != "S256" or not verifier:
        return False
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"="), challenge.encode())


def _token_body(result: dict[str, Any]) -> dict[str, Any]:
    names = {"IdToken": "id_token", "AccessToken": "access_token", "RefreshToken": "refresh_token"}
    body = {wire: result[key] for key, wire in names.items() if key in result}
    return {**body, "token_type": "Bearer", "expires_in": result["ExpiresIn"]}


async def code_grant(ctx: Context, pool: Pool, client: Client, form: dict[str, str]) -> dict[str, Any]:
    _require_flow(client, "code")
    if not form.get("code") or not form.get("redirect_uri"):
        raise OAuthError("invalid_request", "code and redirect_uri are required")
    grant = take_code(ctx, form["code"])
    if grant is None or grant.expires <= ctx.now() or grant.client_id != client.id:
        raise OAuthError("invalid_grant", "the code is unknown, used, expired or not this client's")
    if grant.redirect_uri != form["redirect_uri"]:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
    if grant.challenge and not _pkce_ok(grant.challenge, grant.challenge_method or "", form.get("code_verifier", "")):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    user = _live(ctx.store.get_user(pool.id, user_key(pool, grant.username)))
    return _token_body(await issue(ctx, pool, client, user, auth_time=grant.auth_time,
                                   scopes=grant.scopes.split(), nonce=grant.nonce, sso_session=grant.sso_session,
                                   source="TokenGeneration_HostedAuth"))


async def refresh_grant(ctx: Context, pool: Pool, client: Client, form: dict[str, str]) -> dict[str, Any]:
    if not form.get("refresh_token"):
        raise OAuthError("invalid_request", "refresh_token is required")
    if "ALLOW_REFRESH_TOKEN_AUTH" not in allowed_flows(client):
        raise OAuthError("unauthorized_client", "refresh is not enabled for this client")
    try:
        # The same path as GetTokensFromRefreshToken: with rotation, a new refresh token.
        return _token_body(await refreshed(ctx, pool, client, form["refresh_token"]))
    except (NotAuthorizedException, RefreshTokenReuseException) as err:
        raise OAuthError("invalid_grant", err.message) from None


async def client_credentials_grant(ctx: Context, pool: Pool, client: Client, form: dict[str, str]) -> dict[str, Any]:
    _require_flow(client, "client_credentials")
    allowed = client.config.get("AllowedOAuthScopes") or []
    scopes = form.get("scope", "").split() or list(allowed)
    if any(s not in allowed for s in scopes):
        raise OAuthError("invalid_scope", "a requested scope is not allowed for this client")
    metadata = _client_metadata(form.get("aws_client_metadata"))
    return _token_body(await issue_client_credentials(ctx, pool, client, list(dict.fromkeys(scopes)), metadata))


def _client_metadata(raw: str | None) -> dict[str, str] | None:
    """`aws_client_metadata`: URL-encoded JSON that Cognito hands to a V3_0 PreTokenGeneration
    function as `clientMetadata` (an object of strings, as the API's ClientMetadata is)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise OAuthError("invalid_request", "aws_client_metadata is not JSON") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise OAuthError("invalid_request", "aws_client_metadata must be a JSON object of strings")
    return value


GRANTS: dict[str, Callable[[Context, Pool, Client, dict[str, str]], Awaitable[dict[str, Any]]]] = {
    "authorization_code": code_grant,
    "refresh_token": refresh_grant,
    "client_credentials": client_credentials_grant,
}


@oauth_endpoint
async def token(request: Request, form: dict[str, str]) -> Response:
    ctx = context(request)
    try:
        pool, client = authenticate_client(ctx, request, form)
        if not form.get("grant_type"):
            raise OAuthError("invalid_request", "grant_type is required")
        grant = GRANTS.get(form["grant_type"])
        if grant is None:
            raise OAuthError("unsupported_grant_type", f"grant_type {form['grant_type']} is not supported")
        return JSONResponse(await grant(ctx, pool, client, form), headers=NO_STORE)
    except OAuthError as err:
        return err.response()


# -- /oauth2/userInfo and /oauth2/revoke ------------------------------------------------------


def _bearer_error(error: str, description: str, status: int) -> JSONResponse:
    challenge = f'Bearer error="{error}", error_description="{description}"'
    return JSONResponse({"error": error, "error_description": description}, status,
                        headers={**NO_STORE, "WWW-Authenticate": challenge})


@oauth_endpoint
async def user_info(request: Request, params: dict[str, str]) -> Response:
    ctx = context(request)
    scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not access_token.strip():
        return _bearer_error("invalid_request", "Send the access token as Authorization: Bearer <token>.", 400)
    try:
        pool, user, claims = authenticate(ctx, access_token.strip(), scope="openid")
        if domain_pool_id(ctx, request) not in (None, pool.id):
            raise NotAuthorizedException("Invalid Access Token")  # a domain answers for its own pool only
    except CognitoError:
        return _bearer_error("invalid_token", "Access token is expired, disabled, or deleted, or the user "
                             "has globally signed out.", 401)
    client = ctx.store.get_client(str(claims.get("client_id")))
    names = readable(client, pool) if client else set()
    # Cognito answers with attribute values as stored: "email_verified": "true".
    attributes = {k: v for k, v in user.attributes.items() if k in names}
    return JSONResponse({"sub": user.sub, **attributes, "username": user.username}, headers=NO_STORE)


_REVOKE_ERRORS = {UnsupportedTokenTypeException: "unsupported_token_type",
                  UnsupportedOperationException: "invalid_request"}


@oauth_endpoint
async def revoke(request: Request, form: dict[str, str]) -> Response:
    ctx = context(request)
    try:
        _, client = authenticate_client(ctx, request, form)
        if not form.get("token"):
            raise OAuthError("invalid_request", "token is required")
        body = {"Token": form["token"], "ClientId": client.id}
        if client.secret:
            body["ClientSecret"] = client.secret
        await call(ctx, "RevokeToken", body)
    except OAuthError as err:
        if err.error == "invalid_client":
            err.status = 401
        return err.response()
    except CognitoError as err:
        return OAuthError(_REVOKE_ERRORS.get(type(err), "invalid_request"), err.message).response()
    return Response(status_code=200, headers=NO_STORE)
