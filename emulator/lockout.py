"""Cognito's lockout after failed sign-in attempts.

As the Developer Guide describes it ("Lockout behavior for failed sign-in attempts";
for MFA codes, "Adding MFA to a user pool"): five failures are free; the n-th failure
locks the user out for 2^(n-5) seconds, up to about 15 minutes. A check asked for while
locked out is refused with "Password attempts exceeded" before anything is checked, and
neither counts nor extends the lockout. A finished sign-in, or 15 minutes without a
failure, starts the count over.

Wrong passwords and wrong one-time codes count together, per user; where a client
hides unknown users (PreventUserExistenceErrors), per unknown name too, so that a
lockout tells no one whether a name exists. A counter is written only when a check
fails or a sign-in finishes with failures counted, never by a sign-in without any.
A failure is written once its password check has answered (on a worker thread, between
units of work: see proven()), in the unit that raises the Cognito error, whose writes
the call runner keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from . import passwords
from .api import Context
from .errors import NotAuthorizedException
from .lookup import user_key
from .records import Pool, User

FREE_FAILURES = 5
LONGEST = 15 * 60  # the longest lockout, in seconds
QUIET = 15 * 60  # this long without a failure starts the count over
LOCKED = "Password attempts exceeded"


def key_of(pool: Pool, user: User) -> str:
    return user_key(pool, user.username)


def locked_until(failures: int, last_failure: float) -> float:
    if failures < FREE_FAILURES:
        return 0.0
    return last_failure + min(2.0 ** min(failures - FREE_FAILURES, 20), LONGEST)


def guard(ctx: Context, pool: Pool, key: str) -> None:
    """Refuse a check while `key` is locked out (it ends before QUIET has passed)."""
    state = ctx.store.get_lockout(pool.id, key)
    if state is not None and ctx.now() < locked_until(*state):
        raise NotAuthorizedException(LOCKED)


def failed(ctx: Context, pool: Pool, key: str) -> None:
    ctx.store.add_failure(pool.id, key, ctx.now(), QUIET)


def succeeded(ctx: Context, pool: Pool, user: User) -> None:
    """A finished sign-in: the count starts over (a read, and a write only if one was kept)."""
    key = key_of(pool, user)
    if ctx.store.get_lockout(pool.id, key) is not None:
        ctx.store.clear_lockout(pool.id, key)


async def proven(ctx: Context, pool: Pool, password: str, lookup: Callable[[], User]) -> User:
    """The user `lookup()` finds, once `password` is proven against its hash; refused
    while locked out, and counted when wrong.

    bcrypt runs on a worker thread between units of work (ctx.offload), so the user is
    read again afterwards: a password changed meanwhile is checked again, and a lockout
    that other attempts set meanwhile refuses this one too."""
    user = lookup()
    key = key_of(pool, user)
    guard(ctx, pool, key)
    for _ in range(3):
        hashed = user.password_hash
        ok = bool(hashed) and await ctx.offload(passwords.check, password, hashed)
        user = lookup()
        if user.password_hash == hashed:
            break
    else:
        ok = False  # it keeps changing under us
    guard(ctx, pool, key)
    if not ok:
        failed(ctx, pool, key)
        raise NotAuthorizedException("Incorrect username or password.")
    return user


def refuse_unknown(ctx: Context, pool: Pool, name: str) -> NoReturn:
    """A password for a name no user has, where the client hides unknown users: refused
    as a real user's wrong one would be, lockout included."""
    key = user_key(pool, name)
    guard(ctx, pool, key)
    failed(ctx, pool, key)
    raise NotAuthorizedException("Incorrect username or password.")
