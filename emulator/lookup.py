"""Finding pools, clients and users the way Cognito does, with Cognito's errors; and
the client-secret checks every call that names a client goes through."""

from __future__ import annotations

from .api import Context
from .errors import NotAuthorizedException, ResourceNotFoundException, UserNotFoundException
from .records import Client, Pool, User


def pool_region(pool_id: str) -> str:
    return pool_id.split("_", 1)[0]


def require_pool(ctx: Context, pool_id: str) -> Pool:
    """The pool, if it exists in the region of a signed call (Cognito's regions are apart)."""
    pool = ctx.store.get_pool(pool_id)
    if pool is None or ctx.signed_region not in (None, pool_region(pool_id)):
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def require_client(ctx: Context, client_id: str, pool_id: str | None = None) -> Client:
    client = ctx.store.get_client(client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def user_key(pool: Pool, username: str) -> str:
    return username if pool.case_sensitive else username.lower()


def sign_in_attributes(pool: Pool) -> list[tuple[str, bool]]:
    """(attribute, must be verified) for each attribute that signs a user in besides
    the username: UsernameAttributes always, email/phone aliases only when verified."""
    out = [(a, False) for a in pool.config.get("UsernameAttributes") or []]
    out += [(a, a != "preferred_username") for a in pool.config.get("AliasAttributes") or []]
    return out


def find_user(ctx: Context, pool: Pool, name: str) -> User | None:
    """By username, or by any attribute the pool signs users in with, as Cognito does."""
    user = ctx.store.get_user(pool.id, user_key(pool, name))
    if user is not None:
        return user
    for attribute, verified in sign_in_attributes(pool):
        for candidate in ctx.store.find_users_by(pool.id, attribute, name):
            if not verified or candidate.attributes.get(f"{attribute}_verified") == "true":
                return candidate
    return None


def require_user(ctx: Context, pool: Pool, username: str) -> User:
    user = find_user(ctx, pool, username)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


def check_secret_hash(client: Client, username: str, given: str | None, *alternatives: str) -> None:
    """Clients with a secret must send SECRET_HASH over the username (or, after an alias
    sign-in, the real username)."""
    if not client.secret:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    if client.accepts_secret_hash(given, username, *alternatives):
        return
    raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def client_secret_matches(client: Client, given: str | None) -> bool:
    """RevokeToken and friends take the raw secret; a client without one needs none."""
    return client.accepts_secret(given)
