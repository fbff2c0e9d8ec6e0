"""Snapshot import is all or nothing: a refused snapshot (by the endpoint or by the CLI)
changes nothing at all, rows and keys are checked before anything is replaced, and the
server's in-memory keys follow the files after an import."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in, start_server

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
Snapshot = dict[str, Any]


def populate(cognito: Any) -> tuple[str, str, dict[str, Any]]:
    pool_id = cognito.create_user_pool(PoolName="kept", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="api",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "read it"}])
    return pool_id, client_id, sign_in(cognito, client_id)


def _ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _with(table: str, column: str, value: Any) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        snap["tables"][table][0][column] = value
    return mutate


def _keys(keys: dict[str, Any]) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        snap["keys"] = keys
    return mutate


def _renamed_key(name: str) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        (pem,) = snap["keys"].values()
        snap["keys"] = {name: pem}
    return mutate


def _empty_tables_and(keys: dict[str, Any]) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        snap["tables"], snap["keys"] = {}, keys
    return mutate


def _add_row(table: str, row: dict[str, Any]) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        snap["tables"][table].append(row)
    return mutate


def _pool_id_everywhere(new: str) -> Callable[[Snapshot], None]:
    def mutate(snap: Snapshot) -> None:
        old = snap["tables"]["pools"][0]["id"]
        text = json.dumps(snap).replace(old, json.dumps(new)[1:-1])
        snap.clear()
        snap.update(json.loads(text))
    return mutate


# Each of these is refused whole (400 "Snapshot refused") and leaves everything as it was.
MALFORMED: dict[str, Callable[[Snapshot], None]] = {
    "no tables, a key that is not a PEM": _empty_tables_and({"us-east-1_abc": "not a key"}),
    "no tables, a key that is a number": _empty_tables_and({"x": 5}),
    "a key named with a NUL byte": _renamed_key("us-east-1_abc\x00"),
    "a key named like a path": _renamed_key("../x"),
    "a key named nothing like a pool id": _renamed_key("hello"),
    "a key that is not RSA": lambda s: s["keys"].update({"us-east-1_ec": _ec_pem()}),
    "pool config not JSON": _with("pools", "config", "{not json"),
    "pool config JSON but not an object": _with("pools", "config", "[1, 2]"),
    "pool log configurations not a list": _with("pools", "config", '{"_LogConfigurations": {"a": 1}}'),
    "pool risk configuration with a bad action": _with("pools", "config", json.dumps(
        {"_RiskConfiguration": {"CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "X"}}}})),
    "client risk configuration not an object": _with("clients", "config", '{"_RiskConfiguration": 5}'),
    "pool config with a setting of the wrong type": _with("pools", "config", '{"Policies": 5}'),
    "pool config with an identity provider of no known type": _with(
        "pools", "config", '{"_IdentityProviders": {"Corp": {"ProviderType": "NOPE", "ProviderDetails": {}}}}'),
    "pool config with an identity provider without dates": _with(
        "pools", "config", '{"_IdentityProviders": {"Corp": {"ProviderType": "OIDC", "ProviderDetails": {}}}}'),
    "user attributes 7": _with("users", "attributes", 7),
    "user attributes JSON 7": _with("users", "attributes", "7"),
    "user attribute value not a string": _with("users", "attributes", '{"email": 5}'),
    "user attribute value too long": _with("users", "attributes", json.dumps({"custom:x": "x" * 2049})),
    "user attribute name empty": _with("users", "attributes", json.dumps({"": "x"})),
    "user attribute with an escaped lone surrogate": _with("users", "attributes", '{"custom:x": "\\ud800"}'),
    "user extra not an object": _with("users", "extra", '"x"'),
    "user status unknown": _with("users", "status", "WHATEVER"),
    "user password hash not bcrypt": _with("users", "password_hash", "plain"),
    "user enabled a boolean": _with("users", "enabled", True),
    "user created a string": _with("users", "created", "yesterday"),
    "username too long": _with("users", "username", "u" * 129),
    "pool id like a path": _pool_id_everywhere("../x"),
    "pool id with a NUL byte": _pool_id_everywhere("us-east-1_ab\x00c"),
    "pool name of the wrong type": _with("pools", "name", 5),
    "pool name missing": lambda s: s["tables"]["pools"][0].pop("name"),
    "client id like a path": _with("clients", "id", "../etc"),
    "client config with a bad flow": _with("clients", "config", '{"ExplicitAuthFlows": ["NOPE"]}'),
    "client secrets not a list": _with("clients", "config", '{"_ClientSecrets": {"Id": "x"}}'),
    "three client secrets": _with("clients", "config", json.dumps(
        {"_ClientSecrets": [{"Id": f"c--{i}", "Value": "s" * 30, "Created": 1.0} for i in range(3)]})),
    "client of a pool not in the snapshot": _with("clients", "pool_id", "us-east-1_Missing1"),
    "group name empty": _with("groups", "name", ""),
    "resource server scopes 5": _with("resource_servers", "scopes", "5"),
    "a lone surrogate": _with("users", "username", "al\ud800ice"),
    "an integer SQLite cannot hold": _with("users", "password_set", 2**70),
    "an unknown table": lambda s: s["tables"].update({"no_such_table": []}),
    "an unknown column": _with("users", "bogus", 1),
    "a table that is not a list": lambda s: s["tables"].update({"users": {"a": 1}}),
    "a row that is not an object": _add_row("users", 7),  # type: ignore[arg-type]
    "a duplicate user": lambda s: s["tables"]["users"].append(dict(s["tables"]["users"][0])),
    "a schema version from elsewhere": lambda s: s.update({"schemaVersion": 999}),
    "another format": lambda s: s.update({"format": "something else"}),
    "keys not an object": lambda s: s.update({"keys": ["a"]}),
}


def _state(server: LiveServer) -> Snapshot:
    return dict(httpx.get(f"{server.url}/_emulator/snapshot").json())


def _jwks(server: LiveServer, pool_id: str) -> Any:
    return httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json()


def _post(server: LiveServer, snapshot: Any) -> httpx.Response:
    # json.dumps escapes lone surrogates (\\ud800) as a client's JSON encoder may.
    return httpx.post(f"{server.url}/_emulator/snapshot", content=json.dumps(snapshot),
                      headers={"Content-Type": "application/json"})


def _still_works(server: LiveServer, pool_id: str, client_id: str, tokens: dict[str, Any]) -> None:
    """The old users sign in, the old tokens verify, and the reads that read JSON columns work."""
    cognito = server.client()
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "kept"
    assert [p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]] == [pool_id]
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]] == ["alice"]
    assert "AccessToken" in sign_in(cognito, client_id)


def test_a_refused_snapshot_changes_nothing(own_server: LiveServer) -> None:
    pool_id, client_id, tokens = populate(own_server.client())
    good = _state(own_server)
    jwks = _jwks(own_server, pool_id)
    for what, mutate in MALFORMED.items():
        bad = copy.deepcopy(good)
        mutate(bad)
        reply = _post(own_server, bad)
        assert reply.status_code == 400, (what, reply.text)
        assert reply.json()["message"].startswith("Snapshot refused"), what
        assert _state(own_server) == good, what
    assert _jwks(own_server, pool_id) == jwks
    _still_works(own_server, pool_id, client_id, tokens)
    # Nothing was left behind beside the store and the keys.
    assert sorted(p.name for p in own_server.data_dir.iterdir()
                  if not p.name.startswith("cognito.db") and p.name != "cognito.lock") == []
    assert [p.name for p in own_server.keys_dir.iterdir()] == [f"{pool_id}.pem"]
    own_server.restart()  # and what is on disk is what was there
    assert _jwks(own_server, pool_id) == jwks
    _still_works(own_server, pool_id, client_id, tokens)


def test_bodies_that_are_not_snapshots_are_refused(own_server: LiveServer) -> None:
    pool_id, client_id, tokens = populate(own_server.client())
    good = _state(own_server)
    for body in (b"[" * 100_000, b'{"format": ' * 50_000, b"{nope", b"\xff\xfe{}", b"", b"null"):
        reply = httpx.post(f"{own_server.url}/_emulator/snapshot", content=body,
                           headers={"Content-Type": "application/json"})
        assert reply.status_code == 400, (body[:20], reply.text)
        assert reply.json()["message"].startswith("Snapshot refused"), body[:20]
    assert _state(own_server) == good
    _still_works(own_server, pool_id, client_id, tokens)


def test_each_refusal_names_the_problem(own_server: LiveServer) -> None:
    populate(own_server.client())
    good = _state(own_server)
    expected = {
        "user attributes 7": "users",
        "pool config not JSON": "config",
        "a key named like a path": "../x",
        "pool id like a path": "../x",
    }
    for what, needle in expected.items():
        bad = copy.deepcopy(good)
        MALFORMED[what](bad)
        message = _post(own_server, bad).json()["message"]
        assert needle in message, (what, message)


def test_an_import_replaces_the_keys_the_server_holds(tmp_path: Path) -> None:
    """Same pool id, another key (deterministic ids): after the import the JWKS and every
    verification use the snapshot's key, not the one the server had loaded."""
    server = start_server(tmp_path, deterministic_ids=True)
    try:
        pool_id, client_id, first = populate(server.client())
        snapshot, jwks = _state(server), _jwks(server, pool_id)
        server.reset()
        again, _, second = populate(server.client())
        assert again == pool_id and _jwks(server, pool_id) != jwks
        assert _post(server, snapshot).status_code == 200
        assert _jwks(server, pool_id) == jwks
        cognito = server.client()
        assert cognito.get_user(AccessToken=first["AccessToken"])["Username"] == "alice"
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.get_user(AccessToken=second["AccessToken"])
        assert _state(server)["keys"] == snapshot["keys"]
    finally:
        server.stop()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True,
                          timeout=60)


