"""The one settings object: read from CLI flags and environment once, at start-up."""

from __future__ import annotations

import os
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

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `COGNITO_EMULATOR_*` variables, then explicit overrides (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("data_dir", "keys_dir"):
            if key in values:
                values[key] = Path(str(values[key]))
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if self.issuer_style not in ("local", "aws"):
            raise ValueError("issuer_style must be 'local' or 'aws'")
        if not 4 <= self.bcrypt_rounds <= 31:
            raise ValueError("bcrypt_rounds must be between 4 and 31")
        if self.sqlite_synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError("sqlite_synchronous must be OFF, NORMAL, FULL or EXTRA")


def _convert(name: str, raw: str) -> object:
    if name == "deterministic_ids":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if name in ("port", "bcrypt_rounds", "max_body_bytes", "smtp_port"):
        return int(raw)
    return raw
