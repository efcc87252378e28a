"""Re-run a step over a library: "missing only" runs exactly the photos without a successful run of
the step at its current version; "all" runs every photo; one file that fails for good fails alone."""

from __future__ import annotations

import dataclasses

import pytest

from photonix.db import classifier_settings, tags
from photonix.db.tables import StepRun
from photonix.errors import InvalidAction
from photonix.jobs.flow import Chain, Group
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.rerun import Rerun, RerunMode, photos_to_rerun, rerun
from tests import corpus
from tests.jobs.conftest import step_states

JPEGS = [row.file for row in corpus.rows(expected="ok", folder="good/jpeg")[:3]]
UNDECODABLE = corpus.CORPUS / "bad" / "random_bytes.jpg"


async def _color_runs(photo_id: int) -> list[tuple[int, str]]:
    rows = await StepRun.select(StepRun.version, StepRun.state).where(
        (StepRun.photo == photo_id) & (StepRun.step == "classify_color")).order_by(StepRun.version)
    return [(row["version"], row["state"]) for row in rows]


async def _has_colours(photo_id: int) -> bool:
    return any(tag.kind == "color" for tag in await tags.tags_of(photo_id))


async def test_missing_only_runs_exactly_the_photos_imported_while_the_classifier_was_off(
        import_files, worker, redis, library) -> None:
    await classifier_settings.set_enabled("color", False)
    lacking = (await import_files(JPEGS[:2])).new_photo_ids
    await worker().main()
    await classifier_settings.set_enabled("color", True)
    [tagged] = (await import_files(JPEGS[2:])).new_photo_ids
    await worker().main()
    assert not any([await _has_colours(p) for p in lacking]) and await _has_colours(tagged)

    missing = Rerun("classify_color", RerunMode.MISSING, library.id)
    assert await photos_to_rerun(missing) == sorted(lacking)
    started = await rerun(redis, missing)
    assert set(started.versions) == set(lacking) and started.steps == ("classify_color",)
    await worker().main()

    for photo_id in lacking:
        assert await _color_runs(photo_id) == [(1, "skipped"), (2, "done")]
        assert await _has_colours(photo_id)
        assert (await step_states(photo_id)) == {"classify_color": "done"}      # only that step ran again
    assert await _color_runs(tagged) == [(1, "done")]                          # not run again
    assert await photos_to_rerun(missing) == []


async def test_all_runs_every_photo_of_the_library(import_files, worker, redis, library) -> None:
    ids = (await import_files(JPEGS)).new_photo_ids
    await worker().main()
    everything = Rerun("classify_color", RerunMode.ALL, library.id)
    assert await photos_to_rerun(everything) == sorted(ids)
    await rerun(redis, everything)
    await worker().main()
    assert all([await _color_runs(p) == [(1, "done"), (2, "done")] for p in ids])


async def test_a_version_bump_makes_every_photo_missing(import_files, worker, library) -> None:
    ids = (await import_files(JPEGS[:2])).new_photo_ids
    await worker().main()
    bumped = _with_version(PIPELINE, "classify_color", 2)
    assert await photos_to_rerun(Rerun("classify_color", library_id=library.id), bumped) == sorted(ids)
    assert await photos_to_rerun(Rerun("classify_location", library_id=library.id), bumped) == []


async def test_one_file_failing_for_good_does_not_stop_the_run(import_files, worker, redis, library) -> None:
    await classifier_settings.set_enabled("color", False)
    good, bad = (await import_files([JPEGS[0], UNDECODABLE])).new_photo_ids
    await worker().main()
    await classifier_settings.set_enabled("color", True)
    started = await rerun(redis, Rerun("classify_color", RerunMode.MISSING, library.id))
    assert set(started.versions) == {good, bad}      # bad never got the step: it is missing too
    await worker().main()
    assert await _color_runs(good) == [(1, "skipped"), (2, "done")]
    assert (await _color_runs(bad))[-1][1] in {"skipped", "failed"}


async def test_re_running_a_classifier_that_is_off_is_refused(library) -> None:
    await classifier_settings.set_enabled("color", False)
    with pytest.raises(InvalidAction, match="turned off"):
        await photos_to_rerun(Rerun("classify_color", library_id=library.id))


def _with_version(pipeline: Chain, name: str, version: int) -> Chain:
    def bumped(link):
        if isinstance(link, Group):
            return Group(tuple(bumped(member) for member in link.members))
        return dataclasses.replace(link, version=version) if link.name == name else link
    return Chain(tuple(bumped(link) for link in pipeline.links))
