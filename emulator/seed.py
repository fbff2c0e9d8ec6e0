"""A seed file declares pools, clients (fixed ids and secrets allowed), groups, users and
domains; applied at start-up, idempotently, through the same validated actions the API
runs, in one transaction: a broken file is refused whole, naming the offending entry.

    {"userPools": [{"name": "app", "id": "us-east-1_Example01", "config": {...CreateUserPool...},
                    "domain": "myapp",
                    "clients": [{"name": "web", "id": "...", "secret": "...", "config": {...}}],
                    "groups": [{"name": "admins", "description": "...", "precedence": 1}],
                    "users": [{"username": "alice", "password": "...", "attributes": {"email": "..."},
                               "groups": ["admins"], "status": "CONFIRMED", "enabled": true}]}],
     "identityPools": [{"name": "app", "id": "us-east-1:<uuid>", "config": {...CreateIdentityPool...},
                        "providers": [{"userPool": "app", "client": "web", "serverSideTokenCheck": false}],
                        "roles": {"authenticated": "arn:...", "unauthenticated": "arn:..."},
                        "roleMappings": {...SetIdentityPoolRoles' RoleMappings...}}]}

A provider names a user pool and its client by id or by name (of the file's pools).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .accounts import create_user, save, set_password
from .api import REGISTRIES, Context, Services
from .errors import CognitoError
from .lookup import find_user
from .model import IDENTITY_SERVICE, SERVICE, service_model
from .passwords import NewPassword, hash_password
from .runner import run_inline
from .urls import base_url

_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
_IDENTITY_POOL_ID = re.compile(r"[\w-]+:[0-9a-f-]+")
_CLIENT_ID = re.compile(r"[\w+]+")
USER_STATUSES = ("CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED", "RESET_REQUIRED")


class SeedError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"seed file: {path}: {message}")
        self.path = path


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise SeedError(str(path), f"cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise SeedError(str(path), f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("userPools", []), list) \
            or not isinstance(data.get("identityPools", []), list):
        raise SeedError("$", "expected an object with a list 'userPools' (and optionally 'identityPools')")
    return data


def apply(services: Services, data: dict[str, Any]) -> dict[str, int]:
    """Apply a seed; returns what it created. All or nothing."""
    settings = services.settings
    ctx = Context(services=services, region=settings.region, action="seed",
                  base_url=base_url(settings, "http", f"{settings.host}:{settings.port}"))
    created = {"pools": 0, "clients": 0, "groups": 0, "users": 0, "identityPools": 0}
    with services.store.transaction():
        for i, pool in enumerate(data.get("userPools", [])):
            _pool(ctx, pool, f"userPools[{i}]", created)
        for i, identity_pool in enumerate(data.get("identityPools", [])):
            _identity_pool(ctx, identity_pool, f"identityPools[{i}]", created)
    return created


def _call(ctx: Context, path: str, action: str, body: dict[str, Any], service: str = SERVICE) -> dict[str, Any]:
    handler = REGISTRIES[service].get(action)
    if handler is None:
        raise SeedError(path, f"{action} is not supported by this emulator yet")
    try:
        model = service_model(service)
        model.validate_input(model.operations[action], body)
        return run_inline(ctx, handler, body)
    except CognitoError as err:
        raise SeedError(path, f"{err.code}: {err.message}") from None


def _object(value: Any, path: str, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedError(path, "expected an object")
    for key in required:
        if not isinstance(value.get(key), str) or not value[key]:
            raise SeedError(f"{path}.{key}", "required, a non-empty string")
    return value


def _pool(ctx: Context, spec: Any, path: str, created: dict[str, int]) -> None:
    spec = _object(spec, path, ("name",))
    pool = ctx.store.get_pool(spec["id"]) if spec.get("id") else next(
        (p for p in ctx.store.list_pools("", 100_000) if p.name == spec["name"]), None)
    if pool is None:
        if spec.get("id"):
            if not _POOL_ID.fullmatch(str(spec["id"])) or len(spec["id"]) > 55:
                raise SeedError(f"{path}.id", "a pool id looks like us-east-1_AbC123xYz")
            ctx.ids.pin("pool", spec["id"])
        config = _object(spec.get("config", {}), f"{path}.config", ())
        made = _call(ctx, path, "CreateUserPool", {**config, "PoolName": spec["name"]})
        pool_id = made["UserPool"]["Id"]
        created["pools"] += 1
        if spec.get("domain"):
            _call(ctx, f"{path}.domain", "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": spec["domain"]})
    else:
        pool_id = pool.id
    for j, client in enumerate(spec.get("clients", [])):
        _client(ctx, pool_id, client, f"{path}.clients[{j}]", created)
    for j, group in enumerate(spec.get("groups", [])):
        _group(ctx, pool_id, group, f"{path}.groups[{j}]", created)
    for j, user in enumerate(spec.get("users", [])):
        _user(ctx, pool_id, user, f"{path}.users[{j}]", created)


def _client(ctx: Context, pool_id: str, spec: Any, path: str, created: dict[str, int]) -> None:
    spec = _object(spec, path, ("name",))
    if spec.get("id"):
        if not _CLIENT_ID.fullmatch(str(spec["id"])) or len(spec["id"]) > 128:
            raise SeedError(f"{path}.id", "a client id is letters, digits, '_' and '+'")
        existing = ctx.store.get_client(spec["id"])
        if existing is not None:
            if existing.pool_id != pool_id:
                raise SeedError(f"{path}.id", f"client id {spec['id']} belongs to another pool")
            return
        ctx.ids.pin("client", spec["id"])
    elif any(c.name == spec["name"] for c in ctx.store.list_clients(pool_id, "", 100_000)):
        return
    body = {**_object(spec.get("config", {}), f"{path}.config", ()), "UserPoolId": pool_id,
            "ClientName": spec["name"]}
    if spec.get("secret"):
        body["ClientSecret"] = spec["secret"]
    _call(ctx, path, "CreateUserPoolClient", body)
    created["clients"] += 1


def _group(ctx: Context, pool_id: str, spec: Any, path: str, created: dict[str, int]) -> None:
    spec = _object(spec, path, ("name",))
    if ctx.store.get_group(pool_id, spec["name"]) is not None:
        return
    body: dict[str, Any] = {"UserPoolId": pool_id, "GroupName": spec["name"]}
    for key, member in (("description", "Description"), ("precedence", "Precedence"), ("roleArn", "RoleArn")):
        if key in spec:
            body[member] = spec[key]
    _call(ctx, path, "CreateGroup", body)
    created["groups"] += 1


def _user(ctx: Context, pool_id: str, spec: Any, path: str, created: dict[str, int]) -> None:
    spec = _object(spec, path, ("username",))
    pool = ctx.store.get_pool(pool_id)
    assert pool is not None
    if find_user(ctx, pool, spec["username"]) is not None:
        return
    status = spec.get("status", "CONFIRMED")
    if status not in USER_STATUSES:
        raise SeedError(f"{path}.status", f"must be one of {', '.join(USER_STATUSES)}")
    attributes = spec.get("attributes", {})
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise SeedError(f"{path}.attributes", "expected an object of string values")
    password = spec.get("password")
    if password is not None and not isinstance(password, str):
        raise SeedError(f"{path}.password", "expected a string")
    try:
        user = create_user(ctx, pool, spec["username"], dict(attributes), password=None, status=status)
        if password:
            hashed = hash_password(password, ctx.settings.bcrypt_rounds)
            set_password(ctx, pool, user, NewPassword(password, hashed), status=status)
        user.enabled = bool(spec.get("enabled", True))
        save(ctx, pool, user)
    except CognitoError as err:
        raise SeedError(path, f"{err.code}: {err.message}") from None
    created["users"] += 1
    for k, group in enumerate(spec.get("groups", [])):
        _call(ctx, f"{path}.groups[{k}]", "AdminAddUserToGroup",
              {"UserPoolId": pool_id, "Username": user.username, "GroupName": group})


def _identity_pool(ctx: Context, spec: Any, path: str, created: dict[str, int]) -> None:
    """An identity pool, made once (found again by id, or by name), then its roles."""
    spec = _object(spec, path, ("name",))
    pool = ctx.store.get_identity_pool(spec["id"]) if spec.get("id") else next(
        (p for p in ctx.store.list_identity_pools("", 100_000) if p.name == spec["name"]), None)
    if pool is not None:
        return
    if spec.get("id"):
        if not _IDENTITY_POOL_ID.fullmatch(str(spec["id"])) or len(spec["id"]) > 55:
            raise SeedError(f"{path}.id", "an identity pool id looks like us-east-1:<uuid>")
        ctx.ids.pin("identity_pool", spec["id"])
    config = _object(spec.get("config", {}), f"{path}.config", ())
    providers = [_provider(ctx, p, f"{path}.providers[{j}]") for j, p in enumerate(spec.get("providers", []))]
    body = {"AllowUnauthenticatedIdentities": False, **config, "IdentityPoolName": spec["name"]}
    if providers:
        body["CognitoIdentityProviders"] = providers
    made = _call(ctx, path, "CreateIdentityPool", body, IDENTITY_SERVICE)
    created["identityPools"] += 1
    if spec.get("roles") or spec.get("roleMappings"):
        roles = {"IdentityPoolId": made["IdentityPoolId"], "Roles": spec.get("roles", {})}
        if spec.get("roleMappings"):
            roles["RoleMappings"] = spec["roleMappings"]
        _call(ctx, f"{path}.roles", "SetIdentityPoolRoles", roles, IDENTITY_SERVICE)


def _provider(ctx: Context, spec: Any, path: str) -> dict[str, Any]:
    """CognitoIdentityProviders' entry for a user pool and client named by id or name."""
    spec = _object(spec, path, ("userPool", "client"))
    pool = ctx.store.get_pool(spec["userPool"]) or next(
        (p for p in ctx.store.list_pools("", 100_000) if p.name == spec["userPool"]), None)
    if pool is None:
        raise SeedError(f"{path}.userPool", f"no user pool {spec['userPool']!r}")
    client = ctx.store.get_client(spec["client"])
    if client is None or client.pool_id != pool.id:
        client = next((c for c in ctx.store.list_clients(pool.id, "", 100_000) if c.name == spec["client"]), None)
    if client is None:
        raise SeedError(f"{path}.client", f"no client {spec['client']!r} in user pool {pool.id}")
    region = pool.id.split("_", 1)[0]
    return {"ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool.id}", "ClientId": client.id,
            "ServerSideTokenCheck": bool(spec.get("serverSideTokenCheck", False))}