CLI_CASES = ["no tables, a key that is not a PEM", "no tables, a key that is a number",
             "a key named with a NUL byte", "pool config not JSON", "user attributes 7",
             "pool id like a path", "a duplicate user"]


def test_a_refused_cli_import_changes_nothing(tmp_path: Path) -> None:
    server = start_server(tmp_path / "live")
    try:
        pool_id, client_id, tokens = populate(server.client())
        good = _state(server)
    finally:
        server.stop()
    dirs = ["--data-dir", str(tmp_path / "live" / "data"), "--keys-dir", str(tmp_path / "live" / "keys")]
    for what in CLI_CASES:
        bad = copy.deepcopy(good)
        MALFORMED[what](bad)
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        done = run_cli("import", str(tmp_path / "bad.json"), *dirs)
        assert done.returncode != 0 and "cognito-emulator: import:" in done.stderr, (what, done.stderr)
    server = start_server(tmp_path / "live")
    try:
        assert _state(server) == good
        _still_works(server, pool_id, client_id, tokens)
    finally:
        server.stop()


def test_a_good_cli_import_after_refusals(tmp_path: Path) -> None:
    source = start_server(tmp_path / "one")
    try:
        pool_id, client_id, tokens = populate(source.client())
        snapshot = _state(source)
    finally:
        source.stop()
    (tmp_path / "snap.json").write_text(json.dumps(snapshot))
    done = run_cli("import", str(tmp_path / "snap.json"), "--data-dir", str(tmp_path / "two" / "data"),
                   "--keys-dir", str(tmp_path / "two" / "keys"))
    assert done.returncode == 0, done.stderr
    assert _leftovers(tmp_path / "two") == []  # the replaced file is deleted before the CLI exits
    target = start_server(tmp_path / "two")
    try:
        _still_works(target, pool_id, client_id, tokens)
    finally:
        target.stop()


