"""Chain and group primitives over ARQ: deterministic job ids, starting a run, advancing it step by step.

A chain runs its links in order; a group's members run in parallel on any worker. A link starts when
every step of the link before it succeeded (done, or skipped because it did not apply). Job ids are
deterministic, `step:photo:version`, so enqueueing twice runs nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from arq import ArqRedis

from photonix.db import stepruns


class StepFunction(Protocol):
    """An ARQ job function (ARQ's WorkerCoroutine), with the __name__ a step is named by."""

    __name__: str
    __qualname__: str

    async def __call__(self, ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One ARQ function; its name is the step's name in job ids, StepRun rows and the dashboard."""

    name: str
    function: StepFunction


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


def step(function: StepFunction, name: str | None = None) -> Step:
    return Step(name or function.__name__, function)


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


async def start(redis: ArqRedis, pipeline: Chain, photo_id: int, version: int) -> None:
    """Record every step as queued, then enqueue the first link."""
    names = pipeline.step_names()
    await stepruns.mark_queued(photo_id, version, names, {n: job_id(n, photo_id, version) for n in names})
    await enqueue_steps(redis, pipeline.link_steps(0), photo_id, version, follow=True)


async def run_only(redis: ArqRedis, names: list[str], photo_id: int, version: int) -> None:
    """Run just these steps (an explicit reprocess of some steps): no successors follow."""
    await stepruns.mark_queued(photo_id, version, names, {n: job_id(n, photo_id, version) for n in names})
    await enqueue_steps(redis, names, photo_id, version, follow=False)


async def advance(redis: ArqRedis, pipeline: Chain, photo_id: int, version: int, finished: str,
                  state: str) -> None:
    """After a step: start the next link once its whole link succeeded; after a failure, skip the rest."""
    if state == "failed":
        await stepruns.skip_waiting(photo_id, version, pipeline.steps_after(finished),
                                    f"not run: {finished} failed")
        return
    index = pipeline.link_index(finished)
    if index + 1 >= len(pipeline.links):
        return
    link = pipeline.link_steps(index)
    if len(link) > 1:
        states = await stepruns.states_at(photo_id, version)
        if not all(states.get(name) in stepruns.SUCCESS_STATES for name in link):
            return
    # Two group members finishing together both get here; the job ids make that harmless.
    await enqueue_steps(redis, pipeline.link_steps(index + 1), photo_id, version, follow=True)
