"""The application of the README's docker-compose example, as CI plays it: signs in a
seeded user with boto3 and verifies the ID token as a backend would.

    compose_app.py SEED_FILE

boto3 finds the emulator through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and takes
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION from the environment, as
unchanged application code does; the token must carry COGNITO_ISSUER, the one issuer the
compose file promises. Run by .ci/docker-smoke in a container, and by
tests/test_readme_examples.py against a local server.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from typing import Any

import boto3
import jwt


def seeded_login(seed: dict[str, Any], pool_id: str) -> tuple[str, str, str]:
    """A public client that takes passwords, and a confirmed user with a password."""
    pool = next(p for p in seed["userPools"] if p.get("id") == pool_id)
    client = next(c for c in pool["clients"] if not c.get("secret")
                  and "ALLOW_USER_PASSWORD_AUTH" in c.get("config", {}).get("ExplicitAuthFlows", []))
    user = next(u for u in pool["users"] if u.get("password")
                and u.get("status", "CONFIRMED") == "CONFIRMED" and u.get("enabled", True))
    return client["id"], user["username"], user["password"]


def main(seed_file: str) -> None:
    endpoint = os.environ["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"]
    issuer = os.environ["COGNITO_ISSUER"]
    pool_id = issuer.rsplit("/", 1)[1]
    with open(seed_file, encoding="utf-8") as fh:
        client_id, username, password = seeded_login(json.load(fh), pool_id)

    cognito = boto3.client("cognito-idp")  # endpoint, credentials and region: the environment's
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    id_token = tokens["AuthenticationResult"]["IdToken"]

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=10) as reply:
        jwks = jwt.PyJWKSet.from_dict(json.load(reply))
    key = jwks[jwt.get_unverified_header(id_token)["kid"]]
    claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=client_id, issuer=issuer)
    assert claims["cognito:username"] == username, claims
    print(f"compose app: {username} signed in through {endpoint}; ID token verified, issuer {claims['iss']}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
