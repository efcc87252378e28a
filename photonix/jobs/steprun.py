"""The one place a step's outcome is decided: run its body, record the StepRun, retry or advance."""

from __future__ import annotations

import asyncio
import random
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from arq import Retry

from photonix.db import stepruns
from photonix.errors import PermanentError, StepRunMissing, StepSkipped, StepTimedOut, TransientError
from photonix.jobs import admission, flow, inflight, outages
from photonix.jobs.step_metrics import observe_step

log = structlog.get_logger()

IGNORED = "ignored"          # the outcome of a try whose result did not count (it was taken over meanwhile)


def backoff_seconds(job_try: int, base: float, cap: float) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**try)), so retries of many photos spread out."""
    return random.uniform(0, min(cap, base * 2 ** job_try))


StepBody = Callable[[dict[str, Any], int], Awaitable[None]]


def pipeline_step(body: StepBody, *, name: str | None = None) -> flow.StepFunction:
    """The ARQ function of one step: `body(ctx, photo_id)` run under `run_step`.

    The step's name (in job ids, StepRun rows, logs and the dashboard) is the body's own name, or `name`
    for steps made in a loop (one per classifier): written once, never repeated as a literal."""
    step = name or body.__name__

    async def run(ctx: dict[str, Any], photo_id: int, version: int, follow: bool = True) -> str:
        async def admitted() -> str:
            # Pauses and per-step limits are decided before the record is claimed (jobs/admission.py).
            if await admission.is_paused(ctx, step, photo_id, version, follow):
                return admission.PAUSED
            async with admission.step_slot(ctx, step):
                return await run_step(ctx, step, photo_id, version, follow,
                                      lambda: outages.as_transient(body(ctx, photo_id)))

        async def attempt() -> str:
            # Redis or the database going away mid-step is a passing failure (a retry), never a bug.
            return await outages.retrying(ctx, admitted())

        # In flight on this worker (its heartbeat, and whoever takes over if it dies) until recorded.
        return await inflight.tracked(ctx, photo_id, step, flow.job_id(step, photo_id, version), attempt)

    run.__name__ = run.__qualname__ = step
    run.__doc__ = body.__doc__
    return run


async def run_step(ctx: dict[str, Any], step: str, photo_id: int, version: int, follow: bool,
                   body: Callable[[], Awaitable[None]]) -> str:
    """Run one step of one photo and return its final or retrying state ("duplicate" when it had finished
    already, IGNORED when this try was taken over before it could record its outcome)."""
    settings = ctx["settings"]
    attempt = int(ctx.get("job_try", 1))
    job = flow.job_id(step, photo_id, version)
    structlog.contextvars.bind_contextvars(photo_id=photo_id, step=step, job_id=job, **{"try": attempt})
    try:
        claimed = await stepruns.claim(photo_id, step, version, job, attempt, worker=ctx.get("worker_id", ""))
    except StepRunMissing as exc:
        log.error("step_record_missing", error=str(exc), error_kind=type(exc).__name__)
        raise
    if not claimed:
        log.info("step_already_finished")
        if follow:
            # Its outcome is recorded, but what follows may not have started: an outage can cut the worker
            # off between the two writes, and the retry of that job lands here. Following on again is
            # harmless (job ids), and repairs it now rather than at the next stuck-work sweep.
            await flow.advance_recorded(ctx["redis"], ctx["pipeline"], photo_id, version, step)
        return "duplicate"
    started = time.perf_counter()

    async def recorded(state: str, **outcome: Any) -> bool:
        """Record the outcome under this claim; False, and said so, when a takeover released the step to
        another try meanwhile (this worker was stopped or starved, not dead): then its result does not
        count, and whatever the other try does stands."""
        if await stepruns.finish(photo_id, step, version, state, held=claimed, duration_ms=_ms_since(started),
                                 **outcome):
            return True
        log.warning("step_result_ignored", outcome=state, duration_ms=_ms_since(started),
                    error_kind=stepruns.LATE)
        return False

    state, error, kind = "done", "", ""
    try:
        await _within(settings.job_timeout_seconds, body)
    except StepSkipped as why:
        state, error, kind = "skipped", str(why), type(why).__name__
    except PermanentError as exc:
        state, error, kind = "failed", str(exc), type(exc).__name__
    except TransientError as exc:
        kind = type(exc).__name__
        if attempt >= settings.max_tries:
            state, error = "failed", f"gave up after {attempt} tries: {exc}"
        else:
            if not await recorded("retrying", error=str(exc), error_kind=kind):
                return IGNORED
            defer = backoff_seconds(attempt, settings.retry_base_seconds, settings.retry_cap_seconds)
            await observe_step(ctx.get("redis"), step, "retrying", _ms_since(started))
            log.warning("step_retrying", error=str(exc), error_kind=kind, defer_s=round(defer, 2),
                        duration_ms=_ms_since(started))
            raise Retry(defer=defer) from exc
    except asyncio.CancelledError:
        # The worker is shutting down: ARQ runs the job again, so it is not finished.
        await recorded("retrying", error="interrupted", error_kind="Cancelled")
        raise
    except Exception as exc:                 # a bug: record it for the dashboard, then let ARQ log it
        counted = await recorded("failed", error=f"internal error: {exc!r}", error_kind=type(exc).__name__,
                                 traceback=traceback.format_exc())
        log.error("step_crashed", error=repr(exc), error_kind=type(exc).__name__, exc_info=True)
        if counted:
            await observe_step(ctx.get("redis"), step, "failed", _ms_since(started))
            if follow:
                await flow.advance(ctx["redis"], ctx["pipeline"], photo_id, version, step, "failed")
        raise
    duration = _ms_since(started)
    if not await recorded(state, error=error, error_kind=kind):
        return IGNORED
    await observe_step(ctx.get("redis"), step, state, duration)
    log.info(f"step_{state}", duration_ms=duration, **({"error": error, "error_kind": kind} if error else {}))
    if follow:
        await flow.advance(ctx["redis"], ctx["pipeline"], photo_id, version, step, state)
    return state


async def _within(limit: int, body: Callable[[], Awaitable[None]]) -> None:
    """Run the body under the step's time limit; past it, the body is cancelled (in_pool then kills the
    pool process stuck in it) and the step has timed out, a transient error that retries.

    The limit is ours, inside ARQ's (worker.py gives ARQ a margin): a job that ARQ times out is failed
    for good and its result kept for an hour, which would block recovery from re-queueing it."""
    deadline = asyncio.timeout(limit)
    try:
        async with deadline:
            await body()
    except TimeoutError as exc:
        if deadline.expired():
            raise StepTimedOut(f"timed out after {limit} s") from exc
        raise


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
