"""Self-contained refresh tokens and revocation without a write per sign-in: the token's
Cognito shape, refresh across restarts (and from a store that never saw the sign-in),
refusal of tampered, truncated, forged and foreign tokens, revocations that outlast a
restart, sign-out and sign-in in one frozen second, and no durable write on a sign-in's
success path."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.clock import ManualClock

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in, start_server
from .hosted import oauth_client, oauth_pool, user_with_email
from .test_oauth_session import tokens_for
from .test_tokens import claims, new_client, refresh, refresh_refused, refused, verify

HEADER = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}


class FrozenClock(ManualClock):
    """Time stands still but where a test moves it: every call shares one instant."""

    def __init__(self) -> None:
        super().__init__()
        self._frozen = float(int(time.time())) + 0.5

    def now(self) -> float:
        with self._lock:
            return self._frozen + self._offset


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(data_dir=tmp_path / "data", keys_dir=tmp_path / "keys", clock=FrozenClock())
    live.start()
    yield live
    live.stop()


def setup(live: LiveServer, **client_options: Any) -> tuple[Any, str, str]:
    cognito = live.client()
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client_id = new_client(cognito, pool_id, **client_options)["ClientId"]
    confirmed_user(cognito, pool_id)
    return cognito, pool_id, client_id


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# -- shape ---------------------------------------------------------------------------------------


def test_refresh_token_is_a_five_part_jwe_as_cognitos(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["RefreshToken"]
    parts = token.split(".")
    assert len(parts) == 5 and token.startswith("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ")
    assert json.loads(b64decode(parts[0])) == HEADER
    # RSA-OAEP of a 2048-bit key, a 96-bit IV, a 128-bit tag; the payload is not readable.
    assert (len(b64decode(parts[1])), len(b64decode(parts[2])), len(b64decode(parts[4]))) == (256, 12, 16)
    assert b"origin_jti" not in b64decode(parts[3]) and b"alice" not in b64decode(parts[3])
    assert sign_in(cognito, client_id)["RefreshToken"] != token


# -- self-contained ------------------------------------------------------------------------------


def test_a_refresh_token_survives_a_restart_and_needs_no_stored_session(own_server: LiveServer) -> None:
    cognito, pool_id, client_id = setup(own_server)
    sign_in(cognito, client_id)  # the pool's key is made at its first use
    before = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    first = sign_in(cognito, client_id)
    own_server.restart()
    cognito = own_server.client()
    again = refresh(cognito, client_id, first["RefreshToken"])
    assert cognito.get_user(AccessToken=again["AccessToken"])["Username"] == "alice"
    access, id_claims = (verify(own_server.url, pool_id, again[k], **kw) for k, kw in
                         (("AccessToken", {}), ("IdToken", {"audience": client_id})))
    original = claims(first["IdToken"])  # its issuer names the port before the restart
    assert access["origin_jti"] == id_claims["origin_jti"] == original["origin_jti"]
    assert access["auth_time"] == original["auth_time"]
    # Back to the state before the sign-in (same keys): the token carries all it needs.
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", json=before).status_code == 200
    assert refresh(cognito, client_id, first["RefreshToken"])["AccessToken"]


def test_oauth_scopes_ride_in_the_refresh_token(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id = oauth_pool(cognito)
    client = oauth_client(cognito, pool_id)
    user_with_email(cognito, pool_id)
    tokens = tokens_for(own_server, client, scope="openid email")
    own_server.restart()
    resp = httpx.post(f"{own_server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client["ClientId"]})
    assert resp.status_code == 200, resp.text
    access = verify(own_server.url, pool_id, resp.json()["access_token"])
    assert access["scope"] == "openid email" and access["version"] == 2
    info = httpx.get(f"{own_server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {resp.json()['access_token']}"})
    assert info.status_code == 200 and info.json()["email"] == "alice@example.com"


# -- refused tokens ------------------------------------------------------------------------------


def altered(token: str) -> list[str]:
    parts = token.split(".")

    def flip(i: int) -> str:
        raw = bytearray(b64decode(parts[i]))
        raw[len(raw) // 2] ^= 1
        copy = list(parts)
        copy[i] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
        return ".".join(copy)

    return [flip(1), flip(2), flip(3), flip(4), ".".join(parts[:4]), token[: len(token) // 2],
            ".".join(parts[:3] + [parts[3][:-4], parts[4]]), token + "A",
            ".".join([base64.urlsafe_b64encode(json.dumps(HEADER).encode()).rstrip(b"=").decode(), *parts[1:]])]


def test_tampered_truncated_and_foreign_refresh_tokens_are_invalid(cognito: Any, pool_id: str,
                                                                    client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["RefreshToken"]
    for bad in altered(token):
        refresh_refused(cognito, client_id, bad, "^An error .*: Invalid Refresh Token$")
        cognito.revoke_token(Token=bad, ClientId=client_id)  # not a token of ours: nothing to revoke
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    other_client = new_client(cognito, other_pool)["ClientId"]
    confirmed_user(cognito, other_pool)
    foreign = sign_in(cognito, other_client)["RefreshToken"]
    refresh_refused(cognito, client_id, foreign, "Invalid Refresh Token")
    refresh_refused(cognito, other_client, token, "Invalid Refresh Token")
    cognito.revoke_token(Token=foreign, ClientId=client_id)  # another pool's: untouched
    assert refresh(cognito, other_client, foreign)["AccessToken"]
    assert refresh(cognito, client_id, token)["AccessToken"]  # none of it hurt the real one


def forged(jwks: dict[str, Any], claims: dict[str, Any]) -> str:
    """A refresh token as anyone could make one: encrypted to the pool's public key from
    the JWKS, around a JWT signed with a key of the forger's choosing."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    import hashlib
    import hmac

    jwk = jwks["keys"][0]
    public = rsa.RSAPublicNumbers(int.from_bytes(b64decode(jwk["e"]), "big"),
                                  int.from_bytes(b64decode(jwk["n"]), "big")).public_key()
    body = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()) + "." + b64(
        json.dumps(claims, separators=(",", ":")).encode())
    inner = body + "." + b64(hmac.new(b"guess", body.encode(), hashlib.sha256).digest())
    header = b64(json.dumps(HEADER, separators=(",", ":")).encode())
    cek, iv = os.urandom(32), os.urandom(12)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    sealed = AESGCM(cek).encrypt(iv, inner.encode(), header.encode())
    return ".".join([header, b64(public.encrypt(cek, oaep)), b64(iv), b64(sealed[:-16]), b64(sealed[-16:])])


