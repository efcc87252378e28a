"""The worker's process pool: CPU work (decode, resize, inference) runs there, off the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import structlog

from photonix.errors import TransientError

T = TypeVar("T")

log = structlog.get_logger()


def new_pool(processes: int) -> ProcessPoolExecutor:
    # spawn, not fork: the worker has threads (aiosqlite, redis) that a fork would copy mid-lock.
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))


class WorkerPool:
    """`processes` slots, each a one-process executor running one call at a time.

    A slot of its own per call is what lets us stop one call: when its step gives up waiting (timed
    out, worker stopping) while the process is still busy, maybe stuck for good in a hung decoder, that
    one process is killed and its slot gets a fresh one. The calls in the other slots go on untouched.
    One object per worker, shared by every job (ARQ gives each job a copy of the context dict)."""

    def __init__(self, processes: int) -> None:
        self._slots = [new_pool(1) for _ in range(processes)]     # each spawns its process when first used
        self._idle = list(range(processes))
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run a module-level pure function in a free slot; a crashed process is a transient error."""
        slot = await self._acquire()
        try:
            executor = self._slots[slot]
            future = executor.submit(function, *args)
            try:
                return await asyncio.wrap_future(future)
            except asyncio.CancelledError:
                if future.running():             # the process is still at it: it may never come back
                    self._kill(slot, executor)
                raise
            except BrokenProcessPool as exc:
                # The process died (out of memory, a native crash): a fresh one for the slot; the step
                # retries.
                self._renew(slot, executor)
                raise TransientError(f"a processing process crashed ({exc}); retrying") from exc
        finally:
            self._release(slot)

    async def _acquire(self) -> int:
        while not self._idle:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()             # woken and cancelled at once: hand the wake-up on
                raise
            finally:
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
        return self._idle.pop()

    def _release(self, slot: int) -> None:
        self._idle.append(slot)
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _renew(self, slot: int, executor: ProcessPoolExecutor) -> None:
        if self._slots[slot] is executor:
            self._slots[slot] = new_pool(1)
        executor.shutdown(wait=False, cancel_futures=True)

    def _kill(self, slot: int, executor: ProcessPoolExecutor) -> None:
        # The executor keeps its process in a private map: it has no public way to stop a busy one.
        processes = list(executor._processes.values())
        for process in processes:
            process.kill()
        log.warning("pool_process_killed", pids=[process.pid for process in processes])
        self._renew(slot, executor)

    def shutdown(self) -> None:
        """Let each slot finish what it runs (a stuck call was killed when its step gave up)."""
        for executor in self._slots:
            executor.shutdown(wait=True, cancel_futures=True)


async def in_pool(ctx: dict[str, Any], function: Callable[..., T], *args: Any) -> T:
    """Run a module-level pure function in the worker's pool (see WorkerPool)."""
    pool: WorkerPool = ctx["pool"]
    return await pool.run(function, *args)
