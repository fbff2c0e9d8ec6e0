"""PreTokenGeneration: the V1_0 event (ID token claims and groups) and the V2_0 / V3_0
event (also the access token's claims and scopes), and how an answer changes the
claims about to be signed. Claims Cognito never lets a trigger touch stay as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InvalidLambdaResponseException
from . import invoke, target
from .signup import user_attributes

if TYPE_CHECKING:
    from ..api import Context
    from ..records import Client, Pool, User

# Cognito's list (Developer Guide, pre token generation): not added, changed or removed.
FIXED = frozenset({
    "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities",
    "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
})
# And in an access token, what names its client, user and scopes (scopes change by scopesToAdd).
FIXED_ACCESS = FIXED | {"client_id", "scope", "username", "version", "event_id"}
GROUP_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")


@dataclass
class TokenChanges:
    """What a PreTokenGeneration answer asks for, per token."""

    id_set: dict[str, Any] = field(default_factory=dict)
    id_drop: list[str] = field(default_factory=list)
    access_set: dict[str, Any] = field(default_factory=dict)
    access_drop: list[str] = field(default_factory=list)
    scopes_add: list[str] = field(default_factory=list)
    scopes_drop: list[str] = field(default_factory=list)
    groups: dict[str, Any] | None = None


def group_configuration(groups: list[str], roles: list[str], preferred: str | None) -> dict[str, Any]:
    return {"groupsToOverride": groups, "iamRolesToOverride": roles, "preferredRole": preferred}


async def pre_token_generation(
    ctx: Context, pool: Pool, client: Client, user: User, source: str, group_claims: dict[str, Any],
    scopes: list[str], metadata: dict[str, str] | None, then: Callable[[TokenChanges], Any] | None = None,
) -> Any:
    """Run the pool's PreTokenGeneration, if any; None when it has none (or none ran).
    Else its TokenChanges, or with `then`, what then(changes) returned: called on the
    worker thread that ran the function, so that the tokens are signed there without
    a second hand-off."""
    found = target(ctx, pool, "PreTokenGeneration")
    if found is None:
        return None
    v2 = found.version in ("V2_0", "V3_0")
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "groupConfiguration": group_configuration(
            list(group_claims.get("cognito:groups", [])), list(group_claims.get("cognito:roles", [])),
            group_claims.get("cognito:preferred_role")),
    }
    if v2:
        request["scopes"] = scopes
    if metadata:
        request["clientMetadata"] = metadata
    def answer(response: dict[str, Any]) -> Any:
        changes = _changes(response, v2)
        return then(changes) if then is not None else changes

    return await invoke(ctx, pool, "PreTokenGeneration", source, user_name=user.username, request=request,
                        client_id=client.id, found=found, version=found.version[1], then=answer)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {what} must be an object.")
    return value


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {what} must be a list of strings.")
    return value


def _changes(response: dict[str, Any], v2: bool) -> TokenChanges:
    if not v2:
        details = _dict(response.get("claimsOverrideDetails"), "claimsOverrideDetails")
        return TokenChanges(
            id_set=_dict(details.get("claimsToAddOrOverride"), "claimsToAddOrOverride"),
            id_drop=_names(details.get("claimsToSuppress"), "claimsToSuppress"),
            groups=_dict(details.get("groupOverrideDetails"), "groupOverrideDetails") or None)
    details = _dict(response.get("claimsAndScopeOverrideDetails"), "claimsAndScopeOverrideDetails")
    id_part = _dict(details.get("idTokenGeneration"), "idTokenGeneration")
    access = _dict(details.get("accessTokenGeneration"), "accessTokenGeneration")
    return TokenChanges(
        id_set=_dict(id_part.get("claimsToAddOrOverride"), "claimsToAddOrOverride"),
        id_drop=_names(id_part.get("claimsToSuppress"), "claimsToSuppress"),
        access_set=_dict(access.get("claimsToAddOrOverride"), "claimsToAddOrOverride"),
        access_drop=_names(access.get("claimsToSuppress"), "claimsToSuppress"),
        scopes_add=_names(access.get("scopesToAdd"), "scopesToAdd"),
        scopes_drop=_names(access.get("scopesToSuppress"), "scopesToSuppress"),
        groups=_dict(details.get("groupOverrideDetails"), "groupOverrideDetails") or None)


def apply(changes: TokenChanges, access: dict[str, Any], id_claims: dict[str, Any] | None) -> None:
    """Change the claims in place, leaving Cognito's fixed ones (and `dev:` ones) alone."""
    if changes.groups is not None:
        _apply_groups(changes.groups, access, id_claims)
    if id_claims is not None:
        _edit(id_claims, changes.id_set, changes.id_drop, FIXED)
    _edit(access, changes.access_set, changes.access_drop, FIXED_ACCESS)
    if changes.scopes_add or changes.scopes_drop:
        scopes = [s for s in str(access.get("scope", "")).split() if s not in changes.scopes_drop]
        scopes += [s for s in changes.scopes_add if s not in scopes]
        access["scope"] = " ".join(scopes)


def _edit(claims: dict[str, Any], to_set: dict[str, Any], to_drop: list[str], fixed: frozenset[str]) -> None:
    for name in to_drop:
        if name not in fixed and not name.startswith("dev:"):
            claims.pop(name, None)
    for name, value in to_set.items():
        if name not in fixed and not name.startswith("dev:"):
            claims[name] = value


def _apply_groups(groups: dict[str, Any], access: dict[str, Any], id_claims: dict[str, Any] | None) -> None:
    """groupOverrideDetails replaces the groups in both tokens and the roles in the ID token."""
    names = _names(groups.get("groupsToOverride"), "groupsToOverride")
    roles = _names(groups.get("iamRolesToOverride"), "iamRolesToOverride")
    preferred = groups.get("preferredRole")
    for claims in (access, id_claims):
        if claims is None:
            continue
        claims.pop("cognito:groups", None)
        if names:
            claims["cognito:groups"] = names
    if id_claims is not None:
        id_claims.pop("cognito:roles", None)
        id_claims.pop("cognito:preferred_role", None)
        if roles:
            id_claims["cognito:roles"] = roles
        if isinstance(preferred, str) and preferred:
            id_claims["cognito:preferred_role"] = preferred
