"""The one settings object: read from CLI flags and environment once, at start-up."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "COGNITO_EMULATOR_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9229
    data_dir: Path = field(default_factory=lambda: Path("data"))
    keys_dir: Path = field(default_factory=lambda: Path("keys"))
    # Public base URL used in issuers and discovery documents; empty = the host the
    # client used for that request.
    public_url: str = ""
    # "local": iss = {base URL}/{poolId}; "aws": iss = https://cognito-idp.{region}.amazonaws.com/{poolId}
    issuer_style: str = "local"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # bcrypt's minimum cost: ~1 ms a hash, so test suites stay fast. Raise for realism.
    bcrypt_rounds: int = 4
    # "FULL" fsyncs every commit so nothing acknowledged is lost even on power loss;
    # "NORMAL" survives a crash of the emulator process but not of the machine.
    sqlite_synchronous: str = "FULL"
    max_body_bytes: int = 1024 * 1024
    # Every code the emulator sends (sign-up, recovery, verification, MFA) is this one
    # when set: deterministic tests. Empty = random 6-digit codes.
    fixed_code: str = ""
    # Email also goes to this SMTP server when set (the outbox always keeps a copy).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "no-reply@verificationemail.com"
    # Pool ids, client ids, secrets and subs derived from names, for tests that hard-code them.
    deterministic_ids: bool = False
    # A JSON seed file applied at start-up (pools, clients, groups, users, domains).
    seed: str = ""
    log_level: str = "info"
    # Hosts (comma-separated; "*" = any) the /_emulator endpoints answer besides loopback
    # names and the public URL's host: docker-compose service names. Guards DNS rebinding.
    control_hosts: str = ""
    # Lambda triggers (emulator/triggers): a directory (or an importable module) of
    # Python handlers named after the functions pools' LambdaConfig ARNs name, and/or a
    # Lambda Invoke API endpoint (sam local start-lambda, serverless-offline, LocalStack).
    lambda_dir: str = ""
    lambda_endpoint: str = ""
    # How long a trigger may run before Cognito's UnexpectedLambdaException (5 s, as Cognito).
    lambda_timeout_ms: int = 5000
    # An STS endpoint (moto, LocalStack) where identity pools' credentials are minted by
    # AssumeRoleWithWebIdentity; empty = random, well-formed credentials.
    sts_endpoint: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, /, **overrides: object) -> Settings:
        """Settings from `COGNITO_EMULATOR_*` variables, then explicit overrides (CLI flags,
        as strings, or typed values). A value a setting does not take raises SettingsError
        naming the variable or the flag it came from."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _take(f.name, raw, f"{ENV_PREFIX}{f.name.upper()}={raw}")
        for name, value in overrides.items():
            if isinstance(value, str):
                value = _take(name, value, f"{flag_of(name)} {value}")
            if value is not None:
                values[name] = value
        for key in ("data_dir", "keys_dir"):
            if key in values:
                values[key] = Path(str(values[key]))
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        for f in fields(self):
            problem = _problem(f.name, getattr(self, f.name))
            if problem:
                raise SettingsError(f"{f.name}={getattr(self, f.name)!r}: expected {problem}")


class SettingsError(ValueError):
    """A setting's value is not one it takes; the message names its source and what it takes."""


def flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


def shown(path: Path) -> str:
    """A directory as messages show it: ./data rather than data."""
    text = str(path)
    return text if path.is_absolute() or text.startswith(".") else f"./{text}"


# What each constrained setting takes, in the words an error shows. Settings not named
# here take any string (host, directories, seed file, SMTP host and sender).
_CHOICES = {
    "issuer_style": ("local", "aws"),
    "sqlite_synchronous": ("FULL", "NORMAL", "OFF", "EXTRA"),
    "log_level": ("debug", "info", "warning", "error"),
}
_RANGES = {"port": (0, 65535), "bcrypt_rounds": (4, 31), "smtp_port": (1, 65535),
           "max_body_bytes": (1, 2**31 - 1), "lambda_timeout_ms": (1, 900_000)}
_PATTERNS = {
    "region": (r"[a-z]{2}(-[a-z]+)+-\d+", "a region name such as us-east-1"),
    "account_id": (r"\d{12}", "a 12-digit account id"),
    "public_url": (r"(https?://[^\s/?#]+(/[^\s?#]*)?)?", "an http:// or https:// URL such as http://localhost:9229"),
    "lambda_endpoint": (r"(https?://[^\s/?#]+(/[^\s?#]*)?)?", "an http:// or https:// URL such as http://127.0.0.1:3001"),
    "sts_endpoint": (r"(https?://[^\s/?#]+(/[^\s?#]*)?)?", "an http:// or https:// URL such as http://localhost:5000"),
    "fixed_code": (r"\S{0,2048}", "a code without spaces, such as 123456"),
}
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}


def _expected(name: str) -> str:
    if name in _CHOICES:
        return "one of " + ", ".join(_CHOICES[name])
    if name in _RANGES:
        low, high = _RANGES[name]
        return f"a whole number from {low} to {high}" + (" (0 picks a free port)" if name == "port" else "")
    if name in _PATTERNS:
        return _PATTERNS[name][1]
    if name == "deterministic_ids":
        return "1, true, yes, on or 0, false, no, off"
    return "a string"


def _problem(name: str, value: object) -> str:
    """What `name` takes, if `value` is not one of those; "" if it is."""
    if name in _CHOICES:
        ok = value in _CHOICES[name]
    elif name in _RANGES:
        low, high = _RANGES[name]
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    elif name in _PATTERNS:
        ok = isinstance(value, str) and re.fullmatch(_PATTERNS[name][0], value) is not None
    else:
        return ""
    return "" if ok else _expected(name)


def _take(name: str, raw: str, source: str) -> object:
    """`raw` converted to the setting's type and checked; SettingsError names `source`."""
    try:
        value = _convert(name, raw)
    except ValueError:
        raise SettingsError(f"{source}: expected {_expected(name)}") from None
    problem = _problem(name, value)
    if problem:
        raise SettingsError(f"{source}: expected {problem}")
    return value


def _convert(name: str, raw: str) -> object:
    if name == "deterministic_ids":
        key = raw.strip().lower()
        if key not in _BOOLEANS:
            raise ValueError(raw)
        return _BOOLEANS[key]
    if name in _RANGES:
        return int(raw)
    if name in _CHOICES:  # case does not matter: --log-level INFO, COGNITO_EMULATOR_SQLITE_SYNCHRONOUS=normal
        return next((c for c in _CHOICES[name] if c.lower() == raw.strip().lower()), raw)
    return raw
