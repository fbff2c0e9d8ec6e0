"""Refresh tokens as Cognito writes them: a compact JWE of five parts, header
{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}, here encrypted to the pool's RSA key.

Sealing is cheap (a fresh 256-bit content key, RSA-OAEP with the public key, AES-GCM);
opening costs one RSA private-key operation. Anyone can encrypt to the public key (the
JWKS publishes it), so encryption alone proves nothing about who made a token: the
plaintext is a JWT whose HS256 signature is keyed by a secret derived from the pool's
private key (`PoolKey.mac_key`), and only that makes a token ours."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from .tokens import InvalidToken, PoolKey, segment

_HEADER = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}
_COMPACT = (",", ":")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# Real Cognito refresh tokens begin "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ".
HEADER_SEGMENT = _b64(json.dumps(_HEADER, separators=_COMPACT).encode())
_INNER_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=_COMPACT).encode())


def _oaep() -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    # RSA-OAEP as JWA (RFC 7518 section 4.3) names it: SHA-1 and MGF1 with SHA-1.
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def _mac(key: PoolKey, signing_input: bytes) -> bytes:
    return hmac.new(key.mac_key, signing_input, hashlib.sha256).digest()


def seal(key: PoolKey, claims: dict[str, Any]) -> str:
    """The claims as a signed JWT, encrypted to the pool's key."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    body = f"{_INNER_HEADER}.{_b64(json.dumps(claims, separators=_COMPACT).encode())}"
    inner = f"{body}.{_b64(_mac(key, body.encode('ascii')))}".encode("ascii")
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = key.public.encrypt(cek, _oaep())
    sealed = AESGCM(cek).encrypt(iv, inner, HEADER_SEGMENT.encode("ascii"))  # the header is the AAD
    ciphertext, tag = sealed[:-16], sealed[-16:]
    return ".".join([HEADER_SEGMENT, _b64(encrypted_key), _b64(iv), _b64(ciphertext), _b64(tag)])


def unseal(key: PoolKey, token: str) -> dict[str, Any]:
    """The claims of a token this pool's key sealed; InvalidToken for anything else
    (another pool's, truncated, tampered with, or not a JWE at all)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parts = token.split(".")
    if len(parts) != 5 or parts[0] != HEADER_SEGMENT:
        raise InvalidToken("not a refresh token")
    encrypted_key, iv, ciphertext, tag = (segment(p) for p in parts[1:])
    if len(iv) != 12 or len(tag) != 16:
        raise InvalidToken("not a refresh token")
    try:
        cek = key.private.decrypt(encrypted_key, _oaep())
        if len(cek) != 32:
            raise InvalidToken("not an A256GCM key")
        inner = AESGCM(cek).decrypt(iv, ciphertext + tag, parts[0].encode("ascii")).decode("ascii")
    except (ValueError, InvalidTag):  # another key's, or altered (UnicodeDecodeError is a ValueError)
        raise InvalidToken("cannot decrypt") from None
    pieces = inner.split(".")
    if len(pieces) != 3 or pieces[0] != _INNER_HEADER:
        raise InvalidToken("not our refresh token")
    if not hmac.compare_digest(segment(pieces[2]), _mac(key, f"{pieces[0]}.{pieces[1]}".encode("ascii"))):
        raise InvalidToken("not signed by this pool")
    claims = json.loads(segment(pieces[1]))  # ours, as the signature proves
    if not isinstance(claims, dict):
        raise InvalidToken("not a JSON object")
    return claims
