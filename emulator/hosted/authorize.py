"""The authorization request (`/oauth2/authorize`, `/login` and every page after them
carry it) and how it ends: a hosted-UI session cookie, then a redirect to the app with
an authorization code or (implicit) tokens.

The redirect URI is checked first and exactly against the client's CallbackURLs: until
it has passed, errors are pages of our own and the browser goes nowhere else."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import ids, providers, sessions
from ..api import Context
from ..errors import (
    CognitoError,
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from ..issuing import issue
from ..lookup import user_key
from ..records import AuthCode, Client, HostedSession, Pool, User
from ..urls import app_redirect
from .web import View, check_csrf, context, find_client

CODE_SECONDS = 300  # an authorization code lives 5 minutes (Developer Guide)
SESSION_SECONDS = 3600  # the hosted UI's sign-in cookie lives an hour
PKCE_METHODS = ("S256",)  # Cognito supports S256 only: "plain" is refused
FLOW_OF = {"code": "code", "token": "implicit"}


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def session_cookie(pool: Pool) -> str:
    return f"cognito-{pool.id}"


@dataclass
class AuthRequest:
    response_type: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str = ""
    nonce: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""
    # A third-party provider the request names (identity_provider / idp_identifier); not
    # carried from page to page: the pages are the COGNITO sign-in.
    identity_provider: str = ""
    # False for a client whose providers do not include COGNITO: no password pages.
    cognito: bool = True

    def params(self) -> dict[str, str]:
        """The request as query parameters / hidden fields, to carry from page to page."""
        return {
            "response_type": self.response_type, "client_id": self.client_id,
            "redirect_uri": self.redirect_uri, "scope": " ".join(self.scopes), "state": self.state,
            "nonce": self.nonce, "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
        }


class Refused(Exception):
    """The request cannot go on: `response` is the error page or the error redirect."""

    def __init__(self, response: Response) -> None:
        super().__init__("authorization request refused")
        self.response = response


def parse(view: View, q: dict[str, str]) -> AuthRequest:
    """Check an authorization request as Cognito does; raise Refused with the answer."""
    assert view.client is not None
    client = view.client
    callbacks = client.config.get("CallbackURLs") or []
    # A client's DefaultRedirectURI stands in for a redirect_uri the request leaves out.
    redirect_uri = q.get("redirect_uri") or client.config.get("DefaultRedirectURI") or ""
    if redirect_uri not in callbacks:
        raise Refused(view.error("Redirect mismatch", "error=redirect_mismatch: the redirect_uri is not one of "
                                 "this app client's callback URLs, so the sign-in cannot go back to it."))

    def refuse(error: str, description: str) -> Refused:
        return Refused(RedirectResponse(app_redirect(redirect_uri, {
            "error": error, "error_description": description, "state": q.get("state") or None}), 302))

    response_type = q.get("response_type") or ""
    if not response_type:
        raise refuse("invalid_request", "response_type is required")
    if response_type not in FLOW_OF:
        raise refuse("unsupported_response_type", f"response_type {response_type} is not supported")
    flows = client.config.get("AllowedOAuthFlows") or []
    if not client.config.get("AllowedOAuthFlowsUserPoolClient") or FLOW_OF[response_type] not in flows:
        raise refuse("unauthorized_client", f"the client may not use the {FLOW_OF[response_type]} flow")
    provider, cognito = _provider_named(view, q)
    if provider not in (client.config.get("SupportedIdentityProviders") or []) and provider:
        raise refuse("unauthorized_client", f"identity provider {provider} is not available to this client")
    allowed = client.config.get("AllowedOAuthScopes") or []
    scopes = (q.get("scope") or "").split() or list(allowed)
    if any(s not in allowed for s in scopes):
        raise refuse("invalid_scope", "a requested scope is not allowed for this client")
    challenge, method = q.get("code_challenge") or "", q.get("code_challenge_method") or ""
    if response_type == "code" and (challenge or method):
        if not challenge or not method:
            raise refuse("invalid_request", "code_challenge and code_challenge_method go together")
        if method not in PKCE_METHODS:
            raise refuse("invalid_request", "code_challenge_method must be S256")
    return AuthRequest(response_type=response_type, client_id=client.id, redirect_uri=redirect_uri,
                       scopes=list(dict.fromkeys(scopes)), state=q.get("state") or "",
                       nonce=q.get("nonce") or "", code_challenge=challenge if response_type == "code" else "",
                       code_challenge_method=method if response_type == "code" else "",
                       identity_provider="" if provider == "COGNITO" else provider, cognito=cognito)


def _provider_named(view: View, q: dict[str, str]) -> tuple[str, bool]:
    """(the provider to sign in with: COGNITO, one of the pool's named by identity_provider
    or idp_identifier, or "" for the login page's provider buttons; whether the client
    signs in with COGNITO at all). A name the pool does not have comes back marked, to be
    refused. Without a provider named, a client that lists no COGNITO goes straight to its
    one provider, or to the login page's buttons when it has several (our choice)."""
    assert view.pool is not None and view.client is not None
    supported = view.client.config.get("SupportedIdentityProviders") or []
    cognito = "COGNITO" in supported
    name = q.get("identity_provider") or ""
    if not name and q.get("idp_identifier"):
        found = providers.by_identifier(view.pool, q["idp_identifier"])
        name = found[0] if found else q["idp_identifier"]
    if name and name != "COGNITO" and providers.get(view.pool, name) is None:
        return f"{name} (unknown)", cognito
    if name or cognito:
        return name or "COGNITO", cognito
    known = [n for n in supported if providers.get(view.pool, n) is not None]
    if len(known) == 1:
        return known[0], False
    return ("" if known else "COGNITO"), False


