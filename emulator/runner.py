"""The call runner: the one way an action (or a hosted-UI view, a seed entry, a control
call) runs against the store, whatever edge it came through.

A call runs as units of work on the event loop's thread. The runner opens the first
unit, runs the handler (plain or `async`), and closes the last unit when it returns:
kept when it succeeds or raises a Cognito error (a business outcome: failed-attempt
counters and spent challenges stand), rolled back otherwise. Slow or blocking work —
bcrypt, RSA signatures, SMTP, Lambda triggers, outbound HTTP — is awaited through
`ctx.offload(fn, ...)`, which closes the open unit first and opens a fresh one after:
a unit never spans an await, so the calls the loop interleaves never see each other's
half-done work, and nothing is ever run twice. What a handler read before an offload
may have changed by the time it resumes: it reads again before it writes on it.

Units are grouped (sqlconn.py): the calls ready in one turn of the loop share one
transaction and one fsync. A call is answered only after every group its units wrote
into (or read from) has committed; if one fails, the call fails with InternalError and
its after-commit steps (work outside the store that must follow a durable write, such
as removing a deleted pool's key or sending an email) are dropped.

The seed loader runs calls `inline`: inside its own all-or-nothing transaction, with
offloaded work done in place, so the handler's coroutine finishes without suspending.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast

from . import offload
from .api import AfterCommit, Context
from .errors import CognitoError, InternalErrorException
from .sqlconn import CommitGroup
from .store import Store

log = logging.getLogger("emulator.runner")

T = TypeVar("T")
A = TypeVar("A")


class Passage:
    """One call's way through the store: its open unit, and the groups it waits for."""

    def __init__(self, store: Store, inline: bool = False) -> None:
        self.store = store
        self.inline = inline
        self.groups: list[CommitGroup] = []
        self.open = False

    def begin(self) -> None:
        if not self.inline:
            self.store.start_unit(grouped=True)
            self.open = True

    def end(self, keep: bool) -> None:
        if not self.open:
            return
        self.open = False
        try:
            self.store.end_unit(keep)
        finally:
            group = self.store.open_group()
            if group is not None and group not in self.groups:
                self.groups.append(group)
                if not group.scheduled:
                    # Committed on the loop's next turn, so that the calls ready along
                    # with this one write into it first and one fsync covers them all.
                    group.scheduled = True
                    asyncio.get_running_loop().call_soon(self.store.flush_group)

    async def offload(self, *calls: tuple[Any, ...]) -> list[Any]:
        """Each (fn, *args) on a worker thread, side by side, with no unit open meanwhile.
        The unit reopens in this task, right before the handler goes on: nothing else
        on the loop runs in between."""
        if self.inline:
            return [fn(*args) for fn, *args in calls]
        self.end(keep=True)
        try:
            if len(calls) == 1:
                fn, *args = calls[0]
                return [await offload.run(fn, *args)]
            return list(await asyncio.gather(*(offload.run(fn, *args) for fn, *args in calls)))
        finally:
            self.begin()

    async def committed(self) -> BaseException | None:
        """Wait for every group this call went into; the first commit error, if any."""
        for group in self.groups:
            if not group.settled:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

                def wake(_: CommitGroup, done: asyncio.Future[None] = done) -> None:
                    if not done.done():
                        done.set_result(None)

                group.on_settled(wake)
                await done
        return next((g.error for g in self.groups if g.error is not None), None)


async def run(ctx: Context, fn: Callable[[Context, A], T | Awaitable[T]], arg: A) -> T:
    """Run `fn(ctx, arg)` as the call's units of work; answer only once they are durable.

    Raises what the handler raised (a CognitoError after its writes were kept), or
    InternalErrorException when the commit of the call's writes failed."""
    passage = Passage(ctx.store)
    ctx.passage = passage
    error: CognitoError | None = None
    passage.begin()
    try:
        outcome = fn(ctx, arg)
        result = cast(T, await outcome if inspect.isawaitable(outcome) else outcome)
        while ctx.finishing:
            await ctx.finishing.pop(0)()
    except CognitoError as err:
        passage.end(keep=True)
        error = err
    except BaseException:
        passage.end(keep=False)
        ctx.after_commit.clear()  # rolled back: nothing to follow up
        raise
    else:
        passage.end(keep=True)
    failed = await passage.committed()
    if failed is not None:
        log.error("commit failed under %s: %s", ctx.action or "?", failed)
        raise InternalErrorException("The emulator could not save this call's changes.")
    await _after_commit(ctx)
    if error is not None:
        raise error
    return result


def run_inline(ctx: Context, fn: Callable[[Context, A], T | Awaitable[T]], arg: A) -> T:
    """Run `fn(ctx, arg)` inside the caller's open transaction (the seed loader's), with
    offloaded work done in place: the handler finishes without ever suspending."""
    ctx.passage = Passage(ctx.store, inline=True)
    outcome = fn(ctx, arg)
    return cast(T, finish(outcome) if inspect.iscoroutine(outcome) else outcome)


def finish(coro: Coroutine[Any, Any, T]) -> T:
    """The value of a coroutine that never suspends (an inline call's)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return cast(T, stop.value)
    coro.close()
    raise RuntimeError("an inline call tried to suspend")


async def _after_commit(ctx: Context) -> None:
    steps: list[AfterCommit] = list(ctx.after_commit)
    ctx.after_commit.clear()
    for step in steps:
        try:
            done = step()
            if inspect.isawaitable(done):
                await done
        except Exception:  # the writes stand; what is left behind is logged
            log.exception("after-commit step failed in %s", ctx.action or "?")
