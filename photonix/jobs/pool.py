"""The worker's process pool: CPU work (decode, resize, inference) runs there, off the event loop."""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

import structlog

from photonix.config import Settings
from photonix.errors import TooLargeToDecode, TransientError
from photonix.media.budget import DEFAULT_DECODE_BUDGET_MB, set_decode_budget

T = TypeVar("T")
MIB = 1024 * 1024
PR_SET_PDEATHSIG = 1                     # from <linux/prctl.h>

log = structlog.get_logger()


def new_pool(processes: int, memory_mb: int = 0, decode_budget_mb: int = DEFAULT_DECODE_BUDGET_MB
             ) -> ProcessPoolExecutor:
    """A pool of spawned processes, each capped at memory_mb of address space (0: no cap)."""
    # spawn, not fork: the worker has threads (aiosqlite, redis) that a fork would copy mid-lock.
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_pool_process,
                               initargs=(memory_mb, decode_budget_mb, os.getpid()))


def pool_for(settings: Settings) -> WorkerPool:
    """The pool a worker with these settings uses."""
    return WorkerPool(settings.pool_processes, settings.worker_memory_mb, settings.decode_budget_mb)


def start_pool_process(memory_mb: int, decode_budget_mb: int, worker_pid: int) -> None:
    """Pool process start-up: die with the worker, ignore Ctrl-C, and cap the memory."""
    # Ctrl-C in a terminal reaches the whole process group: the worker stops its pool itself, and a
    # KeyboardInterrupt here only printed a traceback per pool process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(worker_pid)
    limit_memory(memory_mb, decode_budget_mb)


def die_with(worker_pid: int) -> None:
    """Linux: the kernel kills this process when the worker that started it dies (kill -9, the OOM
    killer), so no orphaned pool process keeps a decoder's memory, or a model's, after its worker."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:       # the worker died before the line above took effect
        os._exit(1)


def limit_memory(memory_mb: int, decode_budget_mb: int) -> None:
    """Pool process start-up: cap its address space, so one image cannot take the machine's memory.

    Past the cap an allocation fails with MemoryError instead of waking the kernel's OOM killer."""
    set_decode_budget(decode_budget_mb)
    if memory_mb:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_mb * MIB if hard == resource.RLIM_INFINITY else min(memory_mb * MIB, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class WorkerPool:
    """`processes` slots, each a one-process executor running one call at a time.

    A slot of its own per call is what lets us stop one call: when its step gives up waiting (timed
    out, worker stopping) while the process is still busy, maybe stuck for good in a hung decoder, that
    one process is killed and its slot gets a fresh one. The calls in the other slots go on untouched.
    One object per worker, shared by every job (ARQ gives each job a copy of the context dict)."""

    def __init__(self, processes: int, memory_mb: int = 0,
                 decode_budget_mb: int = DEFAULT_DECODE_BUDGET_MB) -> None:
        self.memory_mb = memory_mb
        self._new_slot = partial(new_pool, 1, memory_mb, decode_budget_mb)
        self._slots = [self._new_slot() for _ in range(processes)]  # each spawns its process when first used
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
            except MemoryError as exc:
                # Past PHOTONIX_WORKER_MEMORY_MB (a decoder or numpy could not allocate): retrying cannot
                # help.
                raise TooLargeToDecode(f"ran out of memory processing this photo (each processing process "
                                       f"may use {self.memory_mb} MB, PHOTONIX_WORKER_MEMORY_MB)") from exc
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
            self._slots[slot] = self._new_slot()
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
