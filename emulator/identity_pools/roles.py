"""Which IAM role an identity's credentials are for: the pool's default roles, or a
role mapping for the provider the identity signed in with (Token: the ID token's
cognito:preferred_role / cognito:roles; Rules: the first rule its claims match), with
AmbiguousRoleResolution deciding when the mapping finds none."""

from __future__ import annotations

from typing import Any

from ..errors import (
    InvalidIdentityPoolConfigurationException,
    InvalidParameterException,
    NotAuthorizedException,
)
from ..store_identity import IdentityPool


def unauthenticated_role(pool: IdentityPool) -> str:
    role = pool.config.get("_Roles", {}).get("unauthenticated")
    if not role:
        raise InvalidIdentityPoolConfigurationException(
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
    return str(role)


def authenticated_role(pool: IdentityPool, mapping_key: str | None, claims: dict[str, Any] | None,
                       custom: str | None) -> str:
    """The role for a signed-in identity. `mapping_key`: `<provider>:<client id>`, as
    RoleMappings names a user pool app client; `claims`: the ID token's."""
    claims = claims or {}
    mapping = pool.config.get("_RoleMappings", {}).get(mapping_key or "")
    if mapping is not None:
        found = _token_role(claims, custom) if mapping["Type"] == "Token" else _rules_role(mapping, claims)
        if found:
            return found
        if mapping.get("AmbiguousRoleResolution") == "Deny":
            raise NotAuthorizedException("Unable to determine a role for this identity: the role mapping denies it.")
    elif custom:
        if custom in _listed_roles(claims):
            return custom
        raise InvalidParameterException("CustomRoleArn is not one of the roles the token allows.")
    role = pool.config.get("_Roles", {}).get("authenticated")
    if not role:
        raise InvalidIdentityPoolConfigurationException(
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
    return str(role)


def _listed_roles(claims: dict[str, Any]) -> list[str]:
    roles = claims.get("cognito:roles") or []
    return [str(r) for r in roles] if isinstance(roles, list) else [str(roles)]


def _token_role(claims: dict[str, Any], custom: str | None) -> str | None:
    roles = _listed_roles(claims)
    if custom:
        return custom if custom in roles else None
    preferred = claims.get("cognito:preferred_role")
    if isinstance(preferred, str) and preferred:
        return preferred
    return roles[0] if len(roles) == 1 else None


def _rules_role(mapping: dict[str, Any], claims: dict[str, Any]) -> str | None:
    for rule in (mapping.get("RulesConfiguration") or {}).get("Rules", []):
        if _matches(claims.get(rule["Claim"]), rule["MatchType"], rule["Value"]):
            return str(rule["RoleARN"])
    return None


def _matches(value: Any, how: str, wanted: str) -> bool:
    """A claim against a rule; a list claim (cognito:groups) matches by its members."""
    values = [str(v) for v in value] if isinstance(value, list) else ([] if value is None else [str(value)])
    if how == "Equals":
        return wanted in values
    if how == "NotEqual":
        return bool(values) and wanted not in values
    if how == "Contains":
        return any(wanted in v for v in values)
    return any(v.startswith(wanted) for v in values)  # StartsWith
