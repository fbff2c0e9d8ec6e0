"""Every action handler, grouped by family; importing this registers them all."""

from __future__ import annotations

from . import (  # noqa: F401
    auth,
    branding,
    client_secrets,
    clients,
    derived,
    devices,
    domains,
    factors,
    groups,
    identity_providers,
    import_jobs,
    log_delivery,
    mfa,
    pools,
    recovery,
    resource_servers,
    risk,
    sessions,
    users_admin,
    users_self,
)
