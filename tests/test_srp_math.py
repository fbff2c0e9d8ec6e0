"""Unit checks of the server's SRP arithmetic against plain Python."""

from __future__ import annotations

import secrets

import pytest

from emulator import srp


@pytest.mark.parametrize("exponent", [0, 1, 255, 256, 2**255, 2**256 - 1, 2**256, 2**300 + 7])
def test_fixed_base_power_matches_pow_at_the_edges(exponent: int) -> None:
    assert srp._pow_g(exponent) == pow(srp.G, exponent, srp.N)


def test_fixed_base_power_matches_pow_for_random_exponents() -> None:
    for _ in range(25):
        exponent = int.from_bytes(secrets.token_bytes(32), "big")
        assert srp._pow_g(exponent) == pow(srp.G, exponent, srp.N)


def test_k_is_cognitos_multiplier() -> None:
    assert format(srp.K, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
