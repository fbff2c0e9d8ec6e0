"""App client secret rotation: AddUserPoolClientSecret, DeleteUserPoolClientSecret,
ListUserPoolClientSecrets. A confidential client holds one or two active secrets; every
check of a secret (records.Client.accepts_secret / accepts_secret_hash) takes any of them."""

from __future__ import annotations

from typing import Any

from .. import paging
from ..api import Context, Request, Response, action
from ..errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from ..lookup import require_client, require_pool
from ..records import Client, same_secret, secret_id

MAX_SECRETS = 2  # "Supports up to 2 active secrets per app client" (the API reference)


def _client(ctx: Context, req: Request) -> Client:
    pool = require_pool(ctx, req["UserPoolId"])
    return require_client(ctx, req["ClientId"], pool.id)


def _descriptor(entry: dict[str, Any]) -> dict[str, Any]:
    """ClientSecretDescriptorType without the value: lists never show it."""
    return {"ClientSecretId": entry["Id"], "ClientSecretCreateDate": entry["Created"]}


def _new_id(client: Client, now: float, taken: set[str]) -> str:
    """`<client-id>--<epoch ms>`; a millisecond later if a secret of this client holds it
    (two added within one millisecond, or a frozen test clock)."""
    stamp = now
    while secret_id(client.id, stamp) in taken:
        stamp += 0.001
    return secret_id(client.id, stamp)


@action("AddUserPoolClientSecret")
def add_user_pool_client_secret(ctx: Context, req: Request) -> Response:
    client = _client(ctx, req)
    secrets = client.secrets
    if not secrets:
        # "for an existing confidential user pool app client": the wording is the emulator's.
        raise InvalidParameterException(
            f"Client {client.id} has no client secret: only a confidential client can get another one.")
    if len(secrets) >= MAX_SECRETS:
        raise LimitExceededException(
            f"Client {client.id} already has {MAX_SECRETS} client secrets: delete one before adding another.")
    given = req.get("ClientSecret")
    if given and any(same_secret(s["Value"], given) for s in secrets):
        raise InvalidParameterException("The client already has this client secret.")
    now = ctx.now()
    entry = {"Id": _new_id(client, now, {s["Id"] for s in secrets}),
             "Value": given or ctx.ids.client_secret(f"{client.id}:{len(secrets)}:{now}"), "Created": now}
    client.set_secrets([*secrets, entry])
    ctx.store.put_client(client)
    out = _descriptor(entry)
    if not given:  # the value only when Cognito made it
        out["ClientSecretValue"] = entry["Value"]
    return {"ClientSecretDescriptor": out}


@action("DeleteUserPoolClientSecret")
def delete_user_pool_client_secret(ctx: Context, req: Request) -> Response:
    client = _client(ctx, req)
    secrets = client.secrets
    kept = [s for s in secrets if s["Id"] != req["ClientSecretId"]]
    if len(kept) == len(secrets):
        raise ResourceNotFoundException(f"Client secret {req['ClientSecretId']} does not exist.")
    if not kept:
        raise InvalidParameterException("The last client secret of an app client cannot be deleted.")
    client.set_secrets(kept)
    ctx.store.put_client(client)
    return {}


@action("ListUserPoolClientSecrets")
def list_user_pool_client_secrets(ctx: Context, req: Request) -> Response:
    # At most two: one page, no NextToken (as the API reference says); a token given is
    # read as any of the emulator's are (one not its own is InvalidParameterException).
    after = paging.decode(req.get("NextToken"))
    return {"ClientSecrets": [_descriptor(s) for s in _client(ctx, req).secrets if s["Id"] > after]}
