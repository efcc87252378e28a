"""A retry or re-run of more photos than PHOTONIX_BULK_ACTION_PHOTOS, asked on the page or through the
API, answers at once ("Retrying 1 photo…") and a real worker does it: the photos go back to queued and
fail again with their reason. (Here the limit is 0, so one photo is already "many".)"""

from __future__ import annotations

import dataclasses

import pytest
from litestar import Litestar

from photonix.config import Settings
from photonix.db.tables import StepRun
from photonix.web.app import create_app
from tests.jobs.conftest import step_states
from tests.web.conftest import Member, sign_in
from tests.web.test_api_job_actions import root  # noqa: F401 (a fixture)
from tests.web.test_jobs_controls import admin, confirm_form, failed_photo, post  # noqa: F401


@pytest.fixture(scope="module")
def app(settings: Settings, database: None) -> Litestar:
    return create_app(dataclasses.replace(settings, bulk_action_photos=0), owns_database=False)


async def test_a_big_retry_on_the_page_answers_at_once_and_the_worker_retries(
        client, admin, alice: Member, redis, worker) -> None:  # noqa: F811
    photo_id, failure = await failed_photo(redis, alice, worker)
    await sign_in(client, "root", "admin password")
    asked = await post(client, "/jobs/retry", [("scope", "step"), ("step", "extract_metadata")])
    assert "Nothing to retry" in asked.text      # step-wide leaves the undecodable file out
    group = [("scope", "group"), ("step", "extract_metadata"), ("error_kind", str(failure["error_kind"])),
             ("reason", str(failure["reason"]))]
    asked = await post(client, "/jobs/retry", group)
    assert "Retry 1 photo (" in asked.text                                  # still asks with the count
    done = await post(client, "/jobs/retry", [*confirm_form(asked.text), ("confirm", "1")])
    assert done.status_code == 200 and "Retrying 1 photo…" in done.text
    assert (await step_states(photo_id))["extract_metadata"] == "failed"    # the worker does it
    await worker().main()
    again = await StepRun.select().where((StepRun.photo == photo_id) & (StepRun.state == "failed")).first()
    assert again is not None and again["error"] == failure["error"] and again["id"] == failure["id"]


async def test_a_big_re_run_through_the_api_answers_at_once(client, root, alice: Member, redis,  # noqa: F811
                                                            worker) -> None:
    await failed_photo(redis, alice, worker)
    body = {"step": "extract_metadata", "mode": "all", "library": alice.library_id}
    answer = await client.post("/api/v1/jobs/rerun", headers=root, json=body)
    assert answer.status_code == 200
    assert answer.json()["photos"] == 1
    assert answer.json()["message"].startswith("Re-running extract_metadata on 1 photo in alice's library…")
    await worker().main()
    versions = {run["version"] for run in await StepRun.select().where(StepRun.step == "extract_metadata")}
    assert versions == {1, 2}
