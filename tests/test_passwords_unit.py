"""Units of emulator.passwords: the hash made ahead on a worker thread is the one the
handler stores, once, and only for the password it was made for."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import SimpleNamespace
from typing import Any

from emulator import offload, passwords, protocol


def test_new_password_finds_the_password_each_action_may_set() -> None:
    assert passwords.new_password("SignUp", {"Password": "Passw0rd!"}) == "Passw0rd!"
    assert passwords.new_password("AdminCreateUser", {"TemporaryPassword": "Temp0rary!"}) == "Temp0rary!"
    assert passwords.new_password("ChangePassword", {"PreviousPassword": "a", "ProposedPassword": "b"}) == "b"
    assert passwords.new_password("RespondToAuthChallenge",
                                  {"ChallengeResponses": {"NEW_PASSWORD": "N3w!pass"}}) == "N3w!pass"
    assert passwords.new_password("RespondToAuthChallenge", {"ChallengeResponses": {"SMS_MFA_CODE": "1"}}) is None
    assert passwords.new_password("AdminCreateUser", {"MessageAction": "SUPPRESS"}) is None
    assert passwords.new_password("InitiateAuth", {"AuthParameters": {"PASSWORD": "x"}}) is None


def test_a_prepared_hash_is_taken_once_and_only_for_its_password() -> None:
    made = passwords.hash_password("Passw0rd!", 4)
    with passwords.prepared("Passw0rd!", 4, made):
        assert passwords.hash_password("Other0ne!", 4) != made
        assert passwords.hash_password("Passw0rd!", 5) != made  # another cost: not this hash
        assert passwords.hash_password("Passw0rd!", 4) == made
        again = passwords.hash_password("Passw0rd!", 4)
        assert again != made and passwords.verify_password("Passw0rd!", again)
    assert passwords.verify_password("Passw0rd!", made) and not passwords.verify_password("Passw0rd?", made)


def test_the_worker_hashes_without_seeing_the_callers_prepared_hash() -> None:
    async def on_worker() -> str:
        with passwords.prepared("Passw0rd!", 4, "not a hash"):
            return await offload.run(passwords.hash_password, "Passw0rd!", 4)

    hashed = asyncio.run(on_worker())
    assert hashed.startswith("$2b$04$") and passwords.verify_password("Passw0rd!", hashed)


class _Store:
    def __init__(self) -> None:
        self.units = 0

    def request(self, keep: type[BaseException], grouped: bool = False) -> Any:
        self.units += 1
        return contextlib.nullcontext()

    def open_group(self) -> None:
        return None


def _ctx(action: str) -> Any:
    services = SimpleNamespace(store=_Store())
    return services, SimpleNamespace(action=action, after_commit=[])


def test_a_sign_in_checks_its_password_on_a_worker_and_runs_again_with_the_answer() -> None:
    hashed = passwords.hash_password("Passw0rd!", 4)
    threads: list[str] = []

    def handler(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return {"ok": passwords.verify_password(body["password"], hashed)}

    for password, ok in (("Passw0rd!", True), ("wrong", False)):
        services, ctx = _ctx("InitiateAuth")
        assert asyncio.run(protocol._run_checking_ahead(services, handler, ctx, {"password": password})) == {"ok": ok}
        assert services.store.units == 2  # the first unit of work stopped at the check and was rolled back
    assert all(not name.startswith("crypto") for name in threads)


def test_a_hash_that_keeps_changing_is_checked_on_the_loops_thread_after_three_tries() -> None:
    hashes = iter([passwords.hash_password("Passw0rd!", 4) for _ in range(4)])
    services, ctx = _ctx("ChangePassword")
    result = asyncio.run(protocol._run_checking_ahead(
        services, lambda c, b: {"ok": passwords.verify_password("Passw0rd!", next(hashes))}, ctx, {}))
    assert result == {"ok": True} and services.store.units == 4


def test_other_actions_check_inline() -> None:
    hashed = passwords.hash_password("Passw0rd!", 4)
    services, ctx = _ctx("AdminGetUser")
    result = asyncio.run(protocol._run_checking_ahead(
        services, lambda c, b: {"ok": passwords.verify_password("Passw0rd!", hashed)}, ctx, {}))
    assert result == {"ok": True} and services.store.units == 1
