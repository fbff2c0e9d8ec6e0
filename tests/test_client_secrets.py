"""Client secret rotation with real boto3: AddUserPoolClientSecret,
DeleteUserPoolClientSecret, ListUserPoolClientSecrets, and every place a client's secret
is checked (SECRET_HASH, ClientSecret members, /oauth2/token) taking any active secret
and refusing a deleted one."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, start_server
from .hosted import oauth_client, oauth_pool
from .test_auth import secret_hash

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def secret_client(cognito: Any, pool_id: str, **kwargs: Any) -> dict[str, Any]:
    return dict(cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="backend", GenerateSecret=True,
                                                ExplicitAuthFlows=FLOWS, **kwargs)["UserPoolClient"])


def listed(cognito: Any, pool_id: str, client_id: str) -> list[dict[str, Any]]:
    return list(cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"])


def password_sign_in(cognito: Any, client_id: str, secret: str, username: str = "alice") -> dict[str, Any]:
    return dict(cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD,
                        "SECRET_HASH": secret_hash(secret, username, client_id)})["AuthenticationResult"])


def test_a_client_lists_its_first_secret_without_its_value(cognito: Any, pool_id: str, server: LiveServer) -> None:
    client = secret_client(cognito, pool_id)
    (only,) = listed(cognito, pool_id, client["ClientId"])
    assert set(only) == {"ClientSecretId", "ClientSecretCreateDate"}
    assert re.fullmatch(re.escape(client["ClientId"]) + r"--\d+", only["ClientSecretId"]), only
    assert only["ClientSecretCreateDate"] == client["CreationDate"]


def test_add_list_and_delete_secrets(cognito: Any, pool_id: str, server: LiveServer) -> None:
    client = secret_client(cognito, pool_id)
    cid = client["ClientId"]
    (first,) = listed(cognito, pool_id, cid)
    server.clock.advance(60)
    before = server.clock.now()
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)["ClientSecretDescriptor"]
    assert re.fullmatch(r"[a-z0-9]{51}", added["ClientSecretValue"]), added
    assert added["ClientSecretValue"] != client["ClientSecret"]
    assert re.fullmatch(re.escape(cid) + r"--\d+", added["ClientSecretId"]) and added["ClientSecretId"] != first[
        "ClientSecretId"]
    assert before - 0.001 <= added["ClientSecretCreateDate"].timestamp() <= server.clock.now() + 0.001
    both = listed(cognito, pool_id, cid)
    assert [s["ClientSecretId"] for s in both] == [first["ClientSecretId"], added["ClientSecretId"]]
    assert all("ClientSecretValue" not in s for s in both)
    # Two at most.
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)
    # Describe keeps showing a secret: the oldest active one.
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=cid)["UserPoolClient"]
    assert described["ClientSecret"] == client["ClientSecret"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid, ClientSecretId=first["ClientSecretId"])
    assert [s["ClientSecretId"] for s in listed(cognito, pool_id, cid)] == [added["ClientSecretId"]]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=cid)["UserPoolClient"]
    assert described["ClientSecret"] == added["ClientSecretValue"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="last"):
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                               ClientSecretId=added["ClientSecretId"])
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                               ClientSecretId=first["ClientSecretId"])


def test_a_supplied_secret_is_not_echoed_back(cognito: Any, pool_id: str) -> None:
    client = secret_client(cognito, pool_id)
    mine = "my0own0second0secret0long0enough"
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"],
                                                ClientSecret=mine)["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in added and added["ClientSecretId"].startswith(client["ClientId"] + "--")
    # A value the client already has is refused (our choice).
    other = secret_client(cognito, pool_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="already"):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=other["ClientId"],
                                            ClientSecret=other["ClientSecret"])


def test_a_public_client_gets_no_secret(cognito: Any, pool_id: str) -> None:
    public = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="spa")["UserPoolClient"]
    assert listed(cognito, pool_id, public["ClientId"]) == []
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="secret"):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=public["ClientId"])
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=public["ClientId"],
                                               ClientSecretId=public["ClientId"] + "--1")
    assert "ClientSecret" not in cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=public["ClientId"])["UserPoolClient"]


def test_unknown_pool_and_client(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId="nosuchclient0000000000000")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.list_user_pool_client_secrets(UserPoolId="us-east-1_Nope00000", ClientId="nosuchclient000")


def test_sign_in_with_the_new_secret_and_not_with_a_deleted_one(cognito: Any, pool_id: str) -> None:
    client = secret_client(cognito, pool_id, EnableTokenRevocation=True)
    cid, old = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "alice")
    (first,) = listed(cognito, pool_id, cid)
    new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)["ClientSecretDescriptor"][
        "ClientSecretValue"]
    # Both sign in while both are active, by SECRET_HASH and by ClientSecret.
    tokens = password_sign_in(cognito, cid, new)
    assert password_sign_in(cognito, cid, old)["AccessToken"]
    cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": secret_hash(new, "alice", cid)})
    cognito.get_tokens_from_refresh_token(ClientId=cid, ClientSecret=new, RefreshToken=tokens["RefreshToken"])
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid, ClientSecretId=first["ClientSecretId"])
    assert password_sign_in(cognito, cid, new)["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        password_sign_in(cognito, cid, old)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="SecretHash does not match"):
        cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
            "REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": secret_hash(old, "alice", cid)})
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_tokens_from_refresh_token(ClientId=cid, ClientSecret=old, RefreshToken=tokens["RefreshToken"])
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Unable to verify secret hash"):
        cognito.forgot_password(ClientId=cid, Username="alice", SecretHash=secret_hash(old, "alice", cid))
    with pytest.raises(cognito.exceptions.UnauthorizedException):
        cognito.revoke_token(ClientId=cid, ClientSecret=old, Token=tokens["RefreshToken"])
    cognito.revoke_token(ClientId=cid, ClientSecret=new, Token=tokens["RefreshToken"])


def test_update_keeps_the_added_secrets(cognito: Any, pool_id: str) -> None:
    client = secret_client(cognito, pool_id)
    cid = client["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)["ClientSecretDescriptor"][
        "ClientSecretValue"]
    before = listed(cognito, pool_id, cid)
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=cid, ClientName="renamed",
                                              ExplicitAuthFlows=FLOWS)["UserPoolClient"]
    assert updated["ClientSecret"] == client["ClientSecret"]
    assert "_ClientSecrets" not in updated and listed(cognito, pool_id, cid) == before
    assert password_sign_in(cognito, cid, new)["AccessToken"]


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_token_endpoint_takes_any_active_secret(cognito: Any, server: LiveServer) -> None:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool, secret=True, AllowedOAuthFlows=["client_credentials"],
                          AllowedOAuthScopes=["orders/read"], CallbackURLs=[])
    cid, old = client["ClientId"], client["ClientSecret"]
    (first,) = listed(cognito, pool, cid)
    new = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=cid)["ClientSecretDescriptor"][
        "ClientSecretValue"]
    url, form = f"{server.url}/oauth2/token", {"grant_type": "client_credentials"}
    for secret in (old, new):
        assert httpx.post(url, data=form, headers=_basic(cid, secret)).status_code == 200
    assert httpx.post(url, data={**form, "client_id": cid, "client_secret": new}).status_code == 200
    assert cognito.get_client_token(ClientId=cid, Secret=new)["ClientAuthenticationResult"]["AccessToken"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecretId=first["ClientSecretId"])
    assert httpx.post(url, data=form, headers=_basic(cid, new)).status_code == 200
    refused = httpx.post(url, data=form, headers=_basic(cid, old))
    assert refused.status_code in (400, 401) and refused.json()["error"] == "invalid_client"
    assert httpx.post(url, data={**form, "client_id": cid, "client_secret": old}).json()["error"] == "invalid_client"
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_client_token(ClientId=cid, Secret=old)


def test_secrets_survive_a_snapshot(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    client = secret_client(cognito, pool_id)
    cid = client["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    (first,) = listed(cognito, pool_id, cid)
    new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)["ClientSecretDescriptor"][
        "ClientSecretValue"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid, ClientSecretId=first["ClientSecretId"])
    before = listed(cognito, pool_id, cid)
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    assert httpx.post(f"{own_server.url}/_emulator/reset").status_code in (200, 204)
    reply = httpx.post(f"{own_server.url}/_emulator/snapshot", json=snapshot)
    assert reply.status_code in (200, 204), reply.text
    assert listed(cognito, pool_id, cid) == before
    assert password_sign_in(cognito, cid, new)["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        password_sign_in(cognito, cid, client["ClientSecret"])


def test_a_seeded_clients_secrets_rotate_and_reset_brings_the_seeded_one_back(tmp_path: Path) -> None:
    pool_id, client_id, seeded = "us-east-1_Rotated01", "rotatedbackend00000000001", "seeded0secret0at0least024chars"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"userPools": [{"name": "rotated", "id": pool_id, "clients": [
        {"name": "backend", "id": client_id, "secret": seeded, "config": {"ExplicitAuthFlows": FLOWS}}],
        "users": [{"username": "alice", "password": PASSWORD}]}]}))
    server = start_server(tmp_path / "state", seed=str(seed))
    try:
        cognito = server.client()
        (first,) = listed(cognito, pool_id, client_id)
        new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)[
            "ClientSecretDescriptor"]["ClientSecretValue"]
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                               ClientSecretId=first["ClientSecretId"])
        rotated = listed(cognito, pool_id, client_id)
        # A restart applies the seed again: the client exists, so its secrets stay as rotated.
        server.restart()
        cognito = server.client()
        assert listed(cognito, pool_id, client_id) == rotated
        assert password_sign_in(cognito, client_id, new)["AccessToken"]
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            password_sign_in(cognito, client_id, seeded)
        # A reset returns to the seed: its one secret again (a client made anew, so a new id).
        assert httpx.post(f"{server.url}/_emulator/reset").status_code in (200, 204)
        (again,) = listed(cognito, pool_id, client_id)
        assert again["ClientSecretId"] not in {s["ClientSecretId"] for s in rotated}
        assert password_sign_in(cognito, client_id, seeded)["AccessToken"]
    finally:
        server.stop()
