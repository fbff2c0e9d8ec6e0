"""The three ways a trigger's function runs, all called on a worker thread (never on
the event loop): a callable registered from a test, a Python handler on disk
(`--lambda-dir`), and the Lambda Invoke API over HTTP (`--lambda-endpoint`).

Each returns what the function returned, or raises FunctionError (the function ran
and failed: Cognito's UserLambdaValidationException) or Unreachable (it could not be
run: UnexpectedLambdaException)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .registry import Handler


class FunctionError(Exception):
    """The function raised (or the Invoke API answered with a FunctionError)."""


class Unreachable(Exception):
    """No function could be run: none found, endpoint down, or it timed out."""


@dataclass
class LambdaContext:
    """The handler's `context`, with the fields of Lambda's Python runtime tests read."""

    function_name: str
    invoked_function_arn: str
    deadline: float
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "128"
    aws_request_id: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def call_handler(fn: Handler, event: dict[str, Any], name: str, arn: str, timeout: float) -> Any:
    context = LambdaContext(name, arn, time.monotonic() + timeout, aws_request_id=str(uuid.uuid4()),
                            log_group_name=f"/aws/lambda/{name}")
    try:
        return fn(json.loads(json.dumps(event)), context)  # a copy, as a Lambda receives
    except Exception as exc:  # the function's own failure, whatever it is
        raise FunctionError(str(exc) or type(exc).__name__) from None


# -- handlers on disk -------------------------------------------------------------------

_loaded: dict[Path, tuple[float, ModuleType]] = {}
_found: dict[tuple[str, str], Path] = {}  # (where, name) -> the file that holds the handler
_loading = threading.Lock()


def disk_handler(where: str, name: str) -> Handler | None:
    """`handler` of `<where>/<name>.py` (or `<where>/<name>/__init__.py`), loaded again
    when the file changes; or, when `where` is no directory, the attribute `name`
    (hyphens as underscores) of the importable module `where`. A file found once is
    only stat'ed again on later calls (one system call, not three)."""
    known = _found.get((where, name))
    if known is not None:
        try:
            return _handler(_load(known, name), known)
        except FileNotFoundError:
            _found.pop((where, name), None)  # gone: look again
    root = Path(where)
    if not root.is_dir():
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise Unreachable(f"cannot import {where}: {exc}") from None
        found = getattr(module, name.replace("-", "_"), None)
        return found if callable(found) else None
    for path in (root / f"{name}.py", root / name / "__init__.py"):
        if path.is_file():
            handler = _handler(_load(path, name), path)
            _found[(where, name)] = path
            return handler
    return None


def _handler(module: ModuleType, path: Path) -> Handler:
    found = getattr(module, "handler", None)
    if not callable(found):
        raise Unreachable(f"{path} has no handler(event, context)")
    return found  # type: ignore[no-any-return]


def _load(path: Path, name: str) -> ModuleType:
    mtime = path.stat().st_mtime
    cached = _loaded.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with _loading:
        cached = _loaded.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        spec = importlib.util.spec_from_file_location(f"_cognito_trigger_{name.replace('-', '_')}", path)
        if spec is None or spec.loader is None:
            raise Unreachable(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent))  # a handler may import its neighbours
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise Unreachable(f"{path} failed to load: {exc}") from None
        finally:
            sys.path.remove(str(path.parent))
        _loaded[path] = (mtime, module)
        return module


# -- the Lambda Invoke API --------------------------------------------------------------

_clients: dict[tuple[str, str, float], Any] = {}


def _lambda_client(endpoint: str, region: str, timeout: float) -> Any:
    key = (endpoint, region, timeout)
    client = _clients.get(key)
    if client is None:
        import botocore.session
        from botocore.config import Config

        session = botocore.session.get_session()
        client = session.create_client(
            "lambda", endpoint_url=endpoint, region_name=region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(connect_timeout=timeout, read_timeout=timeout,
                          retries={"total_max_attempts": 1}),
        )
        _clients[key] = client
    return client


def invoke_http(endpoint: str, arn: str, event: dict[str, Any], timeout: float, asynchronous: bool) -> Any:
    """POST /2015-03-31/functions/{name}/invocations through botocore's own lambda client."""
    from botocore.exceptions import BotoCoreError, ClientError

    parts = arn.split(":")
    name = parts[6] if arn.startswith("arn:") and len(parts) > 6 else arn
    qualifier = parts[7] if arn.startswith("arn:") and len(parts) > 7 else None
    region = parts[3] if arn.startswith("arn:") and len(parts) > 3 and parts[3] else "us-east-1"
    args: dict[str, Any] = {"FunctionName": name, "Payload": json.dumps(event).encode(),
                            "InvocationType": "Event" if asynchronous else "RequestResponse"}
    if qualifier:
        args["Qualifier"] = qualifier
    try:
        reply = _lambda_client(endpoint, region, timeout).invoke(**args)
        payload = reply["Payload"].read() if "Payload" in reply else b""
    except (BotoCoreError, ClientError) as exc:
        raise Unreachable(str(exc)) from None
    if asynchronous:
        return None
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        body = payload.decode(errors="replace")
    if reply.get("FunctionError"):
        message = body.get("errorMessage") if isinstance(body, dict) else body
        raise FunctionError(str(message or "Unhandled"))
    return body
