"""Cancel a library's queued work; clear old finished history without losing any step's latest run;
delete expired sign-in sessions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from arq.constants import default_queue_name

from photonix.config import Settings
from photonix.db import accounts, job_settings, user_sessions
from photonix.db.tables import StepRun, UserSession
from photonix.db.user_sessions import SessionPolicy
from photonix.errors import InvalidAction
from photonix.jobs.housekeeping import (
    cancel_library,
    clear_history,
    clear_old_history,
    clearable,
    delete_expired_sessions,
    photos_to_cancel,
)
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.reprocess import reprocess
from photonix.jobs.rerun import Rerun, RerunMode, photos_to_rerun
from tests import corpus
from tests.jobs.conftest import step_runs, step_states

JPEGS = [row.file for row in corpus.rows(expected="ok", folder="good/jpeg")[:2]]


async def test_cancelling_a_library_skips_its_queued_work_and_empties_the_queue(import_files, worker,
                                                                                 redis, library) -> None:
    ids = (await import_files(JPEGS)).new_photo_ids
    assert await photos_to_cancel(library.id) == 2
    assert await redis.zcard(default_queue_name) == 2
    outcome = await cancel_library(redis, library.id, "alice")
    assert (outcome.photos, outcome.runs) == (2, 2 * len(PIPELINE.step_names()))
    assert await redis.zcard(default_queue_name) == 0
    await worker().main()
    for photo_id in ids:
        runs = await step_runs(photo_id)
        assert {(run["state"], run["error"], run["tries"]) for run in runs} == {
            ("skipped", "cancelled by alice", 0)}
    # Cancelled work is missing work: a re-run picks it up again.
    assert await photos_to_rerun(Rerun("extract_metadata", RerunMode.MISSING, library.id)) == sorted(ids)


async def test_cancelling_needs_a_library_that_exists(clean, redis) -> None:
    with pytest.raises(InvalidAction):
        await cancel_library(redis, 999_999, "alice")


async def _age(photo_id: int, version: int, days: int) -> None:
    await StepRun.update({StepRun.finished_at: datetime.now(UTC) - timedelta(days=days)}).where(
        (StepRun.photo == photo_id) & (StepRun.version == version))


async def test_clearing_history_deletes_old_superseded_runs_and_keeps_every_latest_run(
        import_files, worker, redis) -> None:
    [photo_id] = (await import_files(JPEGS[:1])).new_photo_ids
    await worker().main()
    await reprocess(redis, [photo_id])
    await worker().main()
    await reprocess(redis, [photo_id], ["classify_color"])
    await worker().main()
    await _age(photo_id, 1, days=40)       # superseded and old: cleared
    await _age(photo_id, 2, days=40)       # old, but the latest run of every step except classify_color
    await _age(photo_id, 3, days=40)       # classify_color's latest: stays

    steps = len(PIPELINE.step_names())
    assert (await clearable(30)).runs == steps + 1
    assert (await clear_history(30)).runs == steps + 1
    left = {(run["step"], run["version"]) for run in await step_runs(photo_id)}
    assert left == {*((name, 2) for name in PIPELINE.step_names() if name != "classify_color"),
                    ("classify_color", 3)}
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}


async def test_recent_superseded_runs_stay(import_files, worker, redis) -> None:
    [photo_id] = (await import_files(JPEGS[:1])).new_photo_ids
    await worker().main()
    await reprocess(redis, [photo_id])
    await worker().main()
    assert (await clearable(1)).runs == 0


async def test_the_nightly_clear_follows_the_retention_setting(import_files, worker, redis) -> None:
    [photo_id] = (await import_files(JPEGS[:1])).new_photo_ids
    await worker().main()
    await reprocess(redis, [photo_id])
    await worker().main()
    await _age(photo_id, 1, days=10)
    assert await clear_old_history({}) == 0               # 0 days (the default): keep everything
    await job_settings.set_history_days(30)
    assert await clear_old_history({}) == 0
    await job_settings.set_history_days(7)
    assert await clear_old_history({}) == len(PIPELINE.step_names())


async def test_history_days_out_of_range_are_refused(clean) -> None:
    with pytest.raises(InvalidAction):
        await clearable(0)


async def test_the_nightly_housekeeping_deletes_expired_sessions_only(settings: Settings,
                                                                     clean: None) -> None:
    user_id = await accounts.create_user("carol", "correct horse battery")
    tokens = [await user_sessions.start_session(user_id) for _ in range(3)]
    now = datetime.now(UTC)
    idle, old, _ = (hashlib.sha256(token.encode()).hexdigest() for token in tokens)
    policy = SessionPolicy.from_settings(settings)
    await UserSession.update({UserSession.seen_at: now - timedelta(seconds=policy.idle_seconds + 1)}).where(
        UserSession.token_hash == idle)
    await UserSession.update({UserSession.created_at: now - timedelta(seconds=policy.max_age_seconds + 1)}
                             ).where(UserSession.token_hash == old)
    assert await delete_expired_sessions({"settings": settings}) == 2
    assert await user_sessions.session_count(user_id, policy) == 1
    assert await user_sessions.user_id_for(tokens[2], policy) == user_id
