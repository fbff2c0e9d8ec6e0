"""/login and /logout, and the hosted pages' assets: the stylesheet and logos.

Signing in through the form runs the password step of emulator/signin (as
USER_PASSWORD_AUTH does), so every challenge the API knows follows on the pages."""

from __future__ import annotations

import base64
from importlib import resources

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import CognitoError, PasswordResetRequiredException, UserNotConfirmedException
from ..signin.core import Attempt
from ..signin.password import password_sign_in
from ..urls import page_url
from .accounts import confirm_page, reset_page
from .authorize import Refused, begin, begin_form, complete, end_session, parse, signed_in_user
from .challenges import login_form, run
from .web import View, call, context, find_client, page, secret_hash_of

# Fixed texts a page may be asked to show (never text from the URL itself).
NOTICES = {
    "confirmed": "Your account is confirmed. Sign in to continue.",
    "password_reset": "Your password has been changed. Sign in with the new one.",
    "signed_out": "You have signed out.",
}


@page
async def login(request: Request, query: dict[str, str]) -> Response:
    started = begin(request, query)
    if isinstance(started, Response):
        return started
    view, areq = started
    signed_in = signed_in_user(view, request)
    if signed_in is not None:
        return await complete(view, areq, *signed_in)
    return login_form(view, areq, notice=NOTICES.get(query.get("notice", ""), ""))


@page
async def login_post(request: Request, form: dict[str, str]) -> Response:
    started = begin_form(request, form)
    if isinstance(started, Response):
        return started
    view, areq, pool, client = started
    username, password = form.get("username", "").strip(), form.get("password", "")
    if not username or not password:
        return login_form(view, areq, error="Enter your username and password.", username=username, status=400)
    params = {"USERNAME": username, "PASSWORD": password, **secret_hash_of(client, username)}
    try:
        return await run(view, areq, lambda finish: password_sign_in(
            Attempt(view.ctx, pool, client, params, admin=False, finish=finish)))
    except UserNotConfirmedException:
        # As Cognito's pages do: a fresh code, and the confirmation step.
        try:
            sent = await call(view.ctx, "ResendConfirmationCode", {
                "ClientId": client.id, "Username": username, **secret_hash_of(client, username, "SecretHash")})
        except CognitoError as err:
            return login_form(view, areq, error=err.message, username=username, status=400)
        return confirm_page(view, areq, username, sent.get("CodeDeliveryDetails", {}),
                            notice="Your account is not confirmed yet: enter the code we just sent.")
    except PasswordResetRequiredException:
        try:
            sent = await call(view.ctx, "ForgotPassword", {
                "ClientId": client.id, "Username": username, **secret_hash_of(client, username, "SecretHash")})
        except CognitoError as err:
            return login_form(view, areq, error=err.message, username=username, status=400)
        return reset_page(view, areq, username, sent.get("CodeDeliveryDetails", {}),
                          notice="Your password must be reset: enter the code we just sent and a new password.")
    except CognitoError as err:
        return login_form(view, areq, error=err.message, username=username, status=400)


@page
async def logout(request: Request, query: dict[str, str]) -> Response:
    """Ends the hosted-UI session; back to a registered logout_uri, or to /login."""
    ctx = context(request)
    found = find_client(ctx, request, query.get("client_id", ""))
    view = View(ctx, request, *(found or (None, None)))
    if found is None:
        return view.error("Unknown app client", "The client_id is missing or names no app client here.")
    logout_uri = query.get("logout_uri", "")
    if logout_uri:
        if logout_uri not in (found[1].config.get("LogoutURLs") or []):
            return view.error("Logout mismatch", "The logout_uri is not one of this app client's sign-out URLs.")
        response: Response = RedirectResponse(logout_uri, 302)
    elif query.get("redirect_uri"):
        try:
            areq = parse(view, query)
        except Refused as refused:
            return refused.response
        response = RedirectResponse(page_url(ctx.base_url, "/login", {**areq.params(), "notice": "signed_out"}), 302)
    else:
        return view.error("Cannot sign out", "Sign-out needs a logout_uri, or a redirect_uri and response_type.")
    end_session(view, request, response)
    return response


# -- assets -------------------------------------------------------------------------------


async def stylesheet(request: Request) -> Response:
    css = resources.files("emulator.hosted").joinpath("static/hosted.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})


async def logo(request: Request) -> Response:
    ctx = context(request)
    ui = ctx.store.get_ui_customization(request.path_params["pool_id"], request.path_params["client_id"])
    if ui is None or not ui.image:
        return Response("No logo.", 404, media_type="text/plain")
    return Response(base64.b64decode(ui.image), media_type=ui.image_type or "application/octet-stream",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})
