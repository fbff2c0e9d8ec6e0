"""Fidelity to botocore's service model, checked on every call the suite makes.

Each boto3 client the tests build gets an `after-call` hook: a 200 body must fit the
operation's output shape exactly (no unknown members, right JSON types, required
members present), and an error's `__type` must be one the operation lists. A
mismatch fails the test that made the call."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from botocore.model import OperationModel, Shape


class ShapeMismatch(AssertionError):
    pass


def check_value(shape: Shape, value: Any, path: str = "$") -> list[str]:
    """Problems with `value` as JSON for `shape`; empty when it fits."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        problems = [f"{path}.{k}: not a member of {shape.name}" for k in value if k not in shape.members]
        problems += [f"{path}.{r}: required member missing" for r in shape.required_members if r not in value]
        for name, member in shape.members.items():
            if name in value:
                problems += check_value(member, value[name], f"{path}.{name}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected array"]
        return [p for i, v in enumerate(value) for p in check_value(shape.member, v, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected object (map)"]
        return [p for k, v in value.items() for p in check_value(shape.value, v, f"{path}.{k}")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string, got {value!r}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} not in enum {shape.enum}"]
        return []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected integer, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean, got {value!r}"]
    if kind in ("timestamp", "double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected number, got {value!r}"]
    if kind == "blob":
        return [] if isinstance(value, str) else [f"{path}: expected base64 string"]
    return []


def check_response(model: OperationModel, status: int, body: bytes) -> list[str]:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return [f"{model.name}: body is not JSON: {body[:200]!r}"]
    if status >= 400:
        code = str(data.get("__type", "")).split("#")[-1].split(":")[0]
        allowed = {s.name for s in model.error_shapes}
        if code not in allowed:
            return [f"{model.name}: error {code!r} is not one the operation lists ({sorted(allowed)})"]
        if not data.get("message"):
            return [f"{model.name}: error {code} has no message"]
        return []
    if model.output_shape is None:
        return [] if data == {} else [f"{model.name}: expected empty object, got {data!r}"]
    return [f"{model.name} {p}" for p in check_value(model.output_shape, data)]


class ResponseRecorder:
    """Counts what it checked, per operation and outcome, for the coverage test."""

    _instance: ResponseRecorder | None = None

    def __init__(self) -> None:
        # (service, operation, outcome): "ok" or the error code.
        self.seen: Counter[tuple[str, str, str]] = Counter()

    @classmethod
    def instance(cls) -> ResponseRecorder:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def attach(self, client: Any) -> None:
        service = client.meta.service_model.endpoint_prefix
        client.meta.events.register(f"after-call.{service}", self._after_call)

    def _after_call(self, http_response: Any, parsed: Any, model: OperationModel, **_: Any) -> None:
        status = http_response.status_code
        body = http_response.content
        outcome = "ok"
        if status >= 400:
            try:
                outcome = str(json.loads(body).get("__type"))
            except ValueError:
                outcome = "unparsable"
        self.seen[(model.service_model.service_name, model.name, outcome)] += 1
        problems = check_response(model, status, body)
        if problems:
            raise ShapeMismatch("; ".join(problems[:10]))
