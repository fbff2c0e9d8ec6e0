"""Drives the emulator in a container from the host, for .ci/docker-smoke.

    docker_smoke.py first  ENDPOINT STATE   pool, client, sign-up, admin-confirm, sign-in,
                                            IdToken verified against the JWKS; saves STATE
    docker_smoke.py second ENDPOINT STATE   after the container was replaced (same volumes):
                                            the user signs in again, and the new IdToken
                                            verifies against the same JWKS
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import boto3
import jwt
from botocore.config import Config

USERNAME = "smoke-alice"
PASSWORD = "Sm0ke-Test-Passw0rd!"


def client(endpoint: str):
    return boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def get_json(url: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as resp:
        assert resp.status == 200, (url, resp.status)
        return json.load(resp)


def verify(token: str, jwks: dict, endpoint: str, pool_id: str, client_id: str) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    claims = jwt.decode(token, key=key.key, algorithms=["RS256"], audience=client_id,
                        issuer=f"{endpoint}/{pool_id}")
    assert claims["token_use"] == "id", claims
    assert claims["cognito:username"] == USERNAME, claims
    assert claims["email"] == "alice@example.com", claims
    assert claims["exp"] > time.time(), claims
    return claims


def sign_in(idp, client_id: str) -> dict:
    result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD})
    assert "ChallengeName" not in result, result
    return result["AuthenticationResult"]


def first(endpoint: str, state_path: str) -> None:
    idp = client(endpoint)
    pool_id = idp.create_user_pool(PoolName="docker-smoke")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="smoke",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username=USERNAME, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=USERNAME)
    tokens = sign_in(idp, client_id)
    jwks = get_json(f"{endpoint}/{pool_id}/.well-known/jwks.json")
    claims = verify(tokens["IdToken"], jwks, endpoint, pool_id, client_id)
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    assert user["Username"] == USERNAME, user
    print(f"first run: pool {pool_id}, client {client_id}, user {USERNAME} signed in; "
          f"IdToken verified (kid {jwt.get_unverified_header(tokens['IdToken'])['kid']}, "
          f"sub {claims['sub']})")
    with open(state_path, "w", encoding="utf-8") as fh:
        json.dump({"pool_id": pool_id, "client_id": client_id, "jwks": jwks,
                   "sub": claims["sub"], "id_token": tokens["IdToken"]}, fh)


def second(endpoint: str, state_path: str) -> None:
    with open(state_path, encoding="utf-8") as fh:
        state = json.load(fh)
    pool_id, client_id = state["pool_id"], state["client_id"]
    idp = client(endpoint)
    user = idp.admin_get_user(UserPoolId=pool_id, Username=USERNAME)
    assert user["UserStatus"] == "CONFIRMED", user
    tokens = sign_in(idp, client_id)
    jwks = get_json(f"{endpoint}/{pool_id}/.well-known/jwks.json")
    assert jwks == state["jwks"], ("signing key changed across the restart", state["jwks"], jwks)
    claims = verify(tokens["IdToken"], jwks, endpoint, pool_id, client_id)
    assert claims["sub"] == state["sub"], (claims, state["sub"])
    # The token minted before the restart still verifies: same key.
    verify(state["id_token"], jwks, endpoint, pool_id, client_id)
    print(f"second run: after the restart pool {pool_id} and user {USERNAME} are there, "
          "sign-in works, the JWKS is unchanged and both IdTokens verify")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("first", "second"):
        sys.exit(__doc__)
    {"first": first, "second": second}[sys.argv[1]](sys.argv[2], sys.argv[3])
