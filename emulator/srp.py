"""Cognito's SRP-6a variant, server side: the 3072-bit group with g = 2, SHA-256, the
`Caldera Derived Key` HKDF and the PASSWORD_CLAIM_SIGNATURE over pool name, user id,
secret block and timestamp — so amazon-cognito-identity-js, Amplify and pycognito
compute a signature this server can check. Only the verifier is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2


@lru_cache(maxsize=1)
def _gmp() -> tuple[Any, Any, Any]:
    # GMP's modular exponentiation: 3072-bit powers in ~0.5 ms instead of ~4.5 ms in pure
    # Python, which is most of the cost of setting a password and of an SRP sign-in.
    # Imported on first use, not at start-up.
    import gmpy2

    return gmpy2, gmpy2.mpz, gmpy2.mpz(N)


def _pow(base: int, exponent: int) -> int:
    gmpy2, mpz, modulus = _gmp()
    context = gmpy2.get_context()  # per thread
    if not context.allow_release_gil:
        # Let other threads run during the power: calls overlap on all cores.
        context.allow_release_gil = True
    return int(gmpy2.powmod(mpz(base), mpz(exponent), modulus))


@lru_cache(maxsize=1)
def _g_table() -> list[list[Any]]:
    """G^(d * 256^i) mod N for every byte d and byte position i of a 256-bit exponent:
    3 MB, built once (~25 ms) on the first password set."""
    gmpy2, mpz, modulus = _gmp()
    table, base = [], mpz(G)
    for _ in range(32):
        row, acc = [mpz(1)], mpz(1)
        for _ in range(255):
            acc = acc * base % modulus
            row.append(acc)
        table.append(row)
        base = acc * base % modulus
    return table


def _pow_g(exponent: int) -> int:
    """G^exponent mod N: G is fixed, so a table turns 384 multiplications into 32 (~0.09 ms
    instead of ~0.5 ms): setting a password and every SRP challenge take one of these."""
    if exponent >> 256:
        return _pow(G, exponent)
    _, mpz, modulus = _gmp()
    table = _g_table()
    result, position = mpz(1), 0
    while exponent:
        digit = exponent & 0xFF
        if digit:
            result = result * table[position][digit] % modulus
        exponent >>= 8
        position += 1
    return int(result)


def pad_hex(value: int | str) -> str:
    """Hex as the client libraries pad it: even length, and a leading 00 when the first
    nibble would read as a sign bit."""
    text = value if isinstance(value, str) else format(value, "x")
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89abcdefABCDEF":
        return "00" + text
    return text


def hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def _x(pool_name: str, user_id: str, password: str, salt: int) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(hex_hash(pad_hex(salt) + inner), 16)


def pool_name(pool_id: str) -> str:
    return pool_id.split("_", 1)[1]


def make_verifier(pool_id: str, user_id: str, password: str) -> dict[str, str]:
    """Salt and verifier (hex) for a password, computed when the password is set."""
    salt = int.from_bytes(secrets.token_bytes(16), "big") | 1 << 127
    v = _pow_g(_x(pool_name(pool_id), user_id, password, salt))
    return {"salt": format(salt, "x"), "verifier": format(v, "x")}


def server_ephemeral(verifier_hex: str) -> tuple[int, int]:
    """(b, B) for one sign-in."""
    v = int(verifier_hex, 16)
    while True:
        b = int.from_bytes(secrets.token_bytes(32), "big")
        big_b = (K * v + _pow_g(b)) % N
        if big_b:
            return b, big_b


def _hkdf(ikm_hex: str, salt_hex: str) -> bytes:
    prk = hmac.new(bytes.fromhex(salt_hex), bytes.fromhex(ikm_hex), hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def expected_signature(
    *, pool_id: str, user_id: str, verifier_hex: str, a: int, b: int, big_b: int,
    secret_block: str, timestamp: str, realm: str | None = None,
) -> str | None:
    """The PASSWORD_CLAIM_SIGNATURE a client that knows the password sends; None when A is unusable.
    A device's (DEVICE_PASSWORD_VERIFIER) is over its group key (`realm`) and device key
    instead of the pool name and user id, as amazon-cognito-identity-js computes it."""
    if a % N == 0:
        return None
    u = int(hex_hash(pad_hex(a) + pad_hex(big_b)), 16)
    if u == 0:
        return None
    v = int(verifier_hex, 16)
    s = _pow(a * _pow(v, u) % N, b)
    key = _hkdf(pad_hex(s), pad_hex(u))
    try:
        block = base64.b64decode(secret_block, validate=True)
    except ValueError:
        return None
    message = (realm if realm is not None else pool_name(pool_id)).encode() + user_id.encode() + block \
        + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
