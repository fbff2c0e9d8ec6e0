"""Credentials minted by a real STS of the user's choice: moto's server, started here on
loopback, gets AssumeRoleWithWebIdentity with the identity's OpenID token, and the
credentials GetCredentialsForIdentity answers are the ones moto then accepts (its
GetCallerIdentity names the assumed role)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from .conftest import LiveServer, confirmed_user, sign_in, start_server
from .test_identity_credentials import ROLES, provider, unsigned_client


@pytest.fixture
def sts_url() -> Iterator[str]:
    # Skipped here rather than for the module, whose tests the coverage test counts.
    moto_server = pytest.importorskip("moto.server", reason="moto (a test extra) runs the STS these tests use")
    moto = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    yield f"http://{host}:{port}"
    moto.stop()


@pytest.fixture
def with_sts(tmp_path: Path, sts_url: str) -> Iterator[LiveServer]:
    live = start_server(tmp_path, sts_endpoint=sts_url)
    yield live
    live.stop()


def test_credentials_come_from_the_configured_sts(with_sts: LiveServer, sts_url: str) -> None:
    cognito = with_sts.client()
    pool_id = cognito.create_user_pool(PoolName="sts")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    identity = with_sts.client("cognito-identity")
    idp = identity.create_identity_pool(IdentityPoolName="sts", AllowUnauthenticatedIdentities=True,
                                        CognitoIdentityProviders=[{"ProviderName": provider(pool_id),
                                                                   "ClientId": client_id}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES)
    public = unsigned_client(with_sts)
    logins = {provider(pool_id): sign_in(cognito, client_id)["IdToken"]}
    user = public.get_id(IdentityPoolId=idp, Logins=logins)["IdentityId"]
    creds = public.get_credentials_for_identity(IdentityId=user, Logins=logins)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    caller = caller_identity(sts_url, creds)
    assert ":assumed-role/auth/CognitoIdentityCredentials" in caller["Arn"]
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    guest_creds = public.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    assert ":assumed-role/guest/" in caller_identity(sts_url, guest_creds)["Arn"]


def caller_identity(sts_url: str, creds: dict[str, Any]) -> dict[str, Any]:
    sts = boto3.client("sts", endpoint_url=sts_url, region_name="us-east-1",
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretKey"],
                       aws_session_token=creds["SessionToken"])
    return dict(sts.get_caller_identity())
