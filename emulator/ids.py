"""Identifiers shaped as Cognito's: pool ids, client ids and secrets, subs, sessions."""

from __future__ import annotations

import hashlib
import os
import secrets
import string
import uuid
from collections.abc import Callable

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


_RANDOM_BITS = 122  # a UUIDv4's, around its 4 version and 2 variant bits
_LOW62 = (1 << 62) - 1


def spread_subs(seed: str, first: int, n: int, count: int) -> list[str]:
    """Subs `first` to `first + n - 1` of `count` random UUIDv4s that increase with their
    index: the 122 random bits' range, turned to start at a point `seed` picks, is cut
    into `count` equal strata, and each sub is uniformly random within its own. To a
    reader every sub is as random as uuid4's, and yet a bulk import inserts them in
    order, so the sub index grows at one end instead of rewriting a random page for
    every user."""
    space = 1 << _RANDOM_BITS
    width = space // max(count, 1)
    start = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big")
    noise = os.urandom(16 * n)  # 128 random bits per sub: the modulo's bias is below 2**-6
    out = []
    for i in range(n):
        pick = int.from_bytes(noise[16 * i:16 * i + 16], "big") % width
        value = (start + ((first + i) % max(count, 1)) * width + pick) % space
        h = f"{(value >> 74) << 80 | 0x4 << 76 | (value >> 62 & 0xFFF) << 64 | 0b10 << 62 | value & _LOW62:032x}"
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def request_id() -> str:
    return str(uuid.uuid4())


def opaque(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


class IdSource:
    """Where pool ids, client ids, secrets and subs come from: random as in Cognito, or
    derived from names (`deterministic`) for tests that hard-code them. A seed file can
    also pin the next id of a kind (`pin`)."""

    def __init__(self, deterministic: bool = False) -> None:
        self.deterministic = deterministic
        self._pinned: dict[str, str] = {}

    def pin(self, kind: str, value: str) -> None:
        self._pinned[kind] = value

    def pool_id(self, region: str, name: str, taken: Callable[[str], bool]) -> str:
        return self._pinned.pop("pool", None) or self._derive(
            lambda seed: f"{region}_{_digest_chars(seed, _ALNUM, 9)}", f"pool:{region}:{name}", taken,
            lambda: pool_id(region))

    def client_id(self, pool: str, name: str, taken: Callable[[str], bool]) -> str:
        return self._pinned.pop("client", None) or self._derive(
            lambda seed: _digest_chars(seed, _LOWER_ALNUM, 26), f"client:{pool}:{name}", taken, client_id)

    def identity_pool_id(self, region: str, name: str, taken: Callable[[str], bool]) -> str:
        """An identity pool's id, `<region>:<uuid>` (pinned by a seed file, or derived)."""
        return self._pinned.pop("identity_pool", None) or self._derive(
            lambda seed: f"{region}:{_uuid4_shaped(seed)}", f"identity-pool:{region}:{name}", taken,
            lambda: f"{region}:{uuid.uuid4()}")

    def client_secret(self, client: str) -> str:
        if self.deterministic:
            return _digest_chars(f"secret:{client}", _LOWER_ALNUM, 51)
        return client_secret()

    def sub(self, pool: str, username: str, taken: Callable[[str], bool]) -> str:
        """Deterministic: from the name the user was created with; if that sub is taken
        in the pool (a user of that name whose email moved on, with UsernameAttributes,
        holds it: their username is their sub), the next candidate in a fixed order."""
        return self._derive(_uuid4_shaped, f"sub:{pool}:{username}", taken, sub)

    def _derive(self, make: Callable[[str], str], seed: str, taken: Callable[[str], bool],
                fallback: Callable[[], str]) -> str:
        if not self.deterministic:
            return fallback()
        for n in range(1000):
            candidate = make(seed if n == 0 else f"{seed}#{n}")
            if not taken(candidate):
                return candidate
        return fallback()


def _uuid4_shaped(seed: str) -> str:
    raw = bytearray(hashlib.sha256(seed.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def _digest_chars(seed: str, alphabet: str, n: int) -> str:
    number = int.from_bytes(hashlib.sha512(seed.encode()).digest(), "big")
    out = []
    for _ in range(n):
        number, index = divmod(number, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)
