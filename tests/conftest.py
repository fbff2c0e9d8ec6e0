"""Shared fixtures: a real emulator on an ephemeral loopback port, real boto3 clients,
and an injected clock tests move instead of sleeping."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config

from emulator.app import create_app
from emulator.clock import ManualClock
from emulator.settings import Settings

from .shapes import ResponseRecorder

PASSWORD = "Passw0rd!"


@dataclass
class LiveServer:
    """An emulator serving in a thread of the test process, on 127.0.0.1."""

    data_dir: Path
    keys_dir: Path
    clock: ManualClock
    settings_overrides: dict[str, Any]
    url: str = ""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        settings = Settings(host="127.0.0.1", port=0, data_dir=self.data_dir, keys_dir=self.keys_dir,
                            sqlite_synchronous="NORMAL", **self.settings_overrides)
        app = create_app(settings, clock=self.clock)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("emulator did not start")
            time.sleep(0.005)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self, service: str = "cognito-idp") -> Any:
        return make_client(self.url, service)


def make_client(url: str, service: str = "cognito-idp") -> Any:
    recorder = ResponseRecorder.instance()
    client = boto3.client(
        service, endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    recorder.attach(client)
    return client


def start_server(tmp: Path, **overrides: Any) -> LiveServer:
    return LiveServer(data_dir=tmp / "data", keys_dir=tmp / "keys", clock=ManualClock(),
                      settings_overrides=overrides).start()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("emulator"))
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def _fresh_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Time moved by one test does not leak into the next on the shared server."""
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").clock.reset()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own, for restarts and settings."""
    live = start_server(tmp_path)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def cognito(server: LiveServer) -> Any:
    return server.client()


@pytest.fixture
def pool_id(cognito: Any) -> str:
    resp = cognito.create_user_pool(
        PoolName=f"pool-{uuid.uuid4().hex[:8]}",
        Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True,
                                     "RequireLowercase": True, "RequireNumbers": True,
                                     "RequireSymbols": False}},
    )
    return resp["UserPool"]["Id"]


@pytest.fixture
def client_id(cognito: Any, pool_id: str) -> str:
    resp = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return resp["UserPoolClient"]["ClientId"]


def confirmed_user(cognito: Any, pool_id: str, username: str = "alice", **attrs: str) -> str:
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return username


def sign_in(cognito: Any, client_id: str, username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    resp = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password})
    return resp["AuthenticationResult"]
