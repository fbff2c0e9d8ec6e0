"""Shared fixtures: a real emulator on an ephemeral loopback port, real boto3 clients,
and an injected clock tests move instead of sleeping."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from emulator.clock import ManualClock
from emulator.testing import EmulatorServer

from .shapes import ResponseRecorder

PASSWORD = "Passw0rd!"
JS_DIR = Path(__file__).parent / "js"

pytest_plugins = ["pytester"]
# A user's project, run on its own by test_plugin.py with only the plugin's fixtures.
collect_ignore = ["plugin_project"]


class LiveServer(EmulatorServer):
    """The package's in-process server, with boto3 clients whose every response is
    checked against botocore's model."""

    def client(self, service: str = "cognito-idp", region: str = "us-east-1") -> Any:
        return make_client(self.url, service, region=region)


def make_client(url: str, service: str = "cognito-idp", *, validate: bool = True, region: str = "us-east-1") -> Any:
    """A boto3 client (signing for `region`) whose responses are checked against botocore's
    model; with validate=False botocore skips its own parameter checks, so the server's run."""
    recorder = ResponseRecorder.instance()
    client = boto3.client(
        service, endpoint_url=url, region_name=region,
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(parameter_validation=validate, retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    recorder.attach(client)
    return client


def start_server(tmp: Path, **overrides: Any) -> LiveServer:
    live = LiveServer(data_dir=tmp / "data", keys_dir=tmp / "keys", clock=ManualClock(),
                      settings_overrides=overrides)
    live.start()
    return live


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
def node_clients() -> Path:
    """tests/js's packages (amazon-cognito-identity-js, the AWS SDK v3 client) from the npm
    registry, installed once per checkout."""
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "Node.js and npm are needed for the JavaScript client tests"
    wanted = json.loads((JS_DIR / "package.json").read_text())["dependencies"]
    if not all((JS_DIR / "node_modules" / name / "package.json").exists() for name in wanted):
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300,
                       capture_output=True)
    return JS_DIR


@pytest.fixture(scope="session")
def cognito(server: LiveServer) -> Any:
    return server.client()


@pytest.fixture(scope="session")
def unchecked(server: LiveServer) -> Any:
    """A client that sends what botocore itself would refuse (missing members, bad ranges)."""
    return make_client(server.url, validate=False)


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
