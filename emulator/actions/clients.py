"""App clients: create, describe, update, delete, list; and which auth flows a client allows."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from .. import paging, providers
from ..api import Context, Request, Response, action
from ..attributes import schema_of
from ..authflows import LEGACY_FLOWS
from ..errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    ScopeDoesNotExistException,
)
from ..issuing import config_validity_seconds
from ..lookup import require_client, require_pool
from ..model import service_model
from ..records import Client, Pool
from .resource_servers import custom_scopes

# Settings computed or held apart from the request's copy.
_DERIVED = {"UserPoolId", "ClientName", "ClientId", "ClientSecret", "LastModifiedDate", "CreationDate"}
# (min, max) in seconds, Cognito's documented ranges.
_VALIDITY_RANGE = {
    "AccessToken": (300, 86400), "IdToken": (300, 86400), "RefreshToken": (3600, 315360000),
}


def _config_from(req: Request, pool: Pool) -> dict[str, Any]:
    members = set(service_model().shapes["UserPoolClientType"]["members"]) - _DERIVED
    # What Cognito shows for a client created with none of these set: access and ID
    # validity, their units and PreventUserExistenceErrors (LEGACY) stay absent.
    config: dict[str, Any] = {
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {},
        "AllowedOAuthFlowsUserPoolClient": False,
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
    }
    for key, value in req.items():
        if key in members:
            config[key] = copy.deepcopy(value)
    if config.get("RefreshTokenValidity") == 0:
        config["RefreshTokenValidity"] = 30
    _check(config, pool)
    return config


def _check(config: dict[str, Any], pool: Pool) -> None:
    flows = config.get("ExplicitAuthFlows") or []
    if any(f in LEGACY_FLOWS for f in flows) and any(f.startswith("ALLOW_") for f in flows):
        raise InvalidParameterException("Mixing legacy and ALLOW_ auth flows is not supported: use only one kind.")
    for kind, (lo, hi) in _VALIDITY_RANGE.items():
        seconds = config_validity_seconds(config, kind)
        if not lo <= seconds <= hi:
            label = {"AccessToken": "Access token", "IdToken": "ID token", "RefreshToken": "Refresh token"}[kind]
            raise InvalidParameterException(
                f"{label} validity must be between {lo // 60} minutes and {hi // 86400} days."
                if kind == "RefreshToken" else f"{label} validity must be between 5 minutes and 1 day."
            )
    schema = schema_of(pool)
    for key, label in (("ReadAttributes", "read"), ("WriteAttributes", "write")):
        names = config.get(key) or []
        if any(n not in schema for n in names):
            raise InvalidParameterException(f"Invalid {label} attributes specified while creating a client")
    callbacks = config.get("CallbackURLs") or []
    default_uri = config.get("DefaultRedirectURI")
    if default_uri and default_uri not in callbacks:
        raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    if not 3 <= config.get("AuthSessionValidity", 3) <= 15:
        raise InvalidParameterException("AuthSessionValidity must be between 3 and 15 minutes.")


STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _check_oauth(ctx: Context, client: Client, pool: Pool) -> None:
    """The OAuth settings Cognito refuses: client_credentials mixed with the user flows,
    without a secret or with user scopes; scopes no resource server defines; redirect
    URLs that are neither HTTPS, loopback HTTP nor an app's own scheme."""
    config = client.config
    flows = set(config.get("AllowedOAuthFlows") or [])
    scopes = config.get("AllowedOAuthScopes") or []
    if "client_credentials" in flows:
        if flows & {"code", "implicit"}:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow.")
        if not client.secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client secret.")
        standard = [s for s in scopes if s in STANDARD_SCOPES]
        if standard:
            raise InvalidOAuthFlowException(f"{standard[0]} is not supported with client_credentials flow")
    defined = custom_scopes(ctx, client.pool_id)
    for scope in scopes:
        if scope not in STANDARD_SCOPES and scope not in defined:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    if config.get("AllowedOAuthFlowsUserPoolClient") and not (flows and scopes):
        raise InvalidOAuthFlowException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required when AllowedOAuthFlowsUserPoolClient is true.")
    if flows & {"code", "implicit"} and not config.get("CallbackURLs"):
        raise InvalidParameterException("CallbackURLs are required for the code and implicit flows.")
    for key in ("CallbackURLs", "LogoutURLs"):
        for url in config.get(key) or []:
            _check_redirect_url(key, url)
    known = providers.all_of(pool)
    for provider in config.get("SupportedIdentityProviders") or []:
        if provider != "COGNITO" and provider not in known:
            raise InvalidParameterException(f"The provider {provider} does not exist for User Pool {client.pool_id}")


def _check_redirect_url(key: str, url: str) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if "#" in url or not scheme or scheme in ("javascript", "data", "vbscript", "file"):
        raise InvalidParameterException(f"{key}: {url} is not a valid redirect URL.")
    if scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise InvalidParameterException(
            f"{key}: {url} must use HTTPS; plain HTTP is allowed only for localhost.")


@action("CreateUserPoolClient")
def create_user_pool_client(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    config = _config_from(req, pool)
    if req.get("GenerateSecret") and req.get("ClientSecret"):
        raise InvalidParameterException("GenerateSecret and ClientSecret cannot both be set.")
    client_id = ctx.ids.client_id(pool.id, req["ClientName"], lambda i: ctx.store.get_client(i) is not None)
    secret = req.get("ClientSecret") or (ctx.ids.client_secret(client_id) if req.get("GenerateSecret") else None)
    now = ctx.now()
    client = Client(id=client_id, pool_id=pool.id, name=req["ClientName"], created=now,
                    modified=now, secret=secret, config=config)
    _check_oauth(ctx, client, pool)
    ctx.store.add_client(client)
    return {"UserPoolClient": client.to_wire()}


@action("DescribeUserPoolClient")
def describe_user_pool_client(ctx: Context, req: Request) -> Response:
    require_pool(ctx, req["UserPoolId"])
    return {"UserPoolClient": require_client(ctx, req["ClientId"], req["UserPoolId"]).to_wire()}


@action("UpdateUserPoolClient")
def update_user_pool_client(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    client = require_client(ctx, req["ClientId"], pool.id)
    # As in Cognito, settings the request leaves out go back to their defaults; the
    # emulator's own keys ("_ClientSecrets") are not settings and stay.
    own = {k: v for k, v in client.config.items() if k.startswith("_")}
    client.config = {**_config_from(req, pool), **own}
    if "ClientName" in req:
        client.name = req["ClientName"]
    _check_oauth(ctx, client, pool)
    client.modified = ctx.now()
    ctx.store.put_client(client)
    return {"UserPoolClient": client.to_wire()}


@action("DeleteUserPoolClient")
def delete_user_pool_client(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    ctx.store.delete_client(require_client(ctx, req["ClientId"], pool.id).id)
    return {}


@action("ListUserPoolClients")
def list_user_pool_clients(ctx: Context, req: Request) -> Response:
    pool = require_pool(ctx, req["UserPoolId"])
    limit = req.get("MaxResults", 60)
    rows = ctx.store.list_clients(pool.id, paging.decode(req.get("NextToken")), limit + 1)
    return paging.listing([(c.id, c) for c in rows], limit, "UserPoolClients",
                          lambda c: {"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name})
