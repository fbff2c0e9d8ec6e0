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
its lock and callbacks. A job may fork() part of its work to a second worker (a
sign-in's two signatures, side by side, in one hand-off from the loop).

The threads are few (CPU-bound work gains nothing from more), but a pool grows when
they are all stuck in calls that do not come back (see STUCK_SECONDS)."""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, asyncio.Future[Any]]


class Forked(Generic[T]):
    """fn(*args), handed by a worker thread to another one (fork()) while it goes on with
    other work; join() waits for its result. Whichever thread claims it first runs it:
    join() runs it in place if no worker has taken it yet, so a worker never waits on
    a job queued behind it (no deadlock however busy the workers are)."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._fn, self._args = fn, args
        self._claim = threading.Lock()
        self._done = threading.Event()
        self._ok = False
        self._value: Any = None

    def run(self) -> None:
        if not self._claim.acquire(blocking=False):
            return  # taken by the other side
        try:
            self._value, self._ok = self._fn(*self._args), True
        except BaseException as exc:  # raised by join()
            self._value = exc
        finally:
            self._done.set()

    def join(self) -> T:
        self.run()
        self._done.wait()
        if not self._ok:
            raise self._value
        return self._value  # type: ignore[no-any-return]


def size() -> int:
    """The threads a lane starts with: CPU-bound work gains nothing from more than the CPUs."""
    return min(4, os.cpu_count() or 1)


# A job that blocks rather than computes (a trigger function, HTTP, SMTP) may never come
# back: Python cannot stop a function past its timeout, and it keeps its thread. When jobs
# wait and no thread has taken one for STUCK_SECONDS, the lane grows by a thread (up to
# MOST_THREADS), so hung functions never leave bcrypt and RSA without one. It grows only
# then: measured, a lane of 32 threads for every call out added ~0.3 ms of CPU to a
# sign-in with a trigger (sixteen at once contending for the GIL).
STUCK_SECONDS = 0.5
MOST_THREADS = 64


def _settle(fut: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if fut.cancelled():  # the caller gave up (a trigger's timeout): nobody reads it
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


class Lane:
    """A queue read by `threads` daemon threads (started on first use), and more when
    they are all stuck."""

    def __init__(self, name: str, threads: int) -> None:
        self.name, self.threads = name, threads
        self.jobs: queue.SimpleQueue[Job | Forked[Any]] = queue.SimpleQueue()
        self.last_taken = 0.0
        self._started: list[threading.Thread] = []
        self._starting = threading.Lock()

    def put(self, job: Job | Forked[Any]) -> None:
        if not self._started:
            self._start()
        self.jobs.put(job)

    def _start(self) -> None:
        with self._starting:
            if not self._started:
                for _ in range(self.threads):
                    self._add_thread()
                threading.Thread(target=self._watch, name=f"{self.name}_watch", daemon=True).start()

    def _add_thread(self) -> None:
        thread = threading.Thread(target=self._work, name=f"{self.name}_{len(self._started)}", daemon=True)
        thread.start()
        self._started.append(thread)

    def _watch(self) -> None:
        while True:
            time.sleep(STUCK_SECONDS / 2)
            stuck = self.jobs.qsize() > 0 and time.monotonic() - self.last_taken > STUCK_SECONDS
            if stuck and len(self._started) < MOST_THREADS:
                self._add_thread()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            self.last_taken = time.monotonic()
            if isinstance(job, Forked):
                job.run()
                del job
                continue
            fn, args, loop, fut = job
            try:
                value, ok = fn(*args), True
            except BaseException as exc:  # handed to the awaiting task, raised there
                value, ok = exc, False
            try:
                loop.call_soon_threadsafe(_settle, fut, ok, value)
            except RuntimeError:  # the loop closed meanwhile (a server stopping)
                pass
            del job, fn, args, loop, fut, value  # hold nothing while waiting for the next job

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self.put((fn, args, loop, fut))
        return await fut


WORKERS = Lane("crypto", size())


def fork(fn: Callable[..., T], *args: Any) -> Forked[T]:
    """From a worker thread: fn(*args) on another worker, side by side with what this
    one does next; `.join()` for its result."""
    forked = Forked(fn, args)
    WORKERS.put(forked)
    return forked


async def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on a worker thread; its result, or its exception raised here."""
    return await WORKERS.run(fn, *args)
