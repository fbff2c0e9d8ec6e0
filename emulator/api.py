"""The action registry and the context every handler receives.

A handler is a function named after its action, `(ctx, request) -> response`,
registered with `@action("AdminGetUser")`; one that must wait for slow work (bcrypt,
signatures, a trigger) is `async` and awaits it through `ctx.offload` (runner.py). The
registry *is* the list of supported actions: the README's table is held to it by a test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .clock import Clock
from .ids import IdSource
from .settings import Settings
from .store import Store
from .tokens import KeyStore

if TYPE_CHECKING:
    from .runner import Passage

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[["Context", Request], Response | Awaitable[Response]]
AfterCommit = Callable[[], None | Awaitable[None]]
T = TypeVar("T")

ACTIONS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in ACTIONS:
            raise RuntimeError(f"action {name} registered twice")
        ACTIONS[name] = fn
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


@dataclass
class Context:
    """One request's view: the services plus where and how the client called."""

    services: Services
    region: str
    base_url: str
    action: str = ""
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