def test_a_refresh_token_forged_with_the_public_key_is_invalid(server: LiveServer, cognito: Any, pool_id: str,
                                                              client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    now = server.clock.now()
    claims = {"origin_jti": "00000000-0000-4000-8000-000000000000", "pool_id": pool_id, "client_id": client_id,
              "username": "alice", "sub": next(a["Value"] for a in sub if a["Name"] == "sub"),
              "auth_time": int(now), "iat": int(now), "created": now, "expires": now + 86400}
    token = forged(httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json(), claims)
    refresh_refused(cognito, client_id, token, "Invalid Refresh Token")


# -- revocation outlasts a restart -----------------------------------------------------------------


def test_revocations_hold_after_a_restart(own_server: LiveServer) -> None:
    cognito, pool_id, client_id = setup(own_server)
    confirmed_user(cognito, pool_id, "bob")
    revoked_family, kept = sign_in(cognito, client_id), sign_in(cognito, client_id)
    bob = sign_in(cognito, client_id, "bob")
    cognito.revoke_token(Token=revoked_family["RefreshToken"], ClientId=client_id)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="bob")
    own_server.restart()
    cognito = own_server.client()
    for tokens in (revoked_family, bob):
        refused(cognito, tokens["AccessToken"], "Access Token has been revoked")
        refresh_refused(cognito, client_id, tokens["RefreshToken"], "Refresh Token has been revoked")
    assert cognito.get_user(AccessToken=kept["AccessToken"])["Username"] == "alice"
    assert refresh(cognito, client_id, kept["RefreshToken"])["AccessToken"]
    assert refresh(cognito, client_id, sign_in(cognito, client_id, "bob")["RefreshToken"])["AccessToken"]


def test_revocation_survives_a_snapshot_round_trip_and_reset_clears_it(own_server: LiveServer) -> None:
    cognito, pool_id, client_id = setup(own_server)
    confirmed_user(cognito, pool_id, "bob")
    tokens, bobs = sign_in(cognito, client_id), sign_in(cognito, client_id, "bob")
    cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    cognito.revoke_token(Token=bobs["RefreshToken"], ClientId=client_id)
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot").json()
    tables = snapshot["tables"]
    assert len(tables["user_signouts"]) == len(tables["token_families"]) == 1 and "token_sessions" not in tables
    own_server.reset()
    assert httpx.post(f"{own_server.url}/_emulator/snapshot", json=snapshot).status_code == 200
    for revoked in (tokens, bobs):
        refused(cognito, revoked["AccessToken"], "revoked")
        refresh_refused(cognito, client_id, revoked["RefreshToken"], "revoked")
    own_server.reset()
    tables = httpx.get(f"{own_server.url}/_emulator/snapshot").json()["tables"]
    assert tables["user_signouts"] == tables["token_families"] == []


