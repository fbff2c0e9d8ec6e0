"""A user pool's third-party identity providers (federation): their records, kept in the
pool's config under "_IdentityProviders" (a "_" key, so never described with the pool),
the per-type ProviderDetails rules and the fixed endpoints Cognito fills in for the social
providers, as the ProviderDetails documentation in botocore's model lists them."""

from __future__ import annotations

import copy
from typing import Any

from .attributes import schema_of
from .errors import DuplicateProviderException, InvalidParameterException
from .records import Pool

KEY = "_IdentityProviders"
SOCIAL = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
# Keys a create request must carry, per type (Cognito's console asks for these; the API
# reference gives no per-key messages, so the wording below is the emulator's).
REQUIRED = {
    "OIDC": ("client_id", "authorize_scopes", "oidc_issuer"),
    "Google": ("client_id", "client_secret", "authorize_scopes"),
    "Facebook": ("client_id", "client_secret", "authorize_scopes"),
    "LoginWithAmazon": ("client_id", "client_secret", "authorize_scopes"),
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "SAML": (),
}
# The IdP claim Cognito maps to `username` when the mapping leaves it out.
USERNAME_CLAIM = {"OIDC": "sub", "Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id",
                  "SignInWithApple": "sub"}
# Keys a request may send but Describe never shows.
WRITE_ONLY = {"SignInWithApple": ("private_key",)}


def _fixed(kind: str, details: dict[str, str]) -> dict[str, str]:
    """What Describe shows beside the request's keys for the social providers."""
    if kind == "Google":
        return {"attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
                "attributes_url_add_attributes": "true",
                "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
                "oidc_issuer": "https://accounts.google.com", "token_request_method": "POST",
                "token_url": "https://www.googleapis.com/oauth2/v4/token"}
    if kind == "Facebook":
        version = details.get("api_version") or "v17.0"
        return {"api_version": version, "attributes_url": f"https://graph.facebook.com/{version}/me?fields=",
                "attributes_url_add_attributes": "true",
                "authorize_url": f"https://www.facebook.com/{version}/dialog/oauth",
                "token_request_method": "GET", "token_url": f"https://graph.facebook.com/{version}/oauth/access_token"}
    if kind == "LoginWithAmazon":
        return {"attributes_url": "https://api.amazon.com/user/profile", "attributes_url_add_attributes": "false",
                "authorize_url": "https://www.amazon.com/ap/oa", "token_request_method": "POST",
                "token_url": "https://api.amazon.com/auth/o2/token"}
    if kind == "SignInWithApple":
        return {"attributes_url_add_attributes": "false", "authorize_url": "https://appleid.apple.com/auth/authorize",
                "oidc_issuer": "https://appleid.apple.com", "token_request_method": "POST",
                "token_url": "https://appleid.apple.com/auth/token"}
    if kind == "OIDC":
        return {"attributes_url_add_attributes": "false", "attributes_request_method": "GET"}
    return {}


def all_of(pool: Pool) -> dict[str, dict[str, Any]]:
    """name -> record (ProviderType, ProviderDetails, AttributeMapping, IdpIdentifiers, dates)."""
    return dict(pool.config.get(KEY) or {})


def get(pool: Pool, name: str) -> dict[str, Any] | None:
    return all_of(pool).get(name)


def by_identifier(pool: Pool, identifier: str) -> tuple[str, dict[str, Any]] | None:
    for name, record in all_of(pool).items():
        if identifier in record.get("IdpIdentifiers", []):
            return name, record
    return None


def save(pool: Pool, name: str, record: dict[str, Any] | None) -> None:
    providers = all_of(pool)
    if record is None:
        providers.pop(name, None)
    else:
        providers[name] = record
    pool.config[KEY] = providers


def details_for(kind: str, given: dict[str, str], old: dict[str, str] | None = None) -> dict[str, str]:
    """The stored ProviderDetails: the request's keys over the old ones, checked for the
    type, with Cognito's fixed endpoints filled in."""
    details = {**(old or {}), **given}
    missing = [k for k in REQUIRED[kind] if not details.get(k)]
    if missing:
        raise InvalidParameterException(f"{missing[0]} is required for a {kind} identity provider.")
    if kind == "SAML" and not (details.get("MetadataURL") or details.get("MetadataFile")):
        raise InvalidParameterException("MetadataURL or MetadataFile is required for a SAML identity provider.")
    method = details.get("attributes_request_method")
    if kind == "OIDC" and method not in (None, "GET", "POST"):
        raise InvalidParameterException("attributes_request_method must be GET or POST.")
    return {**_fixed(kind, details), **details}


def mapping_for(pool: Pool, kind: str, given: dict[str, str]) -> dict[str, str]:
    """AttributeMapping: pool attributes (and `username`) to IdP claims."""
    schema = schema_of(pool)
    for name in given:
        if name != "username" and name not in schema:
            raise InvalidParameterException(
                f"Invalid attribute mapping: {name} is not an attribute of user pool {pool.id}.")
    mapping = dict(given)
    if kind in USERNAME_CLAIM:
        mapping.setdefault("username", USERNAME_CLAIM[kind])
    return mapping


def check_identifiers(pool: Pool, name: str, identifiers: list[str], *, updating: bool = False) -> None:
    """IdpIdentifiers are unique in a pool. UpdateIdentityProvider lists no
    DuplicateProviderException in botocore's model, so an update is refused as invalid."""
    error = InvalidParameterException if updating else DuplicateProviderException
    if len(set(identifiers)) != len(identifiers):
        raise error("Duplicate identifiers in the request.")
    for other, record in all_of(pool).items():
        taken = set(record.get("IdpIdentifiers", [])) & set(identifiers)
        if other != name and taken:
            raise error(f"Identifier {sorted(taken)[0]} is already used by provider {other}.")


def to_wire(pool_id: str, name: str, record: dict[str, Any]) -> dict[str, Any]:
    kind = record["ProviderType"]
    hidden = WRITE_ONLY.get(kind, ())
    return {
        "UserPoolId": pool_id, "ProviderName": name, "ProviderType": kind,
        "ProviderDetails": {k: v for k, v in sorted(record["ProviderDetails"].items()) if k not in hidden},
        "AttributeMapping": copy.deepcopy(record.get("AttributeMapping", {})),
        "IdpIdentifiers": list(record.get("IdpIdentifiers", [])),
        "LastModifiedDate": record["LastModifiedDate"], "CreationDate": record["CreationDate"],
    }
