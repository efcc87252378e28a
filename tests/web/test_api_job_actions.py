"""The job actions in the JSON API: admins only, a dry run counts without acting, typed in /schema."""

from __future__ import annotations

import pytest

from photonix.db import accounts, job_pauses, job_settings
from photonix.db.tables import StepRun
from tests import corpus
from tests.jobs.conftest import step_states
from tests.library_files import import_into
from tests.web.conftest import Member

UNDECODABLE = corpus.CORPUS / "bad" / "random_bytes.jpg"
ENDPOINTS = ("/api/v1/jobs/retry", "/api/v1/jobs/rerun", "/api/v1/jobs/pause", "/api/v1/jobs/resume",
             "/api/v1/jobs/cancel", "/api/v1/jobs/clear-history")


@pytest.fixture
async def root(clean: None) -> dict[str, str]:
    user_id = await accounts.create_user("root", "admin password", is_admin=True)
    return {"Authorization": f"Bearer {await accounts.create_token(user_id, 'tests')}"}


async def test_job_actions_are_for_admins(client, root, alice: Member) -> None:
    for path in ENDPOINTS:
        assert (await client.post(path, json={"step": "x", "library": 1, "days": 1})).status_code == 401
        assert (await client.post(path, headers=alice.auth,
                                  json={"step": "x", "library": 1, "days": 1})).status_code == 403, path
    assert (await client.get("/api/v1/jobs/limits", headers=alice.auth)).status_code == 403
    assert (await client.get("/api/v1/jobs/pauses", headers=alice.auth)).status_code == 403


async def test_a_group_retry_dry_run_counts_then_the_retry_requeues(client, root, alice: Member, redis,
                                                                   worker) -> None:
    [photo_id] = (await import_into(redis, alice.library_id, [UNDECODABLE])).new_photo_ids
    await worker().main()
    failure = await StepRun.select().where(StepRun.state == "failed").first()
    assert failure is not None
    group = {"scope": "group", "step": "extract_metadata", "error_kind": failure["error_kind"],
             "reason": failure["reason"]}
    dry = await client.post("/api/v1/jobs/retry", headers=root, json={**group, "dry_run": True})
    assert dry.status_code == 200
    assert dry.json() == {"action": "retry", "dry_run": True, "photos": 1, "runs": 1,
                          "message": dry.json()["message"]}
    assert dry.json()["message"].startswith("Retry 1 photo (")
    assert (await step_states(photo_id))["extract_metadata"] == "failed"
    done = await client.post("/api/v1/jobs/retry", headers=root, json=group)
    assert done.json()["dry_run"] is False and done.json()["photos"] == 1
    assert set((await step_states(photo_id)).values()) == {"queued"}
    everything = await client.post("/api/v1/jobs/retry", headers=root, json={"dry_run": True})
    assert everything.json()["photos"] == 0


RAW_STEP = {"scope": "step", "step": "convert_raw"}


async def test_pause_resume_and_the_list_of_pauses(client, root) -> None:
    paused = await client.post("/api/v1/jobs/pause", headers=root, json=RAW_STEP)
    assert paused.status_code == 200 and paused.json()["message"].startswith("Paused convert_raw")
    [listed] = (await client.get("/api/v1/jobs/pauses", headers=root)).json()
    assert (listed["scope"], listed["step"], listed["created_by"]) == ("step", "convert_raw", "root")
    resumed = await client.post("/api/v1/jobs/resume", headers=root, json=RAW_STEP)
    assert resumed.json()["message"].startswith("Resumed convert_raw")
    assert await job_pauses.active_pauses() == []


async def test_limits_are_read_and_replaced(client, root) -> None:
    put = await client.put("/api/v1/jobs/limits", headers=root, json={"limits": {"convert_raw": 1}})
    assert put.status_code == 200 and put.json() == {"limits": {"convert_raw": 1}}
    assert (await client.get("/api/v1/jobs/limits", headers=root)).json() == {"limits": {"convert_raw": 1}}
    assert await job_settings.step_limits() == {"convert_raw": 1}
    bad = await client.put("/api/v1/jobs/limits", headers=root, json={"limits": {"nope": 1}})
    assert bad.status_code == 400 and "nope" in bad.text


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/api/v1/jobs/retry", {"scope": "step"}, "Choose the step"),
    ("/api/v1/jobs/rerun", {"step": "nope"}, "There is no step named nope."),
    ("/api/v1/jobs/pause", {"scope": "library", "library": 999999}, "Choose a library"),
    ("/api/v1/jobs/cancel", {"library": 999999}, "Choose the library"),
    ("/api/v1/jobs/clear-history", {"days": 0}, "Keep history for 1 to"),
    ("/api/v1/jobs/retry", {"scope": "sideways"}, "scope"),
])
async def test_a_request_that_cannot_be_done_answers_400_with_the_reason(client, root, path, body,
                                                                         message) -> None:
    response = await client.post(path, headers=root, json=body)
    assert response.status_code == 400 and message in response.text


async def test_the_schema_types_the_requests_and_results(client, root) -> None:
    schema = (await client.get("/schema/openapi.json", headers=root)).json()
    retry = schema["paths"]["/api/v1/jobs/retry"]["post"]
    assert retry["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("RetryRequest")
    result = schema["components"]["schemas"]["ActionResult"]
    assert {"action", "dry_run", "photos", "runs", "message"} <= set(result["properties"])
    scope = schema["components"]["schemas"]["RetryRequest"]["properties"]["scope"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][scope]["enum"]) == {"job", "selection", "group", "step", "all"}
