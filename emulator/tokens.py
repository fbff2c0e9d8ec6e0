"""Signing keys (one RSA key pair per pool, PEM files in the keys directory) and the
RS256 JWTs signed with them. (Refresh tokens, encrypted to the same key: jwe.py.)"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

# cryptography (~20 ms of imports) and PyJWT load at the first key, not at start-up.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa


def key_id(public: rsa.RSAPublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    # Cognito's kids look like base64 ending in '='; a hash of the key keeps it stable.
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


# The key that signs identity pools' OpenID tokens is kept beside the user pools' keys,
# under this name (which no user pool id can be).
IDENTITY_KEY = "cognito-identity"


class PoolKey:
    def __init__(self, private: rsa.RSAPrivateKey) -> None:
        self.private = private
        self.public = private.public_key()
        self.kid = key_id(self.public)
        from jwt.algorithms import RSAAlgorithm  # PyJWT loads cryptography.x509: ~30 ms of start-up

        jwk = RSAAlgorithm.to_jwk(self.public, as_dict=True)
        self.jwk = {"alg": "RS256", "e": jwk["e"], "kid": self.kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}

    @cached_property
    def mac_key(self) -> bytes:
        """A secret of the pool's own for HMACs (refresh tokens, jwe.py): derived from the
        private key, so it needs no file of its own and survives restarts and snapshots."""
        d = self.private.private_numbers().d
        material = d.to_bytes((d.bit_length() + 7) // 8, "big")
        return hashlib.sha256(b"cognito-emulator refresh-token mac\0" + material).digest()


class KeyStore:
    """Keys are made on first use and kept on disk, so tokens verify across restarts.

    A key never changes once written (a snapshot import replaces the files and the
    memory together: `replacing()`), so holding it in memory cannot go stale; the file
    appears whole, by a hard link, so two processes agree on one key."""

    def __init__(self, keys_dir: Path) -> None:
        self.dir = keys_dir
        self._cache: dict[str, PoolKey] = {}
        self._lock = threading.Lock()
        # kid -> pool id, and the key files already read for their kid (inode, mtime).
        self._kids: dict[str, str] = {}
        self._scanned: dict[str, tuple[int, int]] = {}

    def get(self, pool_id: str) -> PoolKey:
        key = self._cache.get(pool_id)
        if key is None:
            with self._lock:
                key = self._cache.get(pool_id) or self._load_or_create(pool_id)
                self._cache[pool_id] = key
                self._kids[key.kid] = pool_id
        return key

    def find(self, kid: object) -> tuple[str, PoolKey] | None:
        """The pool whose key a token's header names, and that key; None if no key on
        disk has this kid. Found by the kid, not by the token's claims: nothing a token
        says is read before its signature is checked."""
        if not isinstance(kid, str):
            return None
        pool_id = self._kids.get(kid) or self._scan(kid)
        if pool_id is None:
            return None
        key = self._cache.get(pool_id)
        if key is None:
            with self._lock:
                key = self._cache.get(pool_id) or self._load(self.dir / f"{pool_id}.pem")
                if key is None:  # deleted meanwhile; never made anew for a token
                    return None
                self._cache[pool_id] = key
        return (pool_id, key) if key.kid == kid else None

    def _scan(self, kid: str) -> str | None:
        """Read the kid of every key file not read yet (made by another process, or
        before this one started): the public half only, without RSA's slow key check."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        with self._lock:
            for path in self.dir.glob("*.pem"):
                try:
                    stat = path.stat()
                    if self._scanned.get(path.stem) == (stat.st_ino, stat.st_mtime_ns):
                        continue
                    private = serialization.load_pem_private_key(
                        path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True)
                except (OSError, ValueError, TypeError):
                    continue  # gone meanwhile, or not a key: no token names it
                self._scanned[path.stem] = (stat.st_ino, stat.st_mtime_ns)
                if isinstance(private, rsa.RSAPrivateKey):
                    self._kids[key_id(private.public_key())] = path.stem
            return self._kids.get(kid)

    def forget(self, pool_id: str) -> None:
        with self._lock:
            self._cache.pop(pool_id, None)
            self._scanned.pop(pool_id, None)
            for kid in [k for k, p in self._kids.items() if p == pool_id]:
                del self._kids[kid]
        try:
            (self.dir / f"{pool_id}.pem").unlink()
        except FileNotFoundError:
            pass

    def export_pems(self) -> dict[str, str]:
        return {p.stem: p.read_text() for p in sorted(self.dir.glob("*.pem"))}

    @contextmanager
    def replacing(self) -> Iterator[None]:
        """While the key files are swapped (swap.py) no key is loaded; afterwards every
        key is read again from the files."""
        with self._lock:
            try:
                yield
            finally:
                self._cache.clear()
                self._kids.clear()
                self._scanned.clear()

    def _load_or_create(self, pool_id: str) -> PoolKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        path = self.dir / f"{pool_id}.pem"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            tmp = path.with_name(f".{pool_id}.{os.getpid()}.{threading.get_ident()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)  # atomic, and fails if another process won the race
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        key = self._load(path)
        assert key is not None
        return key

    @staticmethod
    def _load(path: Path) -> PoolKey | None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            pem = path.read_bytes()
        except FileNotFoundError:
            return None
        loaded = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        return PoolKey(loaded)


class InvalidToken(Exception):
    """Not a JWT, or not signed by this key."""


def sign(key: PoolKey, claims: dict[str, Any]) -> str:
    import jwt  # imported on first use, not at start-up

    # Cognito's headers are just {"kid", "alg"}: PyJWT's default "typ" is dropped.
    return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid, "typ": None})


class Jws(NamedTuple):
    """A compact JWS split and its header decoded; the payload stays bytes until
    verify() has checked the signature over it."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def segment(text: str) -> bytes:
    # Strict base64url without padding, as JWTs are written (RFC 7515 section 2).
    if len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        raise InvalidToken("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _object(raw: bytes) -> dict[str, Any]:
    """A JSON object every string of which is valid Unicode (no lone surrogate, which
    no UTF-8 encoder takes, SQLite's included), or InvalidToken."""
    try:
        text = raw.decode("utf-8")  # strict: refuses encoded surrogates and UTF-16/32
        value = json.loads(text)
        if "\\u" in text:  # only an escape can spell a lone surrogate
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise InvalidToken("not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("not a JSON object")
    return value


def parse(token: str) -> Jws:
    """Split a compact JWS (header.payload.signature) and decode its header, unverified.

    Done here rather than by PyJWT's decode, which checks base64url a character at a
    time in Python: ~280 us of every authenticated call went to two decodes."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a compact JWS")
    header = _object(segment(parts[0]))
    payload = segment(parts[1])
    return Jws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), segment(parts[2]))


def verify(key: PoolKey, jws: Jws) -> dict[str, Any]:
    """The claims, if the token is RS256 and signed by `key`: the payload is decoded
    only once its signature holds. Expiry and the rest are checked against the
    injected clock by the caller."""
    # The algorithm is pinned: a token naming any other ("none", HS256, ...) is refused.
    if jws.header.get("alg") != "RS256" or jws.header.get("kid") != key.kid:
        raise InvalidToken("not signed by this pool's key")
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        key.public.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise InvalidToken("bad signature") from None
    return _object(jws.payload)

