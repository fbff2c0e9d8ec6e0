"""Running the emulator inside a test process: a real server on an ephemeral
127.0.0.1 port, in a thread, with a clock the tests move. Used by the pytest plugin
and by this project's own suite."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from .app import create_app
from .clock import ManualClock
from .settings import Settings
from .triggers.registry import Triggers

BOTO3_MISSING = ('A boto3 client needs boto3, which is not installed: '
                 'pip install "cognito-emulator[pytest]" brings it (and pytest).')


@dataclass
class EmulatorServer:
    """`start()` binds, serves and waits until ready; `stop()` ends it; state lives in
    `data_dir` and `keys_dir`, so `restart()` keeps everything."""

    data_dir: Path
    keys_dir: Path
    clock: ManualClock = field(default_factory=ManualClock)
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    # Python callables run as trigger functions: triggers.set(pool_id, "PreSignUp", fn).
    triggers: Triggers = field(default_factory=Triggers)
    url: str = ""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        values: dict[str, Any] = {"sqlite_synchronous": "NORMAL", **self.settings_overrides}
        settings = Settings(host="127.0.0.1", port=0, data_dir=self.data_dir, keys_dir=self.keys_dir, **values)
        app = create_app(settings, clock=self.clock, triggers=self.triggers)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only then (else ~40 ms a call).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        # loop="asyncio": uvloop would install its event-loop policy for the whole test
        # process; the CLI (and so Docker) runs on uvloop.
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", loop="asyncio")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("emulator did not start")
            time.sleep(0.002)
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

    # -- what tests use -------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        return self.url

    def reset(self) -> None:
        """Empty all state (pools, users, messages, registered triggers) and put the clock back."""
        self._call("POST", "/_emulator/reset")
        self.clock.reset()

    def messages(self, **filters: str) -> list[dict[str, Any]]:
        """The outbox, filtered by userPoolId, username, destination, type or channel."""
        return list(self._call("GET", "/_emulator/messages", filters)["messages"])

    def last_code(self, **filters: str) -> str:
        found = self.messages(**filters)
        if not found:
            raise LookupError(f"no message matches {filters}")
        return str(found[-1]["code"])

    def client(self, service: str = "cognito-idp", region: str = "us-east-1") -> Any:
        try:
            import boto3  # optional: only for those who ask for a client
        except ModuleNotFoundError:
            raise ModuleNotFoundError(BOTO3_MISSING) from None
        from botocore.config import Config

        return boto3.client(
            service, endpoint_url=self.url, region_name=region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        )

    def _call(self, method: str, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read() or b"{}"))
