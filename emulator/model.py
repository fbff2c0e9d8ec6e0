"""botocore's service models (cognito-idp for user pools, cognito-identity for identity
pools), each read once, and request validation from them.

Validation mirrors what Cognito's front door does before an action runs: required
members, JSON types, lengths, numeric ranges, enums and patterns, reported as
`InvalidParameterException: N validation error(s) detected: Value '<v>' at '<member>'
failed to satisfy constraint: <constraint>` with members in lowerCamelCase.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import InvalidParameterException

SERVICE = "cognito-idp"
IDENTITY_SERVICE = "cognito-identity"
TARGET_PREFIX = "AWSCognitoIdentityProviderService"
# Both services answer on the same port: X-Amz-Target's prefix names the service.
# cognito-identity's API reference writes the prefix with its model's namespace too.
TARGET_PREFIXES = {
    TARGET_PREFIX: SERVICE,
    "AWSCognitoIdentityService": IDENTITY_SERVICE,
    "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService": IDENTITY_SERVICE,
}


@dataclass(frozen=True)
class Operation:
    name: str
    input_shape: str | None
    output_shape: str | None
    errors: frozenset[str]
    unsigned: bool
    dates: DatePaths | None = None  # where the output's timestamps are, if it has any


# The timestamp members of an output shape, as a tree: a member's name (or ITEMS for a
# list's members, VALUES for a map's values) leads to the subtree below it, or to None
# where the timestamp itself is.
DatePaths = dict[str, "DatePaths | None"]
ITEMS, VALUES = "[]", "{}"


class ServiceModel:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.shapes: dict[str, dict[str, Any]] = raw["shapes"]
        self.operations: dict[str, Operation] = {}
        for name, op in raw["operations"].items():
            auth = op.get("auth") or []
            self.operations[name] = Operation(
                name=name,
                input_shape=(op.get("input") or {}).get("shape"),
                output_shape=(op.get("output") or {}).get("shape"),
                errors=frozenset(e["shape"] for e in op.get("errors", [])),
                unsigned=op.get("authtype") == "none" or "smithy.api#noAuth" in auth,
                dates=self._dates((op.get("output") or {}).get("shape"), frozenset()),
            )

    def _dates(self, shape_name: str | None, seen: frozenset[str]) -> DatePaths | None:
        """The timestamp paths below `shape_name`, or None when it holds none (recursive
        shapes are walked once per path)."""
        if shape_name is None or shape_name in seen:
            return None
        shape, seen = self.shapes[shape_name], seen | {shape_name}
        kind = shape["type"]
        if kind == "structure":
            found: DatePaths = {}
            for member, ref in shape.get("members", {}).items():
                target = self.shapes[ref["shape"]]
                if target["type"] == "timestamp":
                    found[member] = None
                elif (below := self._dates(ref["shape"], seen)) is not None:
                    found[member] = below
            return found or None
        if kind in ("list", "map"):
            ref = shape["member"] if kind == "list" else shape["value"]
            if self.shapes[ref["shape"]]["type"] == "timestamp":
                return {ITEMS if kind == "list" else VALUES: None}
            below = self._dates(ref["shape"], seen)
            return None if below is None else {ITEMS if kind == "list" else VALUES: below}
        return None

    def validate_input(self, op: Operation, body: dict[str, Any]) -> None:
        if op.input_shape is None:
            return
        problems: list[str] = []
        self._check_structure(self.shapes[op.input_shape], body, "", problems)
        if problems:
            n = len(problems)
            noun = "error" if n == 1 else "errors"
            raise InvalidParameterException(f"{n} validation {noun} detected: " + "; ".join(problems))

    def problems(self, shape_name: str, value: Any, path: str, *, loose: bool = False) -> list[str]:
        """What is wrong with `value` as an instance of the model's `shape_name` (for
        checking stored data, e.g. a snapshot's rows, against Cognito's shapes). `loose`:
        types, enums and required members only, as for an output shape, whose lengths
        and patterns Cognito's own answers do not keep (SchemaAttributes'
        "phone_number_verified" is longer than CustomAttributeNameType allows)."""
        out: list[str] = []
        self._check(shape_name, value, path, out)
        if loose:
            out = [p for p in out if not any(marker in p for marker in _STRICT_ONLY)]
        return out

    # -- the walk -----------------------------------------------------------------

    def _check_structure(self, shape: dict[str, Any], value: dict[str, Any], path: str, out: list[str],
                         hidden: bool = False) -> None:
        members = shape.get("members", {})
        # A member the model does not know is ignored, as AWS's JSON protocols ignore it,
        # and so is a null one: dropped here, so that no handler stores either and no
        # answer echoes it back outside the output shape.
        for key in [k for k, v in value.items() if v is None or k not in members]:
            del value[key]
        for req in shape.get("required", []):
            if value.get(req) is None:
                out.append(f"Value null at '{_join(path, req)}' failed to satisfy constraint: Member must not be null")
        for name, member in members.items():
            if name in value and value[name] is not None:
                self._check(member["shape"], value[name], _join(path, name), out, hidden)

    def _check(self, shape_name: str, value: Any, path: str, out: list[str], hidden: bool = False) -> None:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        # Whatever sits inside a sensitive shape (AuthParameters' PASSWORD) is sensitive too.
        hidden = hidden or bool(shape.get("sensitive"))
        if not _type_ok(kind, value):
            out.append(f"Value{_show(value, hidden)} at '{path}' failed to satisfy constraint: Member must be of type {_TYPE_WORDS[kind]}")
            return
        if kind == "structure":
            self._check_structure(shape, value, path, out, hidden)
            return
        if kind == "list":
            for i, item in enumerate(value, start=1):
                self._check(shape["member"]["shape"], item, f"{path}.{i}.member", out, hidden)
        elif kind == "map":
            for k, v in value.items():
                self._check(shape["key"]["shape"], k, f"{path}.{k}.key", out, hidden)
                self._check(shape["value"]["shape"], v, f"{path}.{k}.value", out, hidden)
        broken: list[str] = []
        if kind in ("string", "list", "map", "blob"):
            if "min" in shape and len(value) < shape["min"]:
                broken.append(f"Member must have length greater than or equal to {shape['min']}")
            if "max" in shape and len(value) > shape["max"]:
                broken.append(f"Member must have length less than or equal to {shape['max']}")
        if kind in ("integer", "long"):
            if "min" in shape and value < shape["min"]:
                broken.append(f"Member must have value greater than or equal to {shape['min']}")
            if "max" in shape and value > shape["max"]:
                broken.append(f"Member must have value less than or equal to {shape['max']}")
        if kind == "string":
            if "enum" in shape and value not in shape["enum"]:
                broken.append(f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
            pattern = shape.get("pattern")
            if pattern and not _compiled(pattern).fullmatch(value):
                broken.append(f"Member must satisfy regular expression pattern: {pattern}")
        if broken:  # the value is rendered only when it is reported
            shown = _show(value, hidden)
            out.extend(f"Value{shown} at '{path}' failed to satisfy constraint: {c}" for c in broken)


# The constraints a `loose` check leaves out: lengths, ranges and patterns.
_STRICT_ONLY = ("Member must have length", "Member must have value", "Member must satisfy regular expression")

_TYPE_WORDS = {
    "structure": "structure", "list": "list", "map": "map", "string": "string",
    "integer": "integer", "long": "long", "boolean": "boolean", "timestamp": "timestamp",
    "blob": "blob", "double": "double", "float": "float",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "structure" or kind == "map":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind in ("string", "blob"):
        return isinstance(value, str)
    if kind in ("integer", "long"):
        # Java's int and long: anything wider cannot reach a handler (or SQLite).
        bits = 31 if kind == "integer" else 63
        return isinstance(value, int) and not isinstance(value, bool) and -(2**bits) <= value < 2**bits
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("timestamp", "double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _join(path: str, member: str) -> str:
    name = member[:1].lower() + member[1:]
    return f"{path}.{name}" if path else name


def _show(value: Any, hidden: bool) -> str:
    # Cognito leaves sensitive values out of the message: "Value at 'password' ...".
    if hidden:
        return ""
    if isinstance(value, (dict, list)):
        return " '" + json.dumps(value)[:100] + "'"
    if isinstance(value, bool):
        return f" '{str(value).lower()}'"
    return f" '{value}'"


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    import regex  # Java-style \p{L} classes; loaded with the first pattern checked

    return regex.compile(pattern)


def round_dates(value: Any, paths: DatePaths) -> None:
    """Round the timestamps of an answer to the millisecond, in place: Cognito's dates
    are epoch seconds with a millisecond fraction."""
    if isinstance(value, list):
        below = paths.get(ITEMS)
        value[:] = [_rounded(item, below) for item in value]
    elif isinstance(value, dict):
        for member, below in paths.items():
            keys = list(value) if member == VALUES else [member] if value.get(member) is not None else []
            for key in keys:
                value[key] = _rounded(value[key], below)


def _rounded(item: Any, below: DatePaths | None) -> Any:
    """A timestamp (`below` None) rounded to the millisecond; a container rounded within."""
    if below is None:
        return round(item, 3) if isinstance(item, float) else item
    round_dates(item, below)
    return item


@lru_cache(maxsize=2)
def service_model(service: str = SERVICE) -> ServiceModel:
    # Found without importing botocore (its import costs start-up time we do not need).
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed: its service model is required")
    folder = os.path.join(list(spec.submodule_search_locations)[0], "data", service)
    version = sorted(os.listdir(folder))[-1]
    base = os.path.join(folder, version, "service-2.json")
    if os.path.exists(base + ".gz"):
        with gzip.open(base + ".gz", "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
    else:
        with open(base, encoding="utf-8") as fh:
            raw = json.load(fh)
    return ServiceModel(raw)
