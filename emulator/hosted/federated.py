"""Hosted sign-in through a third-party identity provider: `/oauth2/authorize` with
`identity_provider` (or `idp_identifier`) sends the browser to the provider, and
`/oauth2/idpresponse` takes its answer, signs the federated user in and finishes as a
hosted sign-in does. OIDC providers only; the others answer a page naming the gap.
The domain work (state, the calls out, the user) is emulator/federation.py."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import federation, providers
from ..errors import CognitoError
from ..lookup import user_key
from ..triggers.signup import pre_sign_up
from ..urls import app_redirect, page_url
from .authorize import AuthRequest, Refused, complete, parse
from .web import View, context, find_client, page

IDP_RESPONSE = "/oauth2/idpresponse"


def _browser_cookie(view: View) -> str:
    assert view.pool is not None
    return f"cognito-fed-{view.pool.id}"


def _oidc_nonce(browser_nonce: str) -> str:
    return hashlib.sha256(f"oidc:{browser_nonce}".encode()).hexdigest()[:32]


def provider_links(view: View, areq: AuthRequest) -> list[dict[str, str]]:
    """A button per provider the client supports, for the login page."""
    assert view.pool is not None and view.client is not None
    known = providers.all_of(view.pool)
    return [{"name": name, "href": page_url(view.ctx.base_url, "/oauth2/authorize",
                                            {**areq.params(), "identity_provider": name})}
            for name in view.client.config.get("SupportedIdentityProviders") or [] if name in known]


async def to_provider(view: View, areq: AuthRequest) -> Response:
    """The redirect to the provider's authorize_url, with a state bound to this request
    and this browser."""
    assert view.pool is not None and view.client is not None
    name = areq.identity_provider
    record = providers.get(view.pool, name)
    assert record is not None  # parse() checked it
    if record["ProviderType"] != "OIDC":
        return view.error("Sign-in not available here",
                          f"This emulator signs in through OIDC identity providers only; {name} is a "
                          f"{record['ProviderType']} provider, whose live sign-in is not emulated.", 501)
    details = dict(record["ProviderDetails"])
    try:
        where = await view.ctx.offload(federation.endpoints, details)
    except federation.FederationError as err:
        return _back_to_app(areq, "server_error", err.description)
    browser_nonce = secrets.token_urlsafe(24)
    state = federation.seal_state(view.ctx, view.pool.id, {
        "c": view.client.id, "p": areq.params(), "i": name, "exp": view.ctx.now() + federation.STATE_SECONDS,
        "b": federation.browser_nonce_hash(browser_nonce)})
    target = app_redirect(where.authorize_url, {
        "client_id": details["client_id"], "redirect_uri": view.ctx.base_url + IDP_RESPONSE,
        "response_type": "code", "scope": details.get("authorize_scopes", "openid"), "state": state,
        "nonce": _oidc_nonce(browser_nonce)})
    response = RedirectResponse(target, 302)
    view.cookie(response, _browser_cookie(view), browser_nonce, max_age=federation.STATE_SECONDS)
    return response


def _back_to_app(areq: AuthRequest, error: str, description: str) -> Response:
    return RedirectResponse(app_redirect(areq.redirect_uri, {
        "error": error, "error_description": description, "state": areq.state or None}), 302)


@page
async def idp_response(request: Request, query: dict[str, str]) -> Response:
    """The provider's answer: a code (or an error) and the state we sent."""
    ctx = context(request)
    opened = federation.open_state(ctx, query.get("state", ""))
    found = find_client(ctx, request, str(opened[1].get("c", ""))) if opened else None
    if opened is None or found is None:
        return View(ctx, request).error("Sign-in expired", "The sign-in with your identity provider could not be "
                                        "matched to a request, or took longer than 5 minutes. Start again.")
    payload = opened[1]
    view = View(ctx, request, *found)
    try:
        areq = parse(view, {**payload["p"], "identity_provider": payload["i"]})
    except Refused as refused:
        return refused.response
    browser_nonce = request.cookies.get(_browser_cookie(view), "")
    if not browser_nonce or federation.browser_nonce_hash(browser_nonce) != payload.get("b"):
        return view.error("Sign-in expired", "This browser did not start the sign-in. Start again.")
    if query.get("error"):
        # The provider's refusal goes back to the app in OAuth's words.
        return _back_to_app(areq, query["error"], query.get("error_description") or query["error"])
    if not query.get("code"):
        return _back_to_app(areq, "invalid_request", "The identity provider sent no code.")
    try:
        response = await _sign_in(view, areq, payload["i"], query["code"], _oidc_nonce(browser_nonce))
    except federation.FederationError as err:
        return _back_to_app(areq, err.error, err.description)
    except CognitoError as err:  # a PreSignUp that refused, a disabled user...
        return _back_to_app(areq, "invalid_request", err.message)
    response.delete_cookie(_browser_cookie(view), path="/")
    return response


async def _sign_in(view: View, areq: AuthRequest, name: str, code: str, nonce: str) -> Response:
    assert view.pool is not None and view.client is not None
    ctx, pool_id, client_id = view.ctx, view.pool.id, view.client.id
    record = providers.get(view.pool, name)
    if record is None:
        raise federation.FederationError(f"The identity provider {name} no longer exists.")
    details = dict(record["ProviderDetails"])
    claims: dict[str, Any] = await ctx.offload(_call_out, details, code, ctx.base_url + IDP_RESPONSE,
                                               nonce, ctx.now())
    subject, attributes = federation.mapped(record, claims)
    pool = ctx.store.get_pool(pool_id)  # read again: the unit of work ended at the offload
    if pool is None:
        raise federation.FederationError("The user pool no longer exists.")
    linked = ctx.store.linked_sub(pool.id, name, subject)
    if linked is not None:  # AdminLinkProviderForUser: the provider's user signs in as this one
        user = ctx.store.get_user_by_sub(pool.id, linked)
        if user is None or not user.enabled:
            raise federation.FederationError("User is disabled." if user else "User does not exist.")
        view.pool = pool
        return await complete(view, areq, user)
    username = federation.username_of(name, subject)
    if ctx.store.get_user(pool.id, user_key(pool, username)) is None:
        await pre_sign_up(ctx, pool, "PreSignUp_ExternalProvider", username, attributes, {}, client_id)
        pool = ctx.store.get_pool(pool_id) or pool
    user = federation.upsert_user(ctx, pool, name, record["ProviderType"], subject, attributes)
    if not user.enabled:
        raise federation.FederationError("User is disabled.")
    view.pool = pool
    return await complete(view, areq, user)


def _call_out(details: dict[str, str], code: str, redirect_uri: str, nonce: str, now: float) -> dict[str, Any]:
    """Every HTTP call of a sign-in, on a worker thread: discovery, token, JWKS, userInfo."""
    where = federation.endpoints(details)
    return federation.exchange(details, where, code, redirect_uri, nonce, now)
