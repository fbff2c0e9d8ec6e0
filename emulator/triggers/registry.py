"""Trigger functions registered from a test: Python callables that run in the server's
process in place of a Lambda function, by pool and trigger or by function name."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]

# Every LambdaConfig key that names a function (botocore's LambdaConfigType), with
# PreTokenGeneration standing for PreTokenGenerationConfig too.
TRIGGERS = (
    "PreSignUp", "CustomMessage", "PostConfirmation", "PreAuthentication", "PostAuthentication",
    "DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreTokenGeneration",
    "UserMigration", "CustomSMSSender", "CustomEmailSender",
)
VERSIONS = ("V1_0", "V2_0", "V3_0")


def function_name(name_or_arn: str) -> str:
    """The function an ARN (or a bare name, or `name:qualifier`) names."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return parts[6] if len(parts) > 6 else name_or_arn
    return name_or_arn.split(":", 1)[0]


class Triggers:
    """`set(pool_id, "PreSignUp", fn)` makes `fn(event, context)` the pool's PreSignUp,
    whatever its LambdaConfig says (`version="V2_0"` for a PreTokenGeneration of the V2
    event); `register("my-function", fn)` runs `fn` wherever a LambdaConfig ARN names
    the function `my-function`. Cleared by the emulator's reset."""

    def __init__(self) -> None:
        self.pools: dict[str, dict[str, tuple[Handler, str | None]]] = {}
        self.functions: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def set(self, pool_id: str, trigger: str, fn: Handler, *, version: str | None = None) -> None:
        if trigger not in TRIGGERS:
            raise ValueError(f"unknown trigger {trigger!r}; one of {', '.join(TRIGGERS)}")
        if version is not None and version not in VERSIONS:
            raise ValueError(f"unknown version {version!r}; one of {', '.join(VERSIONS)}")
        with self._lock:
            pools = {k: dict(v) for k, v in self.pools.items()}
            pools.setdefault(pool_id, {})[trigger] = (fn, version)
            self.pools = pools  # replaced whole: the server's thread reads without the lock

    def register(self, name_or_arn: str, fn: Handler) -> None:
        with self._lock:
            self.functions = {**self.functions, function_name(name_or_arn): fn}

    def remove(self, pool_id: str, trigger: str) -> None:
        with self._lock:
            pools = {k: dict(v) for k, v in self.pools.items()}
            pools.get(pool_id, {}).pop(trigger, None)
            self.pools = {k: v for k, v in pools.items() if v}

    def clear(self) -> None:
        with self._lock:
            self.pools = {}
            self.functions = {}
