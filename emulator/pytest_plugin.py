"""pytest plugin (entry point `pytest11`): a Cognito emulator for your test session.

    def test_sign_up(cognito):                      # state is empty at the start of each test
        idp = cognito.client                         # a ready boto3 cognito-idp client
        pool = idp.create_user_pool(PoolName="app")["UserPool"]["Id"]
        ...
        code = cognito.last_code(userPoolId=pool)    # read the outbox

`pip install "cognito-emulator[pytest]"` brings pytest and boto3 (for `.client`).
Fixtures: `cognito_emulator` (session: starts the server on a free 127.0.0.1 port with
its own temporary data directory), `cognito` (function: the same, reset first).
Settings come from COGNITO_EMULATOR_* environment variables (e.g. FIXED_CODE, SEED,
DETERMINISTIC_IDS); host, port and directories are the plugin's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .testing import EmulatorServer

_OWN = {"host", "port", "data_dir", "keys_dir", "sqlite_synchronous"}


class CognitoEmulator:
    """What tests get: the endpoint, a boto3 client, the outbox, reset(), the clock and
the trigger registry."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server

    @property
    def endpoint_url(self) -> str:
        return self.server.url

    @cached_property
    def client(self) -> Any:
        try:
            return self.server.client()
        except ModuleNotFoundError as exc:
            missing = str(exc)
        pytest.fail(missing, pytrace=False)  # boto3 missing: one sentence, no traceback

    @property
    def triggers(self) -> Any:
        """Register Python callables as trigger functions: `triggers.set(pool_id,
        "PreSignUp", fn)` or `triggers.register("function-name", fn)`."""
        return self.server.triggers

    @property
    def clock(self) -> Any:
        return self.server.clock

    def reset(self) -> None:
        self.server.reset()

    def messages(self, **filters: str) -> list[dict[str, Any]]:
        return self.server.messages(**filters)

    def last_code(self, **filters: str) -> str:
        return self.server.last_code(**filters)


def _settings_from_env() -> dict[str, Any]:
    from .settings import Settings

    configured = Settings.from_env()
    defaults = Settings()
    return {
        f.name: getattr(configured, f.name) for f in fields(Settings)
        if f.name not in _OWN and getattr(configured, f.name) != getattr(defaults, f.name)
    }


@pytest.fixture(scope="session")
def cognito_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CognitoEmulator]:
    from .testing import EmulatorServer

    root = tmp_path_factory.mktemp("cognito-emulator")
    server = EmulatorServer(data_dir=root / "data", keys_dir=root / "keys",
                            settings_overrides=_settings_from_env())
    server.start()
    try:
        yield CognitoEmulator(server)
    finally:
        server.stop()


@pytest.fixture
def cognito(cognito_emulator: CognitoEmulator) -> CognitoEmulator:
    cognito_emulator.reset()
    return cognito_emulator
