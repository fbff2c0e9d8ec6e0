"""Identifiers shaped as Cognito's: pool ids, client ids and secrets, subs, sessions."""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def pool_id(region: str) -> str:
    return f"{region}_{_pick(_ALNUM, 9)}"


def client_id() -> str:
    return _pick(_LOWER_ALNUM, 26)


def client_secret() -> str:
    return _pick(_LOWER_ALNUM, 51)


def sub() -> str:
    return str(uuid.uuid4())


def request_id() -> str:
    return str(uuid.uuid4())


def opaque(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_JWE_HEADER = _b64(json.dumps({"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}).encode())


def refresh_token() -> str:
    """An opaque refresh token in the five-part JWE shape Cognito's have (`eyJjdHki...`).

    Only the emulator reads it: it is a random handle into the store."""
    parts = [_b64(secrets.token_bytes(n)) for n in (256, 12, 512, 16)]
    return ".".join([_JWE_HEADER, *parts])
