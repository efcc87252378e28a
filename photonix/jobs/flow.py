"""Chain and group primitives over ARQ: deterministic job ids, starting a run, advancing it step by step.

A chain runs its links in order; a group's members run in parallel on any worker. A link starts when
every step of the link before it succeeded (done, or skipped because it did not apply). Job ids are
deterministic, `step:photo:version`, so enqueueing twice runs nothing twice.

A run is the steps recorded at one photo version: a run of some steps only (a chain restricted to them)
goes from one of its steps to the next of its own, never to a pipeline step it did not record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from arq import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix

from photonix.db import stepruns
from photonix.db.step_states import FINAL_STATES, SUCCESS_STATES
from photonix.jobs.queue import BATCH, NewJob, enqueue_batch


class StepFunction(Protocol):
    """An ARQ job function (ARQ's WorkerCoroutine), with the __name__ a step is named by."""

    __name__: str
    __qualname__: str

    async def __call__(self, ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One ARQ function; its name is the step's name in job ids, StepRun rows and the dashboard.

    `version` is the step's code version (a classifier's own `version`, else 1), recorded on each run
    when it is queued: "re-run missing" runs the photos without a successful run at the current one."""

    name: str
    function: StepFunction
    version: int = 1


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Chain:
    links: tuple[Step | Group, ...]

    def steps(self) -> Iterator[Step]:
        for link in self.links:
            yield from (link.members if isinstance(link, Group) else (link,))

    def step_names(self) -> list[str]:
        return [step.name for step in self.steps()]

    def step_versions(self) -> dict[str, int]:
        return {step.name: step.version for step in self.steps()}

    def link_index(self, step_name: str) -> int:
        for index, link in enumerate(self.links):
            members = link.members if isinstance(link, Group) else (link,)
            if any(member.name == step_name for member in members):
                return index
        raise KeyError(f"{step_name} is not a step of this pipeline")

    def link_steps(self, index: int) -> list[str]:
        link = self.links[index]
        return [m.name for m in (link.members if isinstance(link, Group) else (link,))]

    def steps_after(self, step_name: str) -> list[str]:
        index = self.link_index(step_name)
        return [name for later in range(index + 1, len(self.links)) for name in self.link_steps(later)]

    def restricted_to(self, names: Iterable[str]) -> Chain:
        """The same chain with only these steps, in its order; a link left without steps is dropped."""
        keep = set(names)
        links: list[Step | Group] = []
        for link in self.links:
            if isinstance(link, Step):
                if link.name in keep:
                    links.append(link)
            elif members := tuple(member for member in link.members if member.name in keep):
                links.append(Group(members))
        return Chain(tuple(links))


def step(function: StepFunction, name: str | None = None, version: int = 1) -> Step:
    return Step(name or function.__name__, function, version)


def chain(*links: StepFunction | Step | Group) -> Chain:
    return Chain(tuple(link if isinstance(link, (Step, Group)) else step(link) for link in links))


def group(*members: StepFunction | Step) -> Group:
    return Group(tuple(m if isinstance(m, Step) else step(m) for m in members))


def job_id(step_name: str, photo_id: int, version: int) -> str:
    """The one place job ids are made: the same step of the same photo version is one job."""
    return f"{step_name}:{photo_id}:{version}"


def parse_job_id(job: str) -> tuple[str, int, int] | None:
    """(step, photo id, version) of a step's job id; None for another kind of job (a library scan)."""
    parts = job.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


async def enqueue_steps(redis: ArqRedis, names: list[str], photo_id: int, version: int, *,
                        follow: bool) -> None:
    for name in names:
        await redis.enqueue_job(name, photo_id, version, follow, _job_id=job_id(name, photo_id, version))


async def enqueue_again(redis: ArqRedis, names: list[str], photo_id: int, version: int, *,
                        follow: bool = True) -> None:
    """Enqueue steps that had a job under these ids before (a retry, a resume): ARQ keeps a finished
    job's result for an hour and refuses the id meanwhile, so a kept result without a job goes first."""
    for name in names:
        job = job_id(name, photo_id, version)
        if not await redis.exists(job_key_prefix + job):
            await redis.delete(result_key_prefix + job)
    await enqueue_steps(redis, names, photo_id, version, follow=follow)


async def enqueue_many(redis: ArqRedis, runs: Iterable[tuple[str, int, int]], *, again: bool = False) -> int:
    """Enqueue many (step, photo, version) jobs, each following on, in a few round trips (a re-run of a
    library, a retry of thousands); how many went in. With again=True (ids that had a job before: a
    retry) a kept result without a job is dropped first, as enqueue_again does one by one."""
    jobs = [NewJob(job_id(step, photo_id, version), step, (photo_id, version, True))
            for step, photo_id, version in runs]
    if again:
        for start in range(0, len(jobs), BATCH):
            chunk = jobs[start:start + BATCH]
            async with redis.pipeline(transaction=False) as pipe:
                for job in chunk:
                    pipe.exists(job_key_prefix + job.job_id)
                held = await pipe.execute()
            kept = [result_key_prefix + job.job_id
                    for job, exists in zip(chunk, held, strict=True) if not exists]
            if kept:
                await redis.delete(*kept)
    return await enqueue_batch(redis, jobs)


async def start(redis: ArqRedis, pipeline: Chain, photo_id: int, version: int) -> None:
    """Record every step as queued, then enqueue the first link."""
    names = pipeline.step_names()
    await stepruns.mark_queued(photo_id, version, names, {n: job_id(n, photo_id, version) for n in names},
                               pipeline.step_versions())
    await enqueue_steps(redis, pipeline.link_steps(0), photo_id, version, follow=True)


def first_link(pipeline: Chain, recorded: Iterable[str], after: int = -1) -> list[str]:
    """The recorded steps of the first link past `after` that has any, in pipeline order.

    A run need not hold every step: reprocessing named steps records them and the steps after them."""
    chosen = set(recorded)
    for index in range(after + 1, len(pipeline.links)):
        names = [name for name in pipeline.link_steps(index) if name in chosen]
        if names:
            return names
    return []


async def advance(redis: ArqRedis, pipeline: Chain, photo_id: int, version: int, finished: str,
                  state: str) -> None:
    """After a step: once every recorded step of its link succeeded, enqueue the recorded steps of the next
    link still waiting; after a failure, skip the rest."""
    if state == "failed":
        await stepruns.skip_waiting(photo_id, version, pipeline.steps_after(finished),
                                    f"not run: {finished} failed")
        return
    states = await stepruns.states_at(photo_id, version)
    if finished not in states:           # its record went (the photo was deleted): nothing follows
        return
    index = pipeline.link_index(finished)
    if not all(states[name] in SUCCESS_STATES
               for name in pipeline.link_steps(index) if name in states):
        return
    waiting = [name for name in first_link(pipeline, states, after=index)
               if states[name] not in FINAL_STATES]
    # Two group members finishing together both get here; the job ids make that harmless.
    await enqueue_steps(redis, waiting, photo_id, version, follow=True)


async def advance_recorded(redis: ArqRedis, pipeline: Chain, photo_id: int, version: int, finished: str
                           ) -> None:
    """`advance` after a step whose outcome the record already holds, by that outcome."""
    state = (await stepruns.states_at(photo_id, version)).get(finished)
    if state in FINAL_STATES:
        await advance(redis, pipeline, photo_id, version, finished, state)
