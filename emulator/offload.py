"""Worker threads for CPU-bound work that releases the GIL (bcrypt, RSA signatures) and
for blocking calls (SMTP, trigger functions).

Handlers run on the event loop's thread (measured: running whole calls on threads costs
more in hand-offs, GIL contention and per-thread SQLite caches than it gains). Only
work with no store access is sent here, through `ctx.offload` (runner.py), between a
call's units of work: bcrypt hashes and checks, RS256 signatures, SMTP delivery,
trigger functions.

The hand-off is a queue read by a few threads, answered through the loop's
`call_soon_threadsafe`: measured, about half the CPU of `run_in_executor` (~50 against
~100 µs a hop on this 2-CPU VM), which wraps each job in a concurrent.futures.Future with
its lock and callbacks. A sign-in makes three or four hops."""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, asyncio.Future[Any]]

_jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
_threads: list[threading.Thread] = []
_starting = threading.Lock()


def size() -> int:
    return min(4, os.cpu_count() or 1)


def _settle(fut: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if fut.cancelled():  # the caller gave up (a trigger's timeout): nobody reads it
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


def _work() -> None:
    while True:
        fn, args, loop, fut = _jobs.get()
        try:
            value, ok = fn(*args), True
        except BaseException as exc:  # handed to the awaiting task, raised there
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(_settle, fut, ok, value)
        except RuntimeError:  # the loop closed meanwhile (a server stopping)
            pass
        del fn, args, loop, fut, value  # hold nothing while waiting for the next job


def _start() -> None:
    with _starting:
        if not _threads:
            for k in range(size()):
                thread = threading.Thread(target=_work, name=f"crypto_{k}", daemon=True)
                thread.start()
                _threads.append(thread)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on a worker thread; its result, or its exception raised here."""
    if not _threads:
        _start()
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()
    _jobs.put((fn, args, loop, fut))
    return await fut
