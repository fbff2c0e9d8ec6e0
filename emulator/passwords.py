"""Password policy and hashing. Passwords are kept only as bcrypt hashes."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import bcrypt

from .errors import InvalidPasswordException

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
    ready = _ready.get()
    if ready and (password, rounds) in ready:
        return ready.pop((password, rounds))
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


# -- hashing ahead, off the event loop -------------------------------------------------
#
# Handlers run on the event loop's thread, and a bcrypt hash is ~1 ms of CPU. The
# protocol edge hashes the new passwords a call carries on a worker thread before the
# handler runs (bcrypt releases the GIL, so the loop serves other calls meanwhile); the
# handler's hash_password() then takes the hash made for it. The policy is still
# checked by the handler, and a hash it does not use is dropped with the call.

# Where each action carries a password it may set: (member, key inside it or None).
NEW_PASSWORDS: dict[str, tuple[str, str | None]] = {
    "SignUp": ("Password", None),
    "AdminCreateUser": ("TemporaryPassword", None),
    "AdminSetUserPassword": ("Password", None),
    "ChangePassword": ("ProposedPassword", None),
    "ConfirmForgotPassword": ("Password", None),
    "RespondToAuthChallenge": ("ChallengeResponses", "NEW_PASSWORD"),
    "AdminRespondToAuthChallenge": ("ChallengeResponses", "NEW_PASSWORD"),
}

_ready: ContextVar[dict[tuple[str, int], str] | None] = ContextVar("prepared_password_hashes", default=None)


def new_password(action: str, body: dict[str, Any]) -> str | None:
    """The password a (validated) request may set, if it carries one."""
    where = NEW_PASSWORDS.get(action)
    if where is None:
        return None
    value = body.get(where[0])
    if where[1] is not None:
        value = value.get(where[1]) if isinstance(value, dict) else None
    return value if isinstance(value, str) and value else None


@contextmanager
def prepared(password: str, rounds: int, hashed: str) -> Iterator[None]:
    """Meanwhile, hash_password(password, rounds) in this context takes `hashed`, once."""
    token = _ready.set({(password, rounds): hashed})
    try:
        yield
    finally:
        _ready.reset(token)


def verify_password(password: str, hashed: str | None) -> bool:
    if not hashed:
        return False
    checked = _checked.get()
    if checked is None:
        return check(password, hashed)
    known = checked.get((password, hashed))
    if known is None:
        raise CheckAhead(password, hashed)
    return known


def check(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(_prehash(password), hashed.encode())


# A password check needs the stored hash, which only the handler finds. Where the JSON
# edge allows it, verify_password() raises CheckAhead instead of checking on the loop's
# thread: the edge rolls the call's unit of work back, checks on a worker thread, and
# runs the call again with the answer ready (keyed by the hash, so a password changed
# in between is checked anew). Handlers do nothing outside the store before they check
# a password, so running one again repeats nothing a client could see.

CHECKS_AHEAD = frozenset({"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge",
                          "AdminRespondToAuthChallenge", "ChangePassword"})


class CheckAhead(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, password: str, hashed: str) -> None:
        super().__init__("password check wanted off the event loop")
        self.password = password
        self.hashed = hashed


_checked: ContextVar[dict[tuple[str, str], bool] | None] = ContextVar("checked_passwords", default=None)


@contextmanager
def checking_ahead(checked: dict[tuple[str, str], bool]) -> Iterator[None]:
    """Meanwhile, verify_password() answers from `checked`, and raises CheckAhead for
    a check not in it."""
    token = _checked.set(checked)
    try:
        yield
    finally:
        _checked.reset(token)
