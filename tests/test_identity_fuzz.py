"""A seeded random walk over every cognito-identity operation, over raw HTTP, on a
server of its own: bodies drawn from botocore's input shapes with ids, tokens and names
of a real identity pool mixed in. Never a 5xx; an error is one botocore lists for the
operation; a 200 body fits the operation's output shape."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import botocore.session
import httpx

from emulator.model import service_model

from .conftest import start_server
from .shapes import check_response

MODEL = botocore.session.get_session().get_service_model("cognito-identity")
OURS = service_model("cognito-identity")
CALLS = 600


def target(op: str) -> dict[str, str]:
    return {"X-Amz-Target": f"AWSCognitoIdentityService.{op}", "Content-Type": "application/x-amz-json-1.1"}


def draw(rng: random.Random, shape: str, known: list[str], depth: int = 0) -> Any:
    s = OURS.shapes[shape]
    kind = s["type"]
    if kind == "structure":
        members = s.get("members", {}).items()
        return {k: draw(rng, v["shape"], known, depth + 1) for k, v in members if depth < 4 and rng.random() < 0.8}
    if kind == "list":
        return [draw(rng, s["member"]["shape"], known, depth + 1) for _ in range(rng.randint(0, 2))] if depth < 4 else []
    if kind == "map":
        keys = ["dev.example", "cognito-identity.amazonaws.com", "cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
                "authenticated", "unauthenticated", "team"]
        return {rng.choice(keys): draw(rng, s["value"]["shape"], known, depth + 1) for _ in range(rng.randint(0, 2))}
    if kind == "string":
        return rng.choice(s["enum"]) if "enum" in s else rng.choice(known)
    if kind in ("integer", "long"):
        return rng.choice([0, 1, 5, 60, 900, 86400, 100000, -1])
    if kind == "boolean":
        return rng.choice([True, False])
    return 1.0


def test_random_walk_over_every_operation(tmp_path: Path) -> None:
    live = start_server(tmp_path)
    try:
        post = httpx.Client(base_url=live.url, timeout=30)
        pool = post.post("/", headers=target("CreateIdentityPool"), json={
            "IdentityPoolName": "fuzz", "AllowUnauthenticatedIdentities": True,
            "DeveloperProviderName": "dev.example"}).json()["IdentityPoolId"]
        guest = post.post("/", headers=target("GetId"), json={"IdentityPoolId": pool}).json()["IdentityId"]
        known = [pool, guest, "x", "dev.example", "u1", "a.b.c", "us-east-1:00000000-0000-4000-8000-000000000000",
                 f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{pool}",
                 "arn:aws:iam::123456789012:role/x", ""]
        rng = random.Random(1404)
        problems: list[str] = []
        for _ in range(CALLS):
            op = rng.choice(sorted(OURS.operations))
            shape = OURS.operations[op].input_shape
            body = draw(rng, shape, known) if shape else {}
            resp = post.post("/", headers=target(op), json=body)
            if resp.status_code >= 500:
                problems.append(f"{op} {body}: {resp.status_code} {resp.text[:200]}")
            problems += check_response(MODEL.operation_model(op), resp.status_code, resp.content)
        assert problems == []
        assert post.get("/health").status_code == 200
    finally:
        live.stop()
