"""Worker threads for CPU-bound work that releases the GIL (bcrypt, RSA signatures).

Handlers run on the event loop's thread (measured: running whole calls on threads costs
more in hand-offs, GIL contention and per-thread SQLite caches than it gains). Only
work with no store access is sent here, through `ctx.offload` (runner.py), between a
call's units of work: bcrypt hashes and checks, RS256 signatures, SMTP delivery."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_workers: ThreadPoolExecutor | None = None


def workers() -> ThreadPoolExecutor:
    global _workers
    if _workers is None:
        _workers = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="crypto")
    return _workers


async def run(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(workers(), fn, *args)
