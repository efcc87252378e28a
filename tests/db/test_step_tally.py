"""The dashboard's tallies always equal what the step_run record says, whatever writes to it.

Each test compares the trigger-kept tallies with the same counts computed the slow way from every
step_run row (the newest version of each photo's step), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from arq import ArqRedis, Worker

from photonix.db import accounts, photos, step_tally, stepruns
from photonix.db.step_states import UNFINISHED_STATES
from photonix.db.tables import LibraryTally, Photo, PhotoProgress, StepRun
from photonix.jobs import flow
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.library_files import import_into

UNFINISHED = set(UNFINISHED_STATES)


async def counts_from_the_record() -> tuple[dict[str, dict[str, int]], dict[int, tuple[int, int]]]:
    """(step -> state -> n, library -> (photos processing, photos failed)) from every step_run row."""
    rows = await StepRun.select(StepRun.photo, StepRun.photo.library, StepRun.step, StepRun.version,
                                StepRun.state)
    newest: dict[tuple[int, str], dict[str, object]] = {}
    for row in rows:
        key = (row["photo"], row["step"])
        if key not in newest or row["version"] > newest[key]["version"]:  # type: ignore[operator]
            newest[key] = row
    steps: dict[str, Counter[str]] = defaultdict(Counter)
    unfinished: dict[int, set[int]] = defaultdict(set)
    failed: dict[int, set[int]] = defaultdict(set)
    for (photo, step), row in newest.items():
        steps[step][str(row["state"])] += 1
        library = int(row["photo.library"])  # type: ignore[call-overload]
        if row["state"] in UNFINISHED:
            unfinished[library].add(photo)
        if row["state"] == "failed":
            failed[library].add(photo)
    libraries = set(unfinished) | set(failed)
    return ({step: dict(states) for step, states in steps.items()},
            {library: (len(unfinished[library]), len(failed[library])) for library in libraries})


async def tallies() -> tuple[dict[str, dict[str, int]], dict[int, tuple[int, int]]]:
    rows = await LibraryTally.select()
    per_library = {int(row["library"]): (int(row["processing"]), int(row["failed"])) for row in rows
                   if row["processing"] or row["failed"]}
    return await step_tally.step_counts(), per_library


async def assert_tallies_match_the_record() -> None:
    expected_steps, expected_libraries = await counts_from_the_record()
    steps, libraries = await tallies()
    assert steps == expected_steps
    assert libraries == {library: pair for library, pair in expected_libraries.items() if any(pair)}
    latest = await StepRun.count().where(StepRun.is_latest == True)  # noqa: E712
    assert latest == sum(sum(states.values()) for states in expected_steps.values())


async def queued_photo(library_id: int, name: str) -> int:
    photo_id, _ = await photos.register(library_id, name.ljust(64, "0"), Path(f"/nowhere/{name}.jpg"), 1)
    names = PIPELINE.step_names()
    await stepruns.mark_queued(photo_id, 1, names, {n: flow.job_id(n, photo_id, 1) for n in names})
    return photo_id


async def test_an_import_with_bad_files_is_counted_as_the_record_says(
        library: accounts.LibraryInfo, redis: ArqRedis, worker: Callable[..., Worker]) -> None:
    files = [row.file for row in (*corpus.rows(expected="ok")[:3], *corpus.rows(expected="fail")[:2])]
    report = await import_into(redis, library.id, files)
    await assert_tallies_match_the_record()
    assert (await step_tally.photo_totals()) == (len(report.new_photo_ids), 0)
    await worker().main()
    await assert_tallies_match_the_record()
    processing, failed = await step_tally.photo_totals()
    assert processing == 0 and failed == 2
    counts = await step_tally.step_counts()
    assert sum(counts["extract_metadata"].values()) == len(files)


async def test_a_reprocessed_step_counts_its_new_version_only(library: accounts.LibraryInfo) -> None:
    photo_id = await queued_photo(library.id, "a")
    for step in PIPELINE.step_names():
        await stepruns.claim(photo_id, step, 1, "job", 1)
        await stepruns.finish(photo_id, step, 1, "failed" if step == "classify_color" else "done")
    assert await step_tally.photo_totals() == (0, 1)
    version = await photos.bump_version(photo_id)
    await stepruns.mark_queued(photo_id, version, ["classify_color"], {})
    await assert_tallies_match_the_record()
    assert (await step_tally.step_counts())["classify_color"] == {"queued": 1}
    assert await step_tally.photo_totals() == (1, 0)
    await stepruns.claim(photo_id, "classify_color", version, "job", 1)
    await stepruns.finish(photo_id, "classify_color", version, "done")
    await assert_tallies_match_the_record()
    assert await step_tally.photo_totals() == (0, 0)


async def test_an_older_version_recorded_late_does_not_count(library: accounts.LibraryInfo) -> None:
    photo_id = await queued_photo(library.id, "b")
    await stepruns.mark_queued(photo_id, 3, ["classify_color"], {})
    await stepruns.mark_queued(photo_id, 2, ["classify_color"], {})
    await assert_tallies_match_the_record()
    latest = await StepRun.select(StepRun.version).where(
        (StepRun.photo == photo_id) & (StepRun.step == "classify_color") & (StepRun.is_latest == True))  # noqa: E712
    assert [row["version"] for row in latest] == [3]


async def test_deleting_the_newest_run_makes_the_one_before_count_again(
        library: accounts.LibraryInfo) -> None:
    photo_id = await queued_photo(library.id, "c")
    await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1)
    await stepruns.finish(photo_id, "extract_metadata", 1, "failed", error="broken")
    await stepruns.mark_queued(photo_id, 2, ["extract_metadata"], {})
    assert (await step_tally.step_counts())["extract_metadata"] == {"queued": 1}
    await StepRun.delete().where((StepRun.photo == photo_id) & (StepRun.version == 2))
    await assert_tallies_match_the_record()
    assert (await step_tally.step_counts())["extract_metadata"] == {"failed": 1}


async def test_deleting_photos_takes_their_counts_away(library: accounts.LibraryInfo) -> None:
    kept, doomed = await queued_photo(library.id, "d"), await queued_photo(library.id, "e")
    await stepruns.claim(doomed, "extract_metadata", 1, "job", 1)
    await stepruns.finish(doomed, "extract_metadata", 1, "failed", error="broken")
    assert await step_tally.photo_totals() == (2, 1)
    await Photo.delete().where(Photo.id == doomed)
    await assert_tallies_match_the_record()
    assert await step_tally.photo_totals() == (1, 0)
    assert [row["photo"] for row in await PhotoProgress.select(PhotoProgress.photo)] == [kept]


async def test_updates_of_other_columns_change_no_count(library: accounts.LibraryInfo) -> None:
    await queued_photo(library.id, "f")
    before = await tallies()
    await StepRun.update({StepRun.tries: 5, StepRun.error: "noted"}, force=True)
    assert await tallies() == before


async def test_a_set_based_update_of_many_runs_is_counted(library: accounts.LibraryInfo) -> None:
    for name in "ghij":
        await queued_photo(library.id, name)
    await StepRun.update({StepRun.state: "failed"}).where(StepRun.step == "extract_metadata")
    await StepRun.update({StepRun.state: "skipped"}).where(StepRun.step != "extract_metadata")
    await assert_tallies_match_the_record()
    assert await step_tally.photo_totals() == (0, 4)
    await StepRun.update({StepRun.state: "queued"}).where(StepRun.state == "failed")
    await assert_tallies_match_the_record()
    assert await step_tally.photo_totals() == (4, 0)


async def test_recount_rebuilds_what_the_triggers_keep(library: accounts.LibraryInfo) -> None:
    for name in "kl":
        photo_id = await queued_photo(library.id, name)
    await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1)
    await stepruns.finish(photo_id, "extract_metadata", 1, "failed", error="broken")
    kept = await tallies()
    await step_tally.recount()
    assert await tallies() == kept


async def test_a_members_totals_cover_only_their_libraries(library: accounts.LibraryInfo,
                                                           tmp_path: Path) -> None:
    bob = await accounts.create_user("bob", "correct horse battery")
    bobs = await accounts.create_library("Bob's", [tmp_path], bob)
    await queued_photo(library.id, "m")
    await queued_photo(bobs, "n")
    await queued_photo(bobs, "o")
    assert await step_tally.photo_totals() == (3, 0)
    assert await step_tally.photo_totals(bob) == (2, 0)
    loner = await accounts.create_user("carol", "correct horse battery")
    assert await step_tally.photo_totals(loner) == (0, 0)


async def test_concurrent_writers_keep_the_tallies_exact(library: accounts.LibraryInfo) -> None:
    photo_ids = [await queued_photo(library.id, f"p{index}") for index in range(12)]

    async def run_all_steps(photo_id: int) -> None:
        for position, step in enumerate(PIPELINE.step_names()):
            await stepruns.claim(photo_id, step, 1, "job", 1)
            outcome = "failed" if (photo_id + position) % 7 == 0 else "done"
            await stepruns.finish(photo_id, step, 1, outcome, error="broken" if outcome == "failed" else "")

    await asyncio.gather(*(run_all_steps(photo_id) for photo_id in photo_ids))
    await assert_tallies_match_the_record()
    processing, _ = await step_tally.photo_totals()
    assert processing == 0
