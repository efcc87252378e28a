"""The worker's process pool: CPU work (decode, resize, inference) runs there, off the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from photonix.errors import TransientError

T = TypeVar("T")


def new_pool(processes: int) -> ProcessPoolExecutor:
    # spawn, not fork: the worker has threads (aiosqlite, redis) that a fork would copy mid-lock.
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))


async def in_pool(ctx: dict[str, Any], function: Callable[..., T], *args: Any) -> T:
    """Run a module-level pure function in the pool; a crashed pool process is a transient error."""
    pool: ProcessPoolExecutor = ctx["pool"]
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
    except BrokenProcessPool as exc:
        # A pool process died (out of memory, a native crash): replace the pool, let the step retry.
        ctx["pool"] = new_pool(ctx["settings"].pool_processes)
        pool.shutdown(wait=False, cancel_futures=True)
        raise TransientError(f"a processing process crashed ({exc}); retrying") from exc
