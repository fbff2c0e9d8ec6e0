"""Signing in through a user pool's OIDC identity provider: the state that carries the
app's authorization request to the provider and back (sealed with the pool's key), the
calls out to the provider (discovery, the code exchange, its JWKS and userInfo; blocking
HTTP, so the hosted views run them through ctx.offload), the ID token's checks, and the
federated user Cognito makes of the claims: `<ProviderName>_<sub>`, EXTERNAL_PROVIDER,
the `identities` attribute and the `<poolId>_<ProviderName>` group."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from .api import Context
from .attributes import check_required, check_values
from .errors import CognitoError, InvalidParameterException
from .lookup import user_key
from .records import Group, Pool, User
from .store import Conflict

STATE_SECONDS = 300  # Cognito cancels a federated sign-in not finished in 5 minutes
_TIMEOUT = 10


class FederationError(Exception):
    """The provider's answer cannot sign anyone in: `error` and `description` go back to
    the app as OAuth's error parameters."""

    def __init__(self, description: str, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.error, self.description = error, description


# -- the state -----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_state(ctx: Context, pool_id: str, payload: dict[str, Any]) -> str:
    """`<poolId>.<payload>.<mac>`: readable by the provider, but only this pool can make one."""
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(ctx.keys.get(pool_id).mac_key, f"{pool_id}.{body}".encode(), hashlib.sha256).digest()
    return f"{pool_id}.{body}.{_b64(mac)}"


def open_state(ctx: Context, state: str) -> tuple[str, dict[str, Any]] | None:
    """The pool and payload of a state this emulator sealed and that has not expired."""
    parts = state.split(".")
    if len(parts) != 3 or ctx.store.get_pool(parts[0]) is None:
        return None
    pool_id, body, mac = parts
    want = hmac.new(ctx.keys.get(pool_id).mac_key, f"{pool_id}.{body}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(want, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(payload, dict) or float(payload.get("exp", 0)) <= ctx.now():
        return None
    return pool_id, payload


def browser_nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


# -- calls out to the provider (blocking: run them through ctx.offload) -------------------


@dataclass
class Endpoints:
    issuer: str
    authorize_url: str
    token_url: str
    jwks_uri: str
    attributes_url: str


def _http_json(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None,
               method: str | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers={
        "Accept": "application/json", **({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
        **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310 (configured URL)
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        try:
            answer = json.loads(err.read().decode("utf-8"))
        except ValueError:
            answer = {}
        raise FederationError(str(answer.get("error_description") or answer.get("error")
                                  or f"{url} answered HTTP {err.code}")) from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise FederationError(f"The identity provider could not be reached at {url}: {err}") from None
    if not isinstance(answer, dict):
        raise FederationError(f"{url} did not answer a JSON object")
    return answer


def endpoints(details: dict[str, str]) -> Endpoints:
    """The provider's endpoints: those the configuration names, the rest discovered from
    `<oidc_issuer>/.well-known/openid-configuration` (an HTTP call: offload it)."""
    issuer = details["oidc_issuer"].rstrip("/")
    keys = {"authorize_url": "authorization_endpoint", "token_url": "token_endpoint",
            "jwks_uri": "jwks_uri", "attributes_url": "userinfo_endpoint"}
    found = {k: details.get(k, "") for k in keys}
    if not all(found[k] for k in ("authorize_url", "token_url", "jwks_uri")):
        doc = _http_json(f"{issuer}/.well-known/openid-configuration")
        for key, member in keys.items():
            found[key] = found[key] or str(doc.get(member) or "")
        issuer = str(doc.get("issuer") or issuer)
    if not found["authorize_url"] or not found["token_url"] or not found["jwks_uri"]:
        raise FederationError("The identity provider's endpoints could not be discovered.")
    return Endpoints(issuer=issuer, **found)


def exchange(details: dict[str, str], where: Endpoints, code: str, redirect_uri: str, nonce: str,
             now: float) -> dict[str, Any]:
    """The code redeemed at the provider's token endpoint (client_secret_post), its ID
    token checked (JWKS signature, iss, aud, exp, nonce), and the claims merged with the
    provider's userInfo answer when it has an attributes_url."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": details["client_id"]}
    if details.get("client_secret"):
        form["client_secret"] = details["client_secret"]
    tokens = _http_json(where.token_url, form)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise FederationError("The identity provider returned no ID token.")
    claims = verify_id_token(id_token, where, details["client_id"], nonce, now)
    access = tokens.get("access_token")
    if where.attributes_url and isinstance(access, str):
        method = details.get("attributes_request_method", "GET")
        extra = _http_json(where.attributes_url, {} if method == "POST" else None,
                           {"Authorization": f"Bearer {access}"}, method=method)
        if extra.get("sub", claims["sub"]) == claims["sub"]:
            claims = {**claims, **extra}
    return claims


def verify_id_token(id_token: str, where: Endpoints, client_id: str | None, nonce: str | None,
                    now: float) -> dict[str, Any]:
    """A token the provider signed: its JWKS signature, iss, exp (on the emulator's clock),
    and `aud` (unless client_id is None: an access token's audience is the provider's
    business) and `nonce` (unless None) where they are asked for."""
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        keys = jwt.PyJWKSet.from_dict(_http_json(where.jwks_uri))
        key = next((k for k in keys.keys if k.key_id == kid), None)
        if key is None:
            raise FederationError("The ID token's signing key is not in the provider's JWKS.")
        # exp is checked against the emulator's clock below, not the machine's.
        claims: dict[str, Any] = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=client_id,
                                            issuer=where.issuer, options={
                                                "verify_exp": False, "verify_iat": False,
                                                "verify_aud": client_id is not None, "require": ["sub", "exp"]})
    except jwt.PyJWTError as err:
        raise FederationError(f"The identity provider's ID token is not valid: {err}") from None
    if float(claims["exp"]) <= now:
        raise FederationError("The identity provider's ID token has expired.")
    if nonce is not None and claims.get("nonce") not in (None, nonce):
        raise FederationError("The identity provider's ID token carries another nonce.")
    return claims


def provider_token(details: dict[str, str], token: str, kind: str, now: float) -> dict[str, Any]:
    """The claims of a token an OIDC provider issued (GetDerivedToken's subject or actor):
    an ID token must name the provider's client_id in `aud`; an access token need not
    (blocking HTTP for the provider's JWKS: call it out)."""
    return verify_id_token(token, endpoints(details), details["client_id"] if kind == "ID_TOKEN" else None,
                           None, now)


# -- the federated user ----------------------------------------------------------------------


def mapped(record: dict[str, Any], claims: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(the provider's user id, the pool attributes AttributeMapping makes of the claims)."""
    mapping = dict(record.get("AttributeMapping") or {})
    subject = claims.get(mapping.pop("username", "sub"))
    if subject in (None, ""):
        raise FederationError("The identity provider's answer has no user id for the username mapping.")
    attributes: dict[str, str] = {}
    for attribute, claim in mapping.items():
        value = claims.get(claim)
        if value is None:
            continue
        attributes[attribute] = json.dumps(value) if isinstance(value, dict | list) else (
            str(value).lower() if isinstance(value, bool) else str(value))
    return str(subject), attributes


def identities(provider: str, kind: str, subject: str, created_ms: str) -> str:
    """The `identities` attribute as Cognito writes it: a JSON string of a list."""
    return json.dumps([{"userId": subject, "providerName": provider, "providerType": kind, "issuer": None,
                        "primary": "true", "dateCreated": created_ms}], separators=(",", ":"))


def username_of(provider: str, subject: str) -> str:
    return f"{provider}_{subject}"


def group_name(pool: Pool, provider: str) -> str:
    return f"{pool.id}_{provider}"


def upsert_user(ctx: Context, pool: Pool, provider: str, kind: str, subject: str,
                attributes: dict[str, str]) -> User:
    """Create the federated user, or bring its mapped attributes up to date."""
    username = username_of(provider, subject)
    ukey = user_key(pool, username)
    now = ctx.now()
    user = ctx.store.get_user(pool.id, ukey)
    try:
        check_values(pool, attributes, creating=user is None)
        if user is None:
            check_required(pool, attributes)
    except CognitoError as err:
        raise FederationError(err.message) from None
    if user is not None:
        user.attributes.update(attributes)
        user.modified = now
        ctx.store.put_user(user, ukey)
    else:
        sub = ctx.ids.sub(pool.id, username, lambda s: ctx.store.get_user_by_sub(pool.id, s) is not None)
        attrs = {**attributes, "identities": identities(provider, kind, subject, str(int(now * 1000)))}
        user = User(pool_id=pool.id, username=username, sub=sub, status="EXTERNAL_PROVIDER", enabled=True,
                    created=now, modified=now, attributes=attrs)
        try:
            ctx.store.add_user(user, ukey)
        except Conflict:
            raise InvalidParameterException("User already exists") from None
    group = group_name(pool, provider)
    if ctx.store.get_group(pool.id, group) is None:
        try:
            ctx.store.add_group(Group(pool_id=pool.id, name=group, created=now, modified=now))
        except Conflict:
            pass
    ctx.store.add_member(pool.id, group, ukey)
    return user