# -- one frozen second -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["GlobalSignOut", "AdminUserGlobalSignOut", "AdminDisableUser"])
@pytest.mark.parametrize("step", [0.0, 0.2])
def test_sign_out_and_sign_in_again_in_one_second(frozen: LiveServer, how: str, step: float) -> None:
    """step 0: every call at the same instant; 0.2: a fifth of a second apart, all
    within one whole second of `iat`."""
    cognito, pool_id, client_id = setup(frozen)
    old = sign_in(cognito, client_id)
    old["Refreshed"] = refresh(cognito, client_id, old["RefreshToken"])["AccessToken"]
    frozen.clock.advance(step)
    if how == "GlobalSignOut":
        cognito.global_sign_out(AccessToken=old["AccessToken"])
    elif how == "AdminUserGlobalSignOut":
        cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    else:
        cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
        cognito.admin_enable_user(UserPoolId=pool_id, Username="alice")
    frozen.clock.advance(step)
    new = sign_in(cognito, client_id)
    assert new["AccessToken"].split(".")[1] != old["AccessToken"].split(".")[1]
    assert verify(frozen.url, pool_id, new["AccessToken"], options={"verify_iat": False})["iat"] == \
        verify(frozen.url, pool_id, old["AccessToken"], options={"verify_iat": False})["iat"]
    assert cognito.get_user(AccessToken=new["AccessToken"])["Username"] == "alice"
    new["Refreshed"] = refresh(cognito, client_id, new["RefreshToken"])["AccessToken"]
    assert cognito.get_user(AccessToken=new["Refreshed"])["Username"] == "alice"
    for token in (old["AccessToken"], old["Refreshed"]):
        refused(cognito, token, "Access Token has been revoked")
    refresh_refused(cognito, client_id, old["RefreshToken"], "Refresh Token has been revoked")
    # A second sign-out in that same second ends the new session too; a third sign-in works.
    frozen.clock.advance(step)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    refused(cognito, new["Refreshed"], "Access Token has been revoked")
    refresh_refused(cognito, client_id, new["RefreshToken"], "Refresh Token has been revoked")
    frozen.clock.advance(step)
    third = sign_in(cognito, client_id)
    assert refresh(cognito, client_id, third["RefreshToken"])["AccessToken"]
    frozen.restart()
    cognito = frozen.client()
    refresh_refused(cognito, client_id, new["RefreshToken"], "Refresh Token has been revoked")
    assert cognito.get_user(AccessToken=third["AccessToken"])["Username"] == "alice"


def test_revoke_token_in_the_second_of_a_sign_out(frozen: LiveServer) -> None:
    cognito, pool_id, client_id = setup(frozen)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    first, second = sign_in(cognito, client_id), sign_in(cognito, client_id)
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    refused(cognito, first["AccessToken"], "revoked")
    refresh_refused(cognito, client_id, first["RefreshToken"], "revoked")
    assert refresh(cognito, client_id, second["RefreshToken"])["AccessToken"]
    assert cognito.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"


def test_a_user_made_again_with_the_same_sub_gets_none_of_the_old_tokens(tmp_path: Path) -> None:
    live = start_server(tmp_path, deterministic_ids=True)
    try:
        cognito, pool_id, client_id = setup(live)
        old = sign_in(cognito, client_id)
        cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
        confirmed_user(cognito, pool_id)
        new = sign_in(cognito, client_id)
        assert verify(live.url, pool_id, new["AccessToken"])["sub"] == verify(live.url, pool_id, old["AccessToken"])["sub"]
        refused(cognito, old["AccessToken"], "revoked")
        refresh_refused(cognito, client_id, old["RefreshToken"], "revoked")
        assert cognito.get_user(AccessToken=new["AccessToken"])["Username"] == "alice"
    finally:
        live.stop()


def test_a_deleted_clients_tokens_stop_working(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    other = new_client(cognito, pool_id)["ClientId"]
    tokens, kept = sign_in(cognito, client_id), sign_in(cognito, other)
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    refused(cognito, tokens["AccessToken"], "revoked")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="revoked"):
        cognito.associate_software_token(AccessToken=tokens["AccessToken"])
    assert cognito.get_user(AccessToken=kept["AccessToken"])["Username"] == "alice"


# -- no durable write on a sign-in's success path ----------------------------------------------------


def test_a_sign_in_writes_nothing(own_server: LiveServer) -> None:
    """PRAGMA data_version (on a connection of the test's own) moves whenever another
    connection commits a change to the database file."""
    cognito, pool_id, client_id = setup(own_server)
    probe = sqlite3.connect(own_server.data_dir / "cognito.db", isolation_level=None)

    def version() -> int:
        return int(probe.execute("PRAGMA data_version").fetchone()[0])

    try:
        start = version()
        tokens = sign_in(cognito, client_id)
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
        refreshed = refresh(cognito, client_id, tokens["RefreshToken"])
        cognito.get_user(AccessToken=refreshed["AccessToken"])
        assert version() == start
        cognito.global_sign_out(AccessToken=tokens["AccessToken"])  # the probe does see writes
        signed_out = version()
        assert signed_out != start
        own_server.clock.advance(1)  # a sign-in in a later second than the sign-out: no write
        sign_in(cognito, client_id)
        assert version() == signed_out
    finally:
        probe.close()