def begin(request: Request, q: dict[str, str]) -> tuple[View, AuthRequest] | Response:
    """A page's authorization request: the client, its pool and the checked parameters."""
    ctx = context(request)
    found = find_client(ctx, request, q.get("client_id", ""))
    view = View(ctx, request, *(found or (None, None)))
    if found is None:
        return view.error("Unknown app client", "The client_id is missing or names no app client here.")
    try:
        return view, parse(view, q)
    except Refused as refused:
        return refused.response


class Posted(NamedTuple):
    view: View
    areq: AuthRequest
    pool: Pool
    client: Client


def begin_form(request: Request, form: dict[str, str]) -> Posted | Response:
    """A posted page: its CSRF token checked, then its authorization request, pool and client."""
    if not check_csrf(request, form):
        return View(context(request), request).error(
            "This form has expired", "Go back, reload the page and try again.", 403)
    started = begin(request, form)
    if isinstance(started, Response):
        return started
    view, areq = started
    assert view.pool is not None and view.client is not None  # begin() found both
    if not areq.cognito:
        return view.error("Sign in with your identity provider",
                          "This app signs in through an identity provider only, not with a username and password.")
    return Posted(view, areq, view.pool, view.client)


# -- the hosted-UI session -----------------------------------------------------------------


def signed_in_user(view: View, request: Request) -> tuple[User, int] | None:
    """The user the session cookie signs in to this pool, and when they signed in. Where
    the pool tracks sessions, a client reuses it silently only for its SSO session's
    MaxValidityMinutes after that sign-in (0: never)."""
    assert view.pool is not None
    token = request.cookies.get(session_cookie(view.pool))
    if not token:
        return None
    session = view.ctx.store.get_hosted_session(_hash(token))
    if session is None or session.pool_id != view.pool.id or session.expires <= view.ctx.now():
        return None
    if sessions.tracking(view.pool) and view.client is not None and \
            view.ctx.now() >= session.auth_time + 60 * sessions.sso_minutes(view.pool, view.client.id):
        return None
    user = view.ctx.store.get_user(view.pool.id, user_key(view.pool, session.username))
    if user is None or not user.enabled or user.status not in ("CONFIRMED", "EXTERNAL_PROVIDER"):
        return None
    return user, session.auth_time


