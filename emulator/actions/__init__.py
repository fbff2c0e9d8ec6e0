"""Every action handler, grouped by family; importing this registers them all."""

from __future__ import annotations

from . import auth, clients, groups, mfa, pools, recovery, users_admin, users_self  # noqa: F401
