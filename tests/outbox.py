"""Helpers for the code journeys: pools and clients made to measure, the outbox read
over HTTP the way an application's tests would, and ID token claims."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jwt

from .conftest import LiveServer

POLICY = {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                             "RequireNumbers": True, "RequireSymbols": False}}
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
NEW_PASSWORD = "N3wPassword"
DAY = 86400
# One client for the session: a new httpx client per call costs more than the call.
HTTP = httpx.Client()


def new_pool(cognito: Any, **config: Any) -> str:
    config.setdefault("Policies", POLICY)
    return str(cognito.create_user_pool(PoolName=f"codes-{uuid.uuid4().hex[:8]}", **config)["UserPool"]["Id"])


def new_client(cognito: Any, pool_id: str) -> str:
    return str(cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                               ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"])


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]


def as_dict(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def messages(server: LiveServer, **filters: str) -> list[dict[str, Any]]:
    resp = HTTP.get(f"{server.url}/_emulator/messages", params=filters)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["messages"])


def clear(server: LiveServer, **filters: str) -> int:
    resp = HTTP.delete(f"{server.url}/_emulator/messages", params=filters)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["deleted"])


def last_message(server: LiveServer, pool_id: str, **filters: str) -> dict[str, Any]:
    found = messages(server, userPoolId=pool_id, **filters)
    assert found, f"no message in the outbox for {pool_id} {filters}"
    return found[-1]


def last_code(server: LiveServer, pool_id: str, **filters: str) -> str:
    return str(last_message(server, pool_id, **filters)["code"])


def wrong(code: str) -> str:
    """A 6-digit code that is certainly not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def claims(token: str) -> dict[str, Any]:
    """A token's claims (its signature is tested elsewhere; the clock may be moved here)."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


def sign_in(cognito: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    return dict(cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": username, "PASSWORD": password})
                ["AuthenticationResult"])
