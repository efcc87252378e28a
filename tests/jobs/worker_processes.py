"""Real `photonix worker` processes for tests that kill things: started as a person would, with their
JSON log lines kept in a file the test reads back."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arq import ArqRedis

from photonix.config import Settings
from photonix.db.stepruns import FINAL_STATES
from photonix.db.tables import StepRun
from photonix.jobs.heartbeat import RunningJob, WorkerBeat, worker_beats
from photonix.jobs.inflight import held_jobs

DEADLINE_S = 240
OUTCOME_EVENTS = ("step_done", "step_skipped", "step_failed")


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_events(self, event: str | None = None) -> list[dict[str, Any]]:
        """The worker's JSON log lines (all, or those of one event)."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue                      # a traceback's lines, or a line cut by kill -9
            if isinstance(entry, dict) and (event is None or entry.get("event") == event):
                lines.append(entry)
        return lines

    def freeze(self) -> None:
        """SIGSTOP the worker and its pool processes: what it holds now stays held while the test looks."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """kill -9 the worker and its pool processes (its own process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(settings: Settings, log_path: Path, **overrides: str) -> WorkerProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env.update({
        "PHOTONIX_DATA_DIR": str(settings.data_dir),
        "PHOTONIX_DATABASE_URL": settings.database_url,
        "PHOTONIX_REDIS_URL": settings.redis_url or "",
        "PHOTONIX_POOL_PROCESSES": "1",
        "PHOTONIX_RESCAN_SECONDS": "0",
        "PHOTONIX_MAX_TRIES": "3",
        "PHOTONIX_RETRY_BASE_SECONDS": "0.05",
        "PHOTONIX_RETRY_CAP_SECONDS": "0.5",
        "PHOTONIX_LOG_LEVEL": "info",
        **overrides,
    })
    with log_path.open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "photonix", "worker"], env=env,
                                   start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    return WorkerProcess(process, log_path)


async def wait_until(predicate: Callable[[], Awaitable[bool]], what: str,
                     deadline_s: float = DEADLINE_S,
                     explain: Callable[[], Awaitable[str]] | None = None) -> None:
    """Poll until the predicate holds; past the deadline fail, with what `explain` finds then."""
    deadline = time.monotonic() + deadline_s
    while not await predicate():
        if time.monotonic() >= deadline:
            details = await explain() if explain is not None else ""
            raise AssertionError(f"timed out waiting for {what}\n{details}")
        await asyncio.sleep(0.1)


async def unfinished_steps_and_logs(workers: Iterable[WorkerProcess], lines: int = 40) -> str:
    """What a stuck test needs to be understood: the steps not final yet, and each worker's last lines."""
    stuck = await StepRun.select(StepRun.photo, StepRun.step, StepRun.state, StepRun.tries, StepRun.job_id,
                                 StepRun.worker, StepRun.error_kind).where(
        StepRun.state.not_in(list(FINAL_STATES)))
    report = ["unfinished steps:", *map(str, stuck)]
    for worker in workers:
        tail = worker.log_path.read_text(errors="replace").splitlines()[-lines:]
        report += [f"--- worker pid {worker.pid}, exit {worker.process.poll()}:", *tail]
    return "\n".join(report)


def completions(workers: Iterable[WorkerProcess]) -> Counter[tuple[int, str]]:
    """How often each (photo, step) was completed, by the outcome lines its workers logged: each outcome is
    logged once, by whichever worker recorded it, so a count above 1 is a step completed twice."""
    return Counter((entry["photo_id"], entry["step"]) for worker in workers
                   for event in OUTCOME_EVENTS for entry in worker.log_events(event))


@dataclass
class Frozen:
    """A worker stopped (SIGSTOP) while the record shows it running steps: its beat, and the jobs it held."""

    worker: WorkerProcess
    beat: WorkerBeat
    jobs: dict[str, RunningJob]


async def freeze_one_mid_import(redis: ArqRedis, workers: list[WorkerProcess], under_way: int = 10) -> Frozen:
    """Once `under_way` steps finished, freeze a worker that holds steps the record shows running.

    Steps take milliseconds: only a worker that cannot move on can be caught holding one while the test
    looks, so each worker is frozen before it is looked at, and thawed again when it held none."""
    caught: list[Frozen] = []

    async def one_caught() -> bool:
        if await StepRun.count().where(StepRun.state.is_in(list(FINAL_STATES))) < under_way:
            return False
        for beat in await worker_beats(redis):
            worker = next((w for w in workers if w.pid == beat.pid), None)
            if worker is None:
                continue
            worker.freeze()
            jobs = await held_jobs(redis, beat.worker_id)
            running = await StepRun.count().where(StepRun.job_id.is_in(list(jobs) or [""])
                                                  & (StepRun.state == "running"))
            if running:
                caught.append(Frozen(worker, beat, jobs))
                return True
            worker.thaw()
        return False
    await wait_until(one_caught, "a worker to hold steps mid-import")
    return caught[0]


def worker_logged(worker: WorkerProcess, event: str) -> Callable[[], Awaitable[bool]]:
    """A wait_until predicate: the worker logged this event (and is alive)."""
    async def check() -> bool:
        assert worker.process.poll() is None, f"the worker died: {worker.log_path.read_text()[-3000:]}"
        return bool(worker.log_events(event))
    return check
