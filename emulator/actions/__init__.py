"""Every action handler, grouped by family; importing this registers them all."""

from __future__ import annotations

from . import (  # noqa: F401
    auth,
    branding,
    clients,
    derived,
    devices,
    domains,
    factors,
    groups,
    identity_providers,
    import_jobs,
    mfa,
    pools,
    recovery,
    resource_servers,
    sessions,
    users_admin,
    users_self,
)
