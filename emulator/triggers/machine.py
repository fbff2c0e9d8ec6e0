"""PreTokenGeneration for machine-to-machine tokens (TokenGeneration_ClientCredentials):
only a V3_0 function runs for them. Its event names no user (no `userName`, empty
`userAttributes` and groups) and carries the granted scopes and the call's metadata;
only its access-token answer counts, and the claims Cognito fixes stay unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import invoke, target
from .pretoken import TokenChanges, _changes, group_configuration

if TYPE_CHECKING:
    from ..api import Context
    from ..records import Client, Pool

SOURCE = "TokenGeneration_ClientCredentials"


async def client_credentials(ctx: Context, pool: Pool, client: Client, scopes: list[str],
                             metadata: dict[str, str] | None) -> TokenChanges | None:
    """The changes the pool's V3_0 function asks for; None when it has none (V1_0 and V2_0
    functions are not invoked for machine tokens, as in Cognito)."""
    found = target(ctx, pool, "PreTokenGeneration")
    if found is None or found.version != "V3_0":
        return None
    request: dict[str, Any] = {"userAttributes": {}, "groupConfiguration": group_configuration([], [], None),
                               "scopes": list(scopes)}
    if metadata:
        request["clientMetadata"] = dict(metadata)
    response = await invoke(ctx, pool, "PreTokenGeneration", SOURCE, user_name=None, request=request,
                            client_id=client.id, found=found, version="3")
    changes = _changes(response or {}, True)
    # No ID token, and no user whose groups could be overridden.
    changes.id_set, changes.id_drop, changes.groups = {}, [], None
    return changes
