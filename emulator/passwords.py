"""Password policy and hashing. Passwords are kept only as bcrypt hashes."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import bcrypt

from .errors import InvalidPasswordException

if TYPE_CHECKING:
    from .api import Context

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


def check_policy(policy: dict[str, Any], password: str) -> None:
    """Raise InvalidPasswordException naming the first rule the password breaks."""
    rules = (
        (len(password) < policy.get("MinimumLength", 8), "Password not long enough"),
        (policy.get("RequireLowercase") and not any(c.islower() for c in password),
         "Password must have lowercase characters"),
        (policy.get("RequireUppercase") and not any(c.isupper() for c in password),
         "Password must have uppercase characters"),
        (policy.get("RequireNumbers") and not any(c.isdigit() for c in password),
         "Password must have numeric characters"),
        (policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password),
         "Password must have symbol characters"),
    )
    for broken, reason in rules:
        if broken:
            raise InvalidPasswordException(f"Password did not conform with policy: {reason}")


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes; Cognito takes passwords up to 256 characters.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def check(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(_prehash(password), hashed.encode())


# bcrypt is ~1 ms of CPU at cost 4 (and releases the GIL): handlers await it through
# ctx.offload, on a worker thread, between units of work (runner.py).


@dataclass(frozen=True)
class NewPassword:
    """A password a call is about to set, with its bcrypt hash already made."""

    text: str
    hashed: str


async def prepare(ctx: Context, password: str) -> NewPassword:
    """Hash a new password off the event loop. Handlers do this before they read the
    store, so nothing they read can go stale across the await."""
    return NewPassword(password, await ctx.offload(hash_password, password, ctx.settings.bcrypt_rounds))
