"""Worker threads (emulator/offload.py): results and exceptions come back to the awaiting
task, and a job that forks part of its work to a second worker gets it back even when
every worker is busy with such jobs (the joining thread runs it itself)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from emulator import offload


def test_a_jobs_result_and_its_exception_come_back_to_the_awaiting_task() -> None:
    async def scenario() -> None:
        assert await offload.run(sum, [1, 2, 3]) == 6
        with pytest.raises(ZeroDivisionError):
            await offload.run(divmod, 1, 0)
    asyncio.run(scenario())


def test_forked_work_comes_back_even_when_every_worker_is_busy_forking() -> None:
    """As many jobs as there are workers, all started together (none can finish before
    all have forked): each one's fork is queued behind the others and can only be done by
    the thread that joins it."""
    started = threading.Barrier(offload.size(), timeout=10)

    def job(k: int) -> tuple[int, str]:
        started.wait()
        forked = offload.fork(lambda: threading.current_thread().name)
        return k, forked.join()

    def failing() -> None:
        forked = offload.fork(divmod, 1, 0)
        forked.join()

    async def scenario() -> None:
        results = await asyncio.wait_for(asyncio.gather(*(offload.run(job, k) for k in range(offload.size()))), 20)
        assert sorted(k for k, _ in results) == list(range(offload.size()))
        with pytest.raises(ZeroDivisionError):
            await offload.run(failing)
    asyncio.run(scenario())
