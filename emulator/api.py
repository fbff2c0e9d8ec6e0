"""The action registry and the context every handler receives.

A handler is a function named after its action, `(ctx, request) -> response`,
registered with `@action("AdminGetUser")` (user pools, cognito-idp) or
`@action("GetId", service=IDENTITY_SERVICE)` (identity pools, cognito-identity); one that must wait for slow work (bcrypt,
signatures, a trigger) is `async` and awaits it through `ctx.offload` (runner.py). There is
one registry per service, and it *is* the list of supported actions: the README's
tables are held to them by a test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .clock import Clock
from .ids import IdSource
from .model import IDENTITY_SERVICE, SERVICE
from .settings import Settings
from .store import Store
from .tokens import KeyStore
from .triggers.registry import Triggers

if TYPE_CHECKING:
    from .runner import Passage

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[["Context", Request], Response | Awaitable[Response]]
AfterCommit = Callable[[], None | Awaitable[None]]
T = TypeVar("T")

ACTIONS: dict[str, Handler] = {}  # cognito-idp (user pools): emulator/actions
IDENTITY_ACTIONS: dict[str, Handler] = {}  # cognito-identity (identity pools): emulator/identity_pools
REGISTRIES: dict[str, dict[str, Handler]] = {SERVICE: ACTIONS, IDENTITY_SERVICE: IDENTITY_ACTIONS}


def action(name: str, service: str = SERVICE) -> Callable[[Handler], Handler]:
    registry = REGISTRIES[service]

    def register(fn: Handler) -> Handler:
        if name in registry:
            raise RuntimeError(f"action {name} of {service} registered twice")
        registry[name] = fn
        return fn

    return register


@dataclass
class Services:
    """What lives as long as the app: built once by create_app."""

    settings: Settings
    store: Store
    clock: Clock
    keys: KeyStore
    ids: IdSource
    # Trigger functions registered from a test (in-process servers); cleared by reset.
    triggers: Triggers = field(default_factory=Triggers)
    # Work the app runs in the background (user import jobs), held so it is not collected.
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


@dataclass
class Context:
    """One request's view: the services plus where and how the client called."""

    services: Services
    region: str
    base_url: str
    action: str = ""
    service: str = SERVICE
    # The region a signed call is made in (its SigV4 credential scope): it sees only that
    # region's pools. None for what Cognito leaves unsigned and for the emulator's own
    # callers (hosted UI, seed, control endpoints): no region to disagree with.
    signed_region: str | None = None
    # The caller's address, where the edge knows it (device attributes' last_ip_used).
    client_ip: str | None = None
    # What to do outside the store once the call's writes have committed (and not if
    # they fail to): the runner runs these after the commit, before answering.
    after_commit: list[AfterCommit] = field(default_factory=list)
    # The call's way through the store, set by the runner.
    passage: Passage | None = None
    # Steps the runner awaits once the handler has returned, as part of the call (a
    # CustomMessage trigger composing a message the handler queued): their errors are the call's.
    finishing: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The request's ClientMetadata and app client (its ClientId, or its access token's),
    # for the triggers the call runs.
    client_metadata: dict[str, str] = field(default_factory=dict)
    client_id: str | None = None

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def keys(self) -> KeyStore:
        return self.services.keys

    @property
    def ids(self) -> IdSource:
        return self.services.ids

    def now(self) -> float:
        return self.services.clock.now()

    async def offload(self, fn: Callable[..., T], *args: Any) -> T:
        """Slow or blocking work (bcrypt, RSA, SMTP, a trigger), run between units of
        work: the call's open unit ends here, `fn` runs on a worker thread, and a new
        unit opens for what follows. Anything read before may have changed meanwhile:
        read it again before writing on it."""
        result: T = (await self._passage().offload((fn, *args)))[0]
        return result

    async def offload_all(self, *calls: tuple[Any, ...]) -> list[Any]:
        """offload() for several (fn, *args) at once, side by side on worker threads."""
        return await self._passage().offload(*calls)

    def _passage(self) -> Passage:
        if self.passage is None:
            raise RuntimeError("ctx.offload outside the call runner")
        return self.passage