def test_a_user_can_still_sign_in_with_the_password_they_had(own_server: LiveServer) -> None:
    """A valid import of a store holding a user whose password was changed keeps the new one."""
    cognito = own_server.client()
    pool_id, client_id, tokens = populate(cognito)
    cognito.change_password(PreviousPassword=PASSWORD, ProposedPassword="Another1!",
                            AccessToken=tokens["AccessToken"])
    snapshot = _state(own_server)
    own_server.reset()
    assert _post(own_server, snapshot).status_code == 200
    assert "AccessToken" in sign_in(cognito, client_id, password="Another1!")


class Crash(BaseException):
    """The process dies here: nothing after it runs, not even cleanup."""


def _crash_after(monkeypatch: pytest.MonkeyPatch, steps: int) -> list[int]:
    """Every file-system step (rename, unlink, fsync, mkdir, rmdir) of the caller's thread
    counts; the one after `steps` of them, and all later ones, crash. (The old state's
    files are deleted on a thread of their own, after the swap: not a step of it.)"""
    import os
    import threading

    done, caller = [0], threading.current_thread()
    for name in ("replace", "rename", "unlink", "fsync", "mkdir", "rmdir"):
        real = getattr(os, name)

        def step(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if threading.current_thread() is not caller:
                return _real(*args, **kwargs)
            if done[0] >= steps:
                raise Crash
            done[0] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, step)
    return done


def _services_of(where: Path) -> Any:
    from emulator.app import build_services
    from emulator.clock import ManualClock
    from emulator.settings import Settings

    return build_services(Settings(data_dir=where / "data", keys_dir=where / "keys"), ManualClock())


def _leftovers(where: Path) -> list[str]:
    return [p.name for d in ("data", "keys") for p in (where / d).iterdir() if p.name.startswith(".")]


