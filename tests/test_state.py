"""Whole-state operations: reset, and snapshots by endpoint and by CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in, start_server

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def populate(cognito: Any) -> tuple[str, str, dict[str, Any]]:
    pool_id = cognito.create_user_pool(PoolName="kept", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com")
    cognito.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    return pool_id, client_id, sign_in(cognito, client_id)


def test_reset_empties_everything(own_server: LiveServer) -> None:
    cognito = own_server.client()
    populate(cognito)
    assert own_server.messages()
    reply = httpx.post(f"{own_server.url}/_emulator/reset")
    assert reply.status_code == 200
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
    assert own_server.messages() == []
    populate(cognito)  # and the emulator works on afterwards


def test_snapshot_round_trip_by_endpoint(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id, client_id, tokens = populate(cognito)
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    assert snapshot["format"] == "cognito-emulator-snapshot" and pool_id in snapshot["keys"]
    own_server.reset()
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", json=snapshot).status_code == 200
    # Users, passwords, sessions and keys all came back: old tokens still work.
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    assert "IdToken" in sign_in(cognito, client_id)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="bob")["UserStatus"] == "UNCONFIRMED"
    code = own_server.last_code(userPoolId=pool_id, username="bob")
    cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=code)


def test_malformed_snapshots_are_refused_and_change_nothing(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id, _, _ = populate(cognito)
    good = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    bad_ones = [
        {"format": "something else"},
        {**good, "schemaVersion": 999},
        {**good, "tables": {"no_such_table": []}},
        {**good, "tables": {**good["tables"], "users": [{"pool_id": "x", "bogus": 1}]}},
        {**good, "tables": {**good["tables"], "users": good["tables"]["users"] * 2}},  # duplicate keys
        {**good, "keys": {pool_id: "not a key"}},
        [1, 2, 3],
    ]
    for bad in bad_ones:
        reply = httpx.post(f"{own_server.url}/_emulator/snapshot", json=bad)
        assert reply.status_code == 400, bad
        assert "Snapshot refused" in reply.json()["message"]
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", content=b"{nope",
                      headers={"Content-Type": "application/json"}).status_code == 400
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "kept"
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True,
                          timeout=60)


def test_snapshot_export_and_import_by_cli(tmp_path: Path) -> None:
    first = start_server(tmp_path / "one")
    try:
        pool_id, client_id, _ = populate(first.client())
    finally:
        first.stop()
    snap = tmp_path / "snap.json"
    exported = run_cli("export", str(snap), "--data-dir", str(tmp_path / "one" / "data"),
                       "--keys-dir", str(tmp_path / "one" / "keys"))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(snap.read_text())["tables"]["pools"][0]["id"] == pool_id
    imported = run_cli("import", str(snap), "--data-dir", str(tmp_path / "two" / "data"),
                       "--keys-dir", str(tmp_path / "two" / "keys"))
    assert imported.returncode == 0, imported.stderr
    second = start_server(tmp_path / "two")
    try:
        assert "AccessToken" in sign_in(second.client(), client_id)
    finally:
        second.stop()
    refused = run_cli("import", str(tmp_path / "missing.json"), "--data-dir", str(tmp_path / "three"))
    assert refused.returncode == 2 and refused.stderr.startswith("cognito-emulator: import: "), refused.stderr


def test_cross_site_pages_cannot_change_state(own_server: LiveServer) -> None:
    cognito = own_server.client()
    populate(cognito)
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    evil = {"Origin": "https://evil.example"}
    assert httpx.post(f"{own_server.url}/_emulator/reset", headers=evil).status_code == 403
    assert httpx.post(f"{own_server.url}/_emulator/reset",
                      headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert httpx.delete(f"{own_server.url}/_emulator/messages", headers=evil).status_code == 403
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", json=snapshot, headers=evil).status_code == 403
    # A form post (the only cross-site POST without a preflight) cannot carry a snapshot.
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", content=json.dumps(snapshot),
                      headers={"Content-Type": "text/plain"}).status_code == 415
    assert len(cognito.list_user_pools(MaxResults=60)["UserPools"]) == 1
    assert own_server.messages()
    same = {"Origin": own_server.url}
    assert httpx.post(f"{own_server.url}/_emulator/reset", headers=same).status_code == 200
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
