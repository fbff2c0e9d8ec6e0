"""Seed files: a server comes up ready with two pools; a broken file is refused whole,
naming the offending entry; applying twice changes nothing; deterministic ids."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.seed import SeedError

from .conftest import start_server

SEED = Path(__file__).parent / "data" / "seed_two_pools.json"


def sign_in(cognito: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_seeded_server_comes_up_ready(tmp_path: Path) -> None:
    server = start_server(tmp_path, seed=str(SEED))
    try:
        cognito = server.client()
        pools = {p["Name"]: p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]}
        assert pools["shop-customers"] == "us-east-1_ShopUsers1" and "staff" in pools
        result = sign_in(cognito, "shopweb0000000000000000001", "alice", "Passw0rd1")
        assert "IdToken" in result["AuthenticationResult"]
        groups = cognito.admin_list_groups_for_user(UserPoolId=pools["shop-customers"], Username="alice")
        assert [g["GroupName"] for g in groups["Groups"]] == ["admins", "customers"]
        backend = cognito.describe_user_pool_client(UserPoolId=pools["shop-customers"],
                                                    ClientId="shopbackend000000000000001")["UserPoolClient"]
        assert backend["ClientSecret"] == "shopsecret0000000000000000000000000000000000000001"
        assert sign_in(cognito, "shopweb0000000000000000001", "bob", "Passw0rd2")["ChallengeName"] == \
            "NEW_PASSWORD_REQUIRED"
        staff_client = cognito.list_user_pool_clients(UserPoolId=pools["staff"])["UserPoolClients"][0]["ClientId"]
        assert "AccessToken" in sign_in(cognito, staff_client, "carol@example.com", "Passw0rd3!")["AuthenticationResult"]
        with pytest.raises(cognito.exceptions.NotAuthorizedException, match="disabled"):
            sign_in(cognito, staff_client, "dan@example.com", "Passw0rd4!")
        # Starting again on the same data applies the seed again: nothing new, nothing lost.
        server.stop()
        server.settings_overrides["seed"] = str(SEED)
        server.start()
        assert len(server.client().list_user_pools(MaxResults=10)["UserPools"]) == 2
        assert len(server.client().list_users(UserPoolId=pools["shop-customers"])["Users"]) == 2
    finally:
        server.stop()


def test_reset_returns_to_the_seeded_state(tmp_path: Path) -> None:
    server = start_server(tmp_path, seed=str(SEED))
    try:
        cognito = server.client()
        cognito.admin_delete_user(UserPoolId="us-east-1_ShopUsers1", Username="alice")
        cognito.create_user_pool(PoolName="scratch")
        server.reset()
        names = sorted(p["Name"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"])
        assert names == ["shop-customers", "staff"]
        assert cognito.admin_get_user(UserPoolId="us-east-1_ShopUsers1", Username="alice")["Username"] == "alice"
    finally:
        server.stop()


def broken(tmp_path: Path, mutate: Any) -> Path:
    data = json.loads(SEED.read_text())
    mutate(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("mutate", "where", "why"), [
    (lambda d: d["userPools"][1]["users"][0].update(password="short"),
     "userPools[1].users[0]", "InvalidPasswordException"),
    (lambda d: d["userPools"][0]["users"][1]["attributes"].update({"custom:nope": "x"}),
     "userPools[0].users[1]", "Attribute does not exist"),
    (lambda d: d["userPools"][0]["groups"][0].pop("name"),
     "userPools[0].groups[0].name", "required"),
    (lambda d: d["userPools"][0]["users"][0].update(groups=["ghosts"]),
     "userPools[0].users[0].groups[0]", "ResourceNotFoundException"),
    (lambda d: d["userPools"][0]["clients"][0]["config"].update(ExplicitAuthFlows=["NOPE"]),
     "userPools[0].clients[0]", "InvalidParameterException"),
    (lambda d: d["userPools"][0].update(id="not a pool id"), "userPools[0].id", "pool id"),
])
def test_broken_seed_is_refused_whole_and_names_the_entry(tmp_path: Path, mutate: Any, where: str,
                                                          why: str) -> None:
    path = broken(tmp_path, mutate)
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--port", "0", "--seed", str(path),
         "--data-dir", str(tmp_path / "data"), "--keys-dir", str(tmp_path / "keys")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode != 0
    assert f"seed file: {where}: " in done.stderr and why in done.stderr, done.stderr
    assert "listening" not in done.stderr
    # Nothing was half-applied: the store is empty.
    server = start_server(tmp_path)
    try:
        assert server.client().list_user_pools(MaxResults=10)["UserPools"] == []
    finally:
        server.stop()


def test_unreadable_seed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    done = subprocess.run([sys.executable, "-m", "emulator", "--port", "0", "--seed", str(tmp_path / "bad.json"),
                           "--data-dir", str(tmp_path / "d"), "--keys-dir", str(tmp_path / "k")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "not valid JSON" in done.stderr


def test_deterministic_ids_come_from_names(tmp_path: Path) -> None:
    ids = []
    for run in ("a", "b"):
        server = start_server(tmp_path / run, deterministic_ids=True)
        try:
            cognito = server.client()
            pool = cognito.create_user_pool(PoolName="orders")["UserPool"]["Id"]
            twin = cognito.create_user_pool(PoolName="orders")["UserPool"]["Id"]
            client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web",
                                                     GenerateSecret=True)["UserPoolClient"]
            sub = cognito.admin_create_user(UserPoolId=pool, Username="zoe", MessageAction="SUPPRESS")
            ids.append((pool, twin, client["ClientId"], client["ClientSecret"],
                        {a["Name"]: a["Value"] for a in sub["User"]["Attributes"]}["sub"]))
        finally:
            server.stop()
    assert ids[0] == ids[1]
    pool, twin, client_id, secret, sub = ids[0]
    assert pool != twin and pool.startswith("us-east-1_") and len(pool) == len("us-east-1_") + 9
    assert len(client_id) == 26 and client_id.islower() and len(secret) == 51
    assert len(sub) == 36 and sub[14] == "4"


def test_identity_pools_are_seeded_with_their_user_pool_provider(tmp_path: Path) -> None:
    seed = {"userPools": [{"name": "app", "id": "us-east-1_AppUsers01",
                           "clients": [{"name": "web", "config": {"ExplicitAuthFlows": [
                               "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}}],
                           "users": [{"username": "alice", "password": "Passw0rd!"}]}],
            "identityPools": [{"name": "app-identities", "id": "us-east-1:11111111-2222-4333-8444-555555555555",
                               "config": {"AllowUnauthenticatedIdentities": True},
                               "providers": [{"userPool": "app", "client": "web", "serverSideTokenCheck": True}],
                               "roles": {"authenticated": "arn:aws:iam::123456789012:role/auth"}}]}
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    server = start_server(tmp_path, seed=str(path))
    try:
        identity = server.client("cognito-identity")
        pool_id = "us-east-1:11111111-2222-4333-8444-555555555555"
        described = identity.describe_identity_pool(IdentityPoolId=pool_id)
        client_id = server.client().list_user_pool_clients(UserPoolId="us-east-1_AppUsers01")[
            "UserPoolClients"][0]["ClientId"]
        assert described["CognitoIdentityProviders"] == [{
            "ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AppUsers01", "ClientId": client_id,
            "ServerSideTokenCheck": True}]
        token = sign_in(server.client(), client_id, "alice", "Passw0rd!")["AuthenticationResult"]["IdToken"]
        logins = {"cognito-idp.us-east-1.amazonaws.com/us-east-1_AppUsers01": token}
        first = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
        server.stop()
        server.start()  # applied again: nothing new, nothing lost
        identity = server.client("cognito-identity")
        assert identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"] == first
        assert len(identity.list_identity_pools(MaxResults=10)["IdentityPools"]) == 1
        server.reset()
        assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {
            "authenticated": "arn:aws:iam::123456789012:role/auth"}
    finally:
        server.stop()


def test_identity_pool_naming_an_unknown_user_pool_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"identityPools": [{"name": "x", "providers": [{"userPool": "nope",
                                                                              "client": "web"}]}]}))
    with pytest.raises(SeedError, match=r"identityPools\[0\]\.providers\[0\]\.userPool"):
        start_server(tmp_path, seed=str(path))