def end_session(view: View, request: Request, response: Response) -> None:
    assert view.pool is not None
    token = request.cookies.get(session_cookie(view.pool))
    if token:
        view.ctx.store.delete_hosted_session(_hash(token))
    response.delete_cookie(session_cookie(view.pool), path="/")


# -- the ending: back to the app -------------------------------------------------------------


async def complete(view: View, areq: AuthRequest, user: User, auth_time: int | None = None) -> Response:
    """Redirect to the app with a code or tokens; a fresh sign-in also gets the cookie.
    Where the pool tracks sessions, the cookie's session is an SSO session: the tokens
    name it as their origin, and a silent sign-in marks it active."""
    pool, client = view.pool, view.client
    assert pool is not None and client is not None
    now = view.ctx.now()
    fresh = auth_time is None
    auth_time = int(now) if auth_time is None else auth_time
    token = ids.opaque(32) if fresh else view.request.cookies.get(session_cookie(pool), "")
    sso = sessions.sso_id(_hash(token)) if sessions.tracking(pool) else None
    if areq.response_type == "code":
        code = ids.opaque(32)
        view.ctx.store.put_auth_code(_hash(code), AuthCode(
            pool_id=pool.id, client_id=client.id, username=user.username, redirect_uri=areq.redirect_uri,
            scopes=" ".join(areq.scopes), auth_time=auth_time, expires=now + CODE_SECONDS,
            challenge=areq.code_challenge or None, challenge_method=areq.code_challenge_method or None,
            nonce=areq.nonce or None, sso_session=sso))
        target = app_redirect(areq.redirect_uri, {"code": code, "state": areq.state or None})
    else:
        try:
            answer = await implicit_answer(view, areq, pool, client, user, auth_time, sso)
        except (UserLambdaValidationException, InvalidLambdaResponseException, UnexpectedLambdaException) as err:
            return trigger_failed(areq, err)
        target = app_redirect(areq.redirect_uri, answer, fragment=True)
    if sso is not None and not fresh:  # once nothing can refuse the sign-in any more
        view.ctx.store.touch_hosted_session(_hash(token), view.ctx.now())
    response = RedirectResponse(target, 302)
    if fresh:
        seconds = _cookie_seconds(pool, client)
        view.ctx.store.put_hosted_session(_hash(token), HostedSession(
            pool_id=pool.id, username=user.username, auth_time=auth_time, expires=now + seconds,
            client_id=client.id if sso else None, created=now, last_active=now))
        view.cookie(response, session_cookie(pool), token, max_age=seconds)
    return response


def trigger_failed(areq: AuthRequest, err: CognitoError) -> Response:
    """A trigger failed as the UI hands back to the app: back to the redirect_uri with the
    error in the query (Cognito's `?error_description=...&error=...`), no tokens, no session."""
    return RedirectResponse(app_redirect(areq.redirect_uri, {
        "error": "invalid_request", "error_description": err.message, "state": areq.state or None}), 302)


def _cookie_seconds(pool: Pool, client: Client) -> int:
    """An hour; where the pool tracks sessions, at least the client's SSO validity."""
    if not sessions.tracking(pool):
        return SESSION_SECONDS
    return max(SESSION_SECONDS, 60 * sessions.sso_minutes(pool, client.id))


async def implicit_answer(view: View, areq: AuthRequest, pool: Pool, client: Client, user: User,
                    auth_time: int, sso: str | None = None) -> dict[str, Any]:
    """The implicit grant's fragment: never a refresh token; an ID token only with openid."""
    result = await issue(view.ctx, pool, client, user, auth_time=auth_time, scopes=areq.scopes,
                         nonce=areq.nonce or None, sso_session=sso, source="TokenGeneration_HostedAuth")
    return {"id_token": result.get("IdToken"), "access_token": result["AccessToken"],
            "token_type": "Bearer", "expires_in": str(result["ExpiresIn"]), "state": areq.state or None}


def take_code(ctx: Context, code: str) -> AuthCode | None:
    """The code, spent: a second exchange of the same code finds nothing."""
    return ctx.store.take_auth_code(_hash(code))
