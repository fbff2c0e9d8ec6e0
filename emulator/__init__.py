"""A local Amazon Cognito User Pools emulator speaking Cognito's wire protocols."""

from __future__ import annotations

__version__ = "0.1.0"
