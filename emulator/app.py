"""The application factory and the one route table."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from . import actions, control, identity_pools, imports, seed, swap, wellknown  # noqa: F401  (registers every handler)
from .api import Services
from .clock import Clock, SystemClock
from .cors import Cors
from .hosted import accounts, challenges, federated, oauth, pages
from .ids import IdSource
from .protocol import OtherMethods, handle
from .settings import Settings
from .store import Store
from .tokens import KeyStore
from .triggers.registry import Triggers

log = logging.getLogger("emulator")


def build_services(settings: Settings, clock: Clock, triggers: Triggers | None = None) -> Services:
    swap.recover(settings.data_dir, settings.keys_dir)  # a state swap a crash interrupted
    return Services(
        settings=settings,
        store=Store(settings.data_dir, settings.sqlite_synchronous),
        clock=clock,
        keys=KeyStore(settings.keys_dir),
        ids=IdSource(settings.deterministic_ids),
        triggers=triggers or Triggers(),
    )


def create_app(settings: Settings, clock: Clock | None = None, triggers: Triggers | None = None) -> Starlette:
    """The app; with a seed file, applied before anything is served (SeedError if broken).
    `triggers`: callables a test registers as trigger functions (in-process servers)."""
    services = build_services(settings, clock or SystemClock(), triggers)
    seeded: dict[str, int] = {}
    if settings.seed:
        try:
            seeded = seed.apply(services, seed.load(Path(settings.seed)))
        except seed.SeedError:
            services.store.close()
            raise

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        imports.resume(services)  # user import jobs a stopped process left running
        yield
        for task in list(services.tasks):
            task.cancel()
        services.store.close()

    routes = [
        Route("/", handle, methods=["POST"]),
        Route("/", OtherMethods()),  # every other method: AWS's JSON error, not a text 405
        Route("/health", wellknown.health, methods=["GET"]),
        # Identity pools' OpenID tokens (emulator/identity_pools), before the user pools' paths.
        Route("/cognito-identity/.well-known/jwks_uri", wellknown.identity_jwks, methods=["GET"]),
        Route("/cognito-identity/.well-known/openid-configuration", wellknown.identity_openid_configuration,
              methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", wellknown.jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", wellknown.openid_configuration, methods=["GET"]),
        # The hosted UI and OAuth 2.0 / OpenID Connect (emulator/hosted).
        Route("/oauth2/authorize", oauth.authorize, methods=["GET"]),
        Route("/oauth2/idpresponse", federated.idp_response, methods=["GET"]),
        Route("/oauth2/token", oauth.token, methods=["POST"]),
        Route("/oauth2/userInfo", oauth.user_info, methods=["GET", "POST"]),
        Route("/oauth2/revoke", oauth.revoke, methods=["POST"]),
        Route("/login", pages.login, methods=["GET"]),
        Route("/login", pages.login_post, methods=["POST"]),
        Route("/challenge", challenges.answer, methods=["POST"]),
        Route("/logout", pages.logout, methods=["GET"]),
        Route("/signup", accounts.signup, methods=["GET"]),
        Route("/signup", accounts.signup_post, methods=["POST"]),
        Route("/confirm", accounts.confirm_post, methods=["POST"]),
        Route("/forgotPassword", accounts.forgot, methods=["GET"]),
        Route("/forgotPassword", accounts.forgot_post, methods=["POST"]),
        Route("/confirmForgotPassword", accounts.reset_post, methods=["POST"]),
        Route("/_hosted/hosted.css", pages.stylesheet, methods=["GET"]),
        Route("/_hosted/logo/{pool_id}/{client_id}", pages.logo, methods=["GET"]),
        Route("/_upload/user-import/{job_id}", imports.upload, methods=["PUT"]),  # a job's PreSignedUrl
        Route("/_emulator/user-import-jobs/{job_id}", control.import_job_failures, methods=["GET"]),
        Route("/_emulator/messages", control.list_messages, methods=["GET"]),
        Route("/_emulator/messages", control.clear_messages, methods=["DELETE"]),
        Route("/_emulator/reset", control.reset_state, methods=["POST"]),
        Route("/_emulator/snapshot", control.get_snapshot, methods=["GET"]),
        Route("/_emulator/snapshot", control.put_snapshot, methods=["POST", "PUT"]),
    ]
    # CORS (preflights and headers) on the API, the OAuth endpoints and discovery: cors.py.
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(Cors)])
    app.state.services = services
    app.state.seeded = seeded
    return app
