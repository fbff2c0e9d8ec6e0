"""The AWS tutorial journey driven by the real AWS CLI (v1, this venv's), before and after a
restart. Each CLI run costs about half a second, so the runs are few and each one counts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from .conftest import LiveServer, confirmed_user, make_client

POLICIES = ('{"PasswordPolicy":{"MinimumLength":8,"RequireUppercase":true,"RequireLowercase":true,'
            '"RequireNumbers":true,"RequireSymbols":false}}')
SCHEMA = '[{"Name":"phone_number","AttributeDataType":"String","Mutable":true,"Required":true}]'


@pytest.fixture
def aws_env(tmp_path: Path) -> dict[str, str]:
    """Static test credentials and no profile: nothing from the developer's own AWS setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def aws(env: dict[str, str], url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "awscli", "cognito-idp", *args, "--endpoint-url", url],
        env=env, capture_output=True, text=True, timeout=60,
    )
    if ok:
        assert proc.returncode == 0, f"aws {args[0]} failed ({proc.returncode}): {proc.stderr}"
    return proc


def aws_json(env: dict[str, str], url: str, *args: str) -> dict[str, Any]:
    return json.loads(aws(env, url, *args, "--output", "json").stdout)


def verify(base: str, pool_id: str, token: str, audience: str, issued_at: str = "") -> dict[str, Any]:
    """Check `token` against the JWKS served at `base`; its issuer is where it was minted."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{base}/{pool_id}/.well-known/jwks.json").json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{issued_at or base}/{pool_id}",
                      audience=audience)


def admin_sign_in(env: dict[str, str], url: str, pool_id: str, client_id: str, password: str,
                  *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    return aws(env, url, "admin-initiate-auth", "--user-pool-id", pool_id, "--client-id", client_id,
               "--auth-flow", "ADMIN_NO_SRP_AUTH",
               "--auth-parameters", f"USERNAME=player1,PASSWORD={password}", "--output", "json", ok=ok)


def test_tutorial_journey_with_aws_cli_survives_restart(own_server: LiveServer, aws_env: dict[str, str]) -> None:
    url = own_server.url
    pool_id = aws(aws_env, url, "create-user-pool", "--pool-name", "turn-based-users",
                  "--policies", POLICIES, "--schema", SCHEMA,
                  "--query", "UserPool.Id", "--output", "text").stdout.strip()
    assert pool_id.startswith("us-east-1_") and pool_id[len("us-east-1_"):].isalnum(), pool_id

    backend = aws_json(aws_env, url, "create-user-pool-client", "--user-pool-id", pool_id,
                       "--client-name", "turn-based-backend", "--explicit-auth-flows", "ADMIN_NO_SRP_AUTH",
                       )["UserPoolClient"]
    assert backend["ClientName"] == "turn-based-backend" and backend["UserPoolId"] == pool_id
    assert backend["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH"]
    modern = aws_json(aws_env, url, "create-user-pool-client", "--user-pool-id", pool_id,
                      "--client-name", "turn-based-modern", "--explicit-auth-flows",
                      "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")["UserPoolClient"]
    assert sorted(modern["ExplicitAuthFlows"]) == ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert modern["ClientId"] != backend["ClientId"]

    signed = aws_json(aws_env, url, "sign-up", "--client-id", backend["ClientId"], "--username", "player1",
                      "--password", "Secret123", "--user-attributes",
                      "Name=email,Value=player1@example.com", "Name=phone_number,Value=+15555550100")
    assert signed["UserConfirmed"] is False
    assert str(uuid.UUID(signed["UserSub"])) == signed["UserSub"]

    confirmed = aws(aws_env, url, "admin-confirm-sign-up", "--user-pool-id", pool_id, "--username", "player1")
    assert confirmed.stdout.strip() == ""

    auth = json.loads(admin_sign_in(aws_env, url, pool_id, backend["ClientId"], "Secret123").stdout)
    tokens = auth["AuthenticationResult"]
    assert set(tokens) >= {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600

    user = aws_json(aws_env, url, "admin-get-user", "--user-pool-id", pool_id, "--username", "player1")
    assert user["Username"] == "player1" and user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
    assert {"Name": "phone_number", "Value": "+15555550100"} in user["UserAttributes"]
    assert {"Name": "sub", "Value": signed["UserSub"]} in user["UserAttributes"]

    claims = verify(url, pool_id, tokens["IdToken"], audience=backend["ClientId"])
    assert claims["sub"] == signed["UserSub"] and claims["token_use"] == "id"
    assert claims["cognito:username"] == "player1" and claims["phone_number"] == "+15555550100"
    assert claims["email"] == "player1@example.com"

    before = url
    own_server.restart()
    url = own_server.url

    # The pool, the user, its password and the signing key all came back from disk (on a
    # new port, so a new issuer: the emulator names itself after the Host the client used).
    again = json.loads(admin_sign_in(aws_env, url, pool_id, modern["ClientId"], "Secret123").stdout)
    fresh = again["AuthenticationResult"]
    assert jwt.get_unverified_header(fresh["IdToken"])["kid"] == jwt.get_unverified_header(tokens["IdToken"])["kid"]
    fresh_claims = verify(url, pool_id, fresh["IdToken"], audience=modern["ClientId"])
    assert fresh_claims["sub"] == signed["UserSub"]
    old = verify(url, pool_id, tokens["IdToken"], audience=backend["ClientId"], issued_at=before)
    assert old["sub"] == signed["UserSub"]


def test_wrong_password_fails_the_aws_cli(cognito: Any, server: LiveServer, aws_env: dict[str, str]) -> None:
    pool_id = cognito.create_user_pool(PoolName="turn-based-users")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="turn-based-backend", ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"],
    )["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "player1")

    proc = admin_sign_in(aws_env, server.url, pool_id, client_id, "Wrong1234", ok=False)
    assert proc.returncode != 0
    assert "NotAuthorizedException" in proc.stderr
    assert "Incorrect username or password" in proc.stderr
    assert "AuthenticationResult" not in proc.stdout


def test_the_cli_server_says_where_it_listens_and_serves(tmp_path: Path) -> None:
    """`python -m emulator` as a user runs it (uvloop and httptools when installed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(tmp_path / "d"),
         "--keys-dir", str(tmp_path / "k")],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", first)
        assert match, first
        url = match.group(1)
        cognito = make_client(url)
        pool = cognito.create_user_pool(PoolName="from-the-cli")["UserPool"]["Id"]
        assert httpx.get(f"{url}/health").status_code == 200
        assert httpx.get(f"{url}/{pool}/.well-known/jwks.json").json()["keys"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
