"""Which auth flows a client allows: Cognito's ALLOW_* names, the legacy names they
replaced, and the default set when a client names none."""

from __future__ import annotations

from .records import Client

LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
DEFAULT_FLOWS = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}


def allowed_flows(client: Client) -> set[str]:
    """The ALLOW_* flows in force; legacy names map over and keep SRP and refresh on."""
    flows = client.config.get("ExplicitAuthFlows")
    if not flows:
        return set(DEFAULT_FLOWS)
    if any(f in LEGACY_FLOWS for f in flows):
        return {LEGACY_FLOWS[f] for f in flows} | {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    return set(flows)
