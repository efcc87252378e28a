"""The worker's process pool: CPU work (decode, resize, inference) runs there, off the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from photonix.config import Settings
from photonix.errors import TooLargeToDecode, TransientError
from photonix.media.budget import DEFAULT_DECODE_BUDGET_MB, set_decode_budget

T = TypeVar("T")
MIB = 1024 * 1024


def new_pool(processes: int, memory_mb: int = 0, decode_budget_mb: int = DEFAULT_DECODE_BUDGET_MB
             ) -> ProcessPoolExecutor:
    """A pool of spawned processes, each capped at memory_mb of address space (0: no cap)."""
    # spawn, not fork: the worker has threads (aiosqlite, redis) that a fork would copy mid-lock.
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=limit_memory, initargs=(memory_mb, decode_budget_mb))


def pool_for(settings: Settings) -> ProcessPoolExecutor:
    """The pool a worker with these settings uses."""
    return new_pool(settings.pool_processes, settings.worker_memory_mb, settings.decode_budget_mb)


def limit_memory(memory_mb: int, decode_budget_mb: int) -> None:
    """Pool process start-up: cap its address space, so one image cannot take the machine's memory.

    Past the cap an allocation fails with MemoryError instead of waking the kernel's OOM killer."""
    set_decode_budget(decode_budget_mb)
    if memory_mb:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_mb * MIB if hard == resource.RLIM_INFINITY else min(memory_mb * MIB, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


async def in_pool(ctx: dict[str, Any], function: Callable[..., T], *args: Any) -> T:
    """Run a module-level pure function in the pool; a crashed pool process is a transient error."""
    pool: ProcessPoolExecutor = ctx["pool"]
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
    except MemoryError as exc:
        # Past PHOTONIX_WORKER_MEMORY_MB (a decoder or numpy could not allocate): retrying cannot help.
        limit = ctx["settings"].worker_memory_mb
        raise TooLargeToDecode(f"ran out of memory processing this photo (each processing process may use "
                               f"{limit} MB, PHOTONIX_WORKER_MEMORY_MB)") from exc
    except BrokenProcessPool as exc:
        # A pool process died (out of memory, a native crash): replace the pool, let the step retry.
        ctx["pool"] = pool_for(ctx["settings"])
        pool.shutdown(wait=False, cancel_futures=True)
        raise TransientError(f"a processing process crashed ({exc}); retrying") from exc
