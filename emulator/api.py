"""The action registry and the context every handler receives.

A handler is a plain function named after its action, `(ctx, request) -> response`,
registered with `@action("AdminGetUser")`. The registry *is* the list of supported
actions: the README's table is held to it by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .ids import IdSource
from .settings import Settings
from .store import Store
from .tokens import KeyStore

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[["Context", Request], Response]

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
    # Set by the JSON edge, which signs tokens after the call (tokens.Unsigned).
    defer_signing: bool = False
    # The JSON edge's: the commit group the call's answer waits for (sqlconn.CommitGroup).
    commit_group: Any = None
    # What to do outside the store once the call's writes have committed (and not if
    # they fail to): the edge runs these after the commit, before answering.
    after_commit: list[Callable[[], None]] = field(default_factory=list)

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
