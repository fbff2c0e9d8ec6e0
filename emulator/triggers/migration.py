"""UserMigration: a sign-in or password reset for a username the pool does not know asks
the pool's function, which may answer with the user's attributes (from an old system);
the user is then created, with the password just proven on a sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..accounts import create_user
from ..errors import InvalidLambdaResponseException
from ..lookup import find_user
from ..passwords import prepare
from . import invoke

if TYPE_CHECKING:
    from ..api import Context
    from ..records import Client, Pool, User

STATUSES = ("CONFIRMED", "RESET_REQUIRED")
# What a function cannot set: the emulator makes the sub, and Cognito keeps its own status.
NOT_SETTABLE = {"sub", "username", "cognito:user_status", "cognito:mfa_enabled"}


async def migrate(ctx: Context, pool: Pool, client: Client, username: str, password: str | None,
                  metadata: dict[str, str]) -> User | None:
    """The migrated user (UserMigration_Authentication with a password,
    UserMigration_ForgotPassword without), or None when no function answers for it."""
    source = "UserMigration_Authentication" if password is not None else "UserMigration_ForgotPassword"
    request: dict[str, Any] = {"validationData": dict(metadata), "clientMetadata": dict(metadata)}
    if password is not None:
        request["password"] = password
    response = await invoke(ctx, pool, "UserMigration", source, user_name=username, request=request,
                            client_id=client.id)
    if response is None:
        return None
    attributes, status = _answer(response, password is not None)
    hashed = await prepare(ctx, password) if password is not None else None
    existing = find_user(ctx, pool, username)  # read again after the awaits
    if existing is not None:
        return existing
    return create_user(ctx, pool, username, attributes, password=hashed, status=status, enforce_policy=False)


def _answer(response: dict[str, Any], signing_in: bool) -> tuple[dict[str, str], str]:
    attributes = response.get("userAttributes")
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise InvalidLambdaResponseException("Invalid lambda response: userAttributes must map names to strings.")
    status = response.get("finalUserStatus") or ("CONFIRMED" if signing_in else "RESET_REQUIRED")
    if status not in STATUSES:
        raise InvalidLambdaResponseException(f"Invalid lambda response: finalUserStatus {status!r}.")
    if not signing_in:
        status = "RESET_REQUIRED"  # a password reset has no password to keep
    return {k: v for k, v in attributes.items() if k not in NOT_SETTABLE}, status