def _old_state(tmp_path: Path) -> Snapshot:
    old_server = start_server(tmp_path / "old")
    try:
        populate(old_server.client())
        return _state(old_server)
    finally:
        old_server.stop()


def _crash_at_every_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: Snapshot, new: Snapshot,
                         act: Callable[[Any], None]) -> list[str]:
    """Runs `act` on a copy of tmp_path/old, crashing it after 0, 1, 2... file-system
    steps until it finishes; after each crash a new process (recovery first) must find
    the old state or the new, and nothing left over. The state seen after each crash."""
    import shutil

    from emulator.snapshot import export_snapshot

    steps, finished, seen = 0, False, []
    while not finished:
        work = tmp_path / f"crash{steps}"
        shutil.copytree(tmp_path / "old", work)
        services = _services_of(work)
        with monkeypatch.context() as patch:
            _crash_after(patch, steps)
            try:
                act(services)
                finished = True
            except Crash:
                pass
        services.store._lock.release()  # the crashed process is gone, and so is its lock
        after = _services_of(work)  # a new process: recovery runs first
        try:
            state = export_snapshot(after)
            assert state in (old, new), f"a mix after a crash at step {steps}"
            seen.append("new" if state == new else "old")
            if finished:
                assert state == new
            assert _leftovers(work) == [], steps
        finally:
            after.store.close()
            services.store.close()
        steps += 1
    return seen


def test_a_crash_at_any_step_leaves_the_old_state_or_the_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.snapshot import import_snapshot

    old = _old_state(tmp_path)
    new_server = start_server(tmp_path / "new")
    try:
        new_pool = new_server.client().create_user_pool(PoolName="other")["UserPool"]["Id"]
        confirmed_user(new_server.client(), new_pool, "bob")
        sign_in(new_server.client(), new_server.client().create_user_pool_client(
            UserPoolId=new_pool, ClientName="c", ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"], "bob")
        new = _state(new_server)
    finally:
        new_server.stop()
    assert old["keys"] and new["keys"] and old["keys"].keys() != new["keys"].keys()
    seen = _crash_at_every_step(tmp_path, monkeypatch, old, new,
                                lambda services: import_snapshot(services, copy.deepcopy(new)))
    # Old until the marker is in place, new from then on, whatever step the crash hit.
    cut = seen.index("new")
    assert cut > 3 and set(seen[:cut]) == {"old"} and set(seen[cut:]) == {"new"} and len(seen) - cut > 5, seen


def test_a_crash_at_any_step_of_a_reset_leaves_the_old_state_or_the_new(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.snapshot import reset

    old = _old_state(tmp_path)
    empty_server = start_server(tmp_path / "empty")
    try:
        new = _state(empty_server)
    finally:
        empty_server.stop()
    seen = _crash_at_every_step(tmp_path, monkeypatch, old, new, reset)
    cut = seen.index("new")
    assert cut > 3 and set(seen[:cut]) == {"old"} and set(seen[cut:]) == {"new"}, seen


def test_a_reset_sets_the_old_database_aside_and_deletes_it_on_another_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting a large database file takes time in proportion to its size (~0.3 s for a
    GB): the caller of reset waits only for renames; the deletion follows on its own."""
    import os

    from emulator import swap
    from emulator.snapshot import reset

    _old_state(tmp_path)
    services = _services_of(tmp_path / "old")
    old_db = os.stat(services.settings.data_dir / "cognito.db").st_ino
    handed: list[Path] = []
    monkeypatch.setattr(swap, "discard", handed.append)
    try:
        reset(services)
        assert services.store.list_pools("", 60) == []
    finally:
        services.store.close()
    [aside] = handed
    assert old_db in {os.stat(f).st_ino for f in aside.iterdir()}
    assert os.stat(services.settings.data_dir / "cognito.db").st_ino != old_db
    monkeypatch.undo()
    swap.discard(aside).join()
    assert not aside.exists() and _leftovers(tmp_path / "old") == []


def test_what_a_reset_set_aside_is_deleted_at_the_next_start_if_it_was_not_yet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import swap
    from emulator.snapshot import reset

    _old_state(tmp_path)
    services = _services_of(tmp_path / "old")
    monkeypatch.setattr(swap, "discard", lambda folder: None)  # the process ends before it deletes
    try:
        reset(services)
    finally:
        services.store.close()
    assert _leftovers(tmp_path / "old") != []
    _services_of(tmp_path / "old").store.close()
    assert _leftovers(tmp_path / "old") == []
