"""Request plumbing the hosted pages and OAuth endpoints share: the request's Context,
forms, CSRF (a double-submit cookie), pool routing by client_id or domain Host, calls
into the action registry, and rendering with Jinja2 (autoescaping on)."""

from __future__ import annotations

import functools
import hmac
import inspect
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

if TYPE_CHECKING:
    import jinja2

from .. import runner
from ..actions.branding import effective
from ..api import ACTIONS, Context, Services
from ..errors import CognitoError
from ..model import service_model
from ..records import Client, Pool, secret_hash
from ..urls import base_url, logo_url, stylesheet_url

CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # Inline <style> carries the pool's own (checked) CSS; nothing else runs or loads.
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class FormError(Exception):
    """A request body that is not a form we can read (400), or a call that could not be
    answered otherwise (its status: 500 when its writes failed to commit)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def context(request: Request) -> Context:
    """The request's Context: the one its call runs with (see endpoint())."""
    ctx: Context | None = getattr(request.state, "ctx", None)
    if ctx is None:
        services: Services = request.app.state.services
        settings = services.settings
        ctx = Context(services=services, region=settings.region,
                      base_url=base_url(settings, request.url.scheme, request.headers.get("host", "")))
        request.state.ctx = ctx
    return ctx


async def read_form(request: Request, limit: int) -> dict[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/x-www-form-urlencoded":
        raise FormError("Send the request as application/x-www-form-urlencoded.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise FormError(f"The request body is larger than {limit} bytes.")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise FormError("The request body is not a valid form.") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:  # OAuth 2.0: a parameter must not be sent twice
            raise FormError(f"The parameter {key} was sent more than once.")
        form[key] = value
    return form


Params = dict[str, str]
ViewFn = Callable[[Request, Params], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(bad_form: Callable[[Request, FormError], Response]) -> Callable[[ViewFn], Endpoint]:
    """Views are functions of (request, params): the query of a GET, the form of a POST,
    read in full first. The view then runs through the call runner, as an API call
    does: its units of work, the group commit, its after-commit steps."""

    def wrap(view: ViewFn) -> Endpoint:
        @functools.wraps(view)
        async def run(request: Request) -> Response:
            services: Services = request.app.state.services
            params = dict(request.query_params)
            if request.method == "POST":
                try:
                    params = await read_form(request, services.settings.max_body_bytes)
                except FormError as err:
                    return bad_form(request, err)
            try:
                return await runner.run(context(request), _as_call(view, request), params)
            except CognitoError as err:  # views answer Cognito's errors themselves, but not
                return bad_form(request, FormError(err.message, err.status))  # a failed commit

        return run

    return wrap


def _as_call(view: ViewFn, request: Request) -> Callable[[Context, Params], Awaitable[Response]]:
    async def call_view(ctx: Context, params: Params) -> Response:
        return await view(request, params)

    return call_view


def _bad_form_page(request: Request, err: FormError) -> Response:
    title = "Bad request" if err.status < 500 else "Something went wrong"
    return View(context(request), request).error(title, str(err), err.status)


page = endpoint(_bad_form_page)


def domain_pool_id(ctx: Context, request: Request) -> str | None:
    """The pool a domain Host names: `myapp.localhost:9229` is domain `myapp`'s pool."""
    host = (request.url.hostname or "").lower()
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2:
        return None
    domain = ctx.store.get_domain(host) or ctx.store.get_domain(labels[0])
    return domain.pool_id if domain else None


def find_client(ctx: Context, request: Request, client_id: str) -> tuple[Pool, Client] | None:
    """The client and its pool; None when unknown or of another pool than the Host's domain."""
    client = ctx.store.get_client(client_id) if client_id else None
    if client is None:
        return None
    by_host = domain_pool_id(ctx, request)
    if by_host is not None and by_host != client.pool_id:
        return None
    pool = ctx.store.get_pool(client.pool_id)
    return (pool, client) if pool else None


def validate(name: str, body: dict[str, Any]) -> None:
    """The model's checks of an action's request, as the JSON edge makes them."""
    service_model().validate_input(service_model().operations[name], body)


async def call(ctx: Context, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Run an action as the JSON API does, inside the view's call: the model's
    validation, then the handler."""
    validate(name, body)
    ctx.action = name
    result = ACTIONS[name](ctx, body)
    return await result if inspect.isawaitable(result) else result


def secret_hash_of(client: Client, username: str, key: str = "SECRET_HASH") -> dict[str, str]:
    """The hosted UI stands in for the app, so it signs its calls with the client's secret
    (`SECRET_HASH` in auth parameters, `SecretHash` in SignUp and the code actions)."""
    return {key: secret_hash(client.secret, username, client.id)} if client.secret else {}


def check_csrf(request: Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = form.get(CSRF_FIELD, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), given.encode())


@functools.lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    import jinja2  # on the first page, not at start-up: the API never needs it

    return jinja2.Environment(
        loader=jinja2.PackageLoader("emulator.hosted", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


@dataclass
class View:
    """One page being answered: where it is (pool, client) and its CSRF token."""

    ctx: Context
    request: Request
    pool: Pool | None = None
    client: Client | None = None
    _csrf: str = field(default="", init=False)

    @property
    def csrf(self) -> str:
        if not self._csrf:
            self._csrf = self.request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        return self._csrf

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        page = {"title": "", "error": "", "notice": "", "hidden": {}, "links": {},
                "stylesheet": stylesheet_url(self.ctx.base_url), "csrf_field": CSRF_FIELD,
                "csrf": self.csrf, **self._branding(), **values}
        html = templates().get_template(template).render(page)
        response = HTMLResponse(html, status, headers=PAGE_HEADERS)
        if self.request.cookies.get(CSRF_COOKIE) != self.csrf:
            self.cookie(response, CSRF_COOKIE, self.csrf, max_age=None)
        return response

    def error(self, title: str, message: str, status: int = 400) -> HTMLResponse:
        return self.render("error.html", status, title=title, error=message)

    def cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                            secure=self.request.url.scheme == "https")

    def _branding(self) -> dict[str, Any]:
        out: dict[str, Any] = {"app_name": self.client.name if self.client else "Sign in",
                               "custom_css": "", "logo": ""}
        if self.pool is None or self.client is None:
            return out
        ui = effective(self.ctx, self.pool.id, self.client.id)
        if ui is not None and ui.css:
            # Checked when set (Cognito's classes only, no markup); '<' is dropped again
            # here so nothing stored can ever close the <style> element.
            out["custom_css"] = Markup(ui.css.replace("<", ""))
        if ui is not None and ui.image:
            out["logo"] = logo_url(self.ctx.base_url, ui.pool_id, ui.client_id, int(ui.modified * 1000))
        return out
