"""/jobs/failures: the corpus's bad files, really imported and processed, grouped by step, kind and reason;
each group opens its photos (and an internal error's traceback) and carries a Retry form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from arq import ArqRedis
from litestar import Litestar

from photonix.config import Settings
from photonix.db import accounts, job_history
from photonix.db.tables import StepRun
from photonix.jobs.flow import chain
from photonix.jobs.pool import WorkerPool
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import extract_metadata
from photonix.media.failures import failure_reason
from tests import corpus
from tests.web.conftest import csrf
from tests.web.job_records import Document, People, empty_records, imported, people_with_a_library, signed_in

GOOD = corpus.first("ok", "good/jpeg")
SAME_CAUSE = "not an image format we can read"


@pipeline_step
async def crashing_step(ctx: dict[str, Any], photo_id: int) -> None:
    """A bug: an exception that is none of ours."""
    raise KeyError("no such thing")


CRASHING = chain(extract_metadata, crashing_step)


@pytest.fixture(scope="module")
async def failed(database: None, redis: ArqRedis, settings: Settings, pool: WorkerPool,
                 tmp_path_factory: pytest.TempPathFactory) -> People:
    """Every bad corpus file, one good one, two files of garbage failing alike, and a photo whose step
    crashes, imported into the admin's library and processed by real workers."""
    await empty_records(redis)
    people = await people_with_a_library(tmp_path_factory.mktemp("family"), tmp_path_factory.mktemp("sam"))
    garbage = tmp_path_factory.mktemp("garbage")
    for index in range(2):
        (garbage / f"garbage_{index}.jpg").write_bytes(bytes([index + 1]) * 4096)
    bad = [row.file for row in corpus.rows(expected="fail")]
    await imported(redis, settings, pool, people.library_id,
                   [*bad, GOOD.file, garbage / "garbage_0.jpg", garbage / "garbage_1.jpg"])
    await imported(redis, settings, pool, people.library_id, [corpus.rows("ok", "good/jpeg")[1].file],
                   CRASHING)
    return people


async def failed_runs() -> list[dict[str, Any]]:
    return await StepRun.select().where((StepRun.state == "failed") & (StepRun.is_latest == True))  # noqa: E712


async def test_bad_files_appear_grouped_with_their_reasons(failed: People, app: Litestar) -> None:
    runs = await failed_runs()
    assert len({run["photo"] for run in runs}) >= len(corpus.rows(expected="fail")) + 2
    expected: dict[tuple[str, str, str], int] = {}
    for run in runs:
        key = (run["step"], run["error_kind"], failure_reason(run["error"]))
        expected[key] = expected.get(key, 0) + 1
    async with signed_in(app, failed.admin) as client:
        response = await client.get("/jobs/failures")
    assert response.status_code == 200
    page = Document(response.text)
    shown = {}
    for link in page.links():
        if link.startswith("/jobs/failures/group?"):
            query = {name: values[0] for name, values in parse_qs(urlparse(link).query,
                                                                  keep_blank_values=True).items()}
            shown[(query["step"], query["error_kind"], query["reason"])] = link
    assert set(shown) == set(expected)
    for (step, kind, reason), count in expected.items():
        assert f"{count} photo{'s' if count != 1 else ''} · {step.replace('_', ' ')} · {kind}" in page.text
        assert reason in page.text


async def test_files_failing_alike_share_one_group(failed: People, app: Litestar) -> None:
    async with signed_in(app, failed.admin) as client:
        page = Document((await client.get("/jobs/failures")).text)
    groups = [group for group in await job_history.failure_groups() if group.key.reason == SAME_CAUSE]
    assert len(groups) == 1 and groups[0].count >= 2
    assert SAME_CAUSE in page.text


async def test_a_group_opens_its_photos_with_their_own_errors(failed: People, app: Litestar) -> None:
    group = next(g for g in await job_history.failure_groups() if g.key.reason == SAME_CAUSE)
    runs = [run for run in await failed_runs() if failure_reason(run["error"]) == SAME_CAUSE]
    async with signed_in(app, failed.admin) as client:
        response = await client.get("/jobs/failures/group", params={
            "step": group.key.step, "error_kind": group.key.error_kind, "reason": group.key.reason})
    assert response.status_code == 200
    page = Document(response.text)
    assert {f"/photos/{run['photo']}" for run in runs} <= set(page.links())
    assert sorted(await job_history.group_photo_ids(group.key)) == sorted(run["photo"] for run in runs)
    assert {run["error"] for run in runs} <= set(page.texts)
    assert not page.has_class("details", "traceback")     # a file's fault, not a bug


async def test_every_group_carries_a_retry_form_for_its_cause(failed: People, app: Litestar) -> None:
    groups = await job_history.failure_groups()
    async with signed_in(app, failed.admin) as client:
        page = Document((await client.get("/jobs/failures")).text)
    forms = page.all("form", **{"hx-post": "/jobs/retry"})
    assert len(forms) == len(groups)
    hidden = [(attrs["name"], attrs["value"]) for attrs in page.all("input", type="hidden")]
    for group in groups:
        assert ("step", group.key.step) in hidden and ("reason", group.key.reason) in hidden
        assert ("error_kind", group.key.error_kind) in hidden
    assert hidden.count(("scope", "group")) == len(groups)


async def test_a_groups_retry_form_asks_about_exactly_its_photos(failed: People, app: Litestar) -> None:
    group = next(g for g in await job_history.failure_groups() if g.key.reason == SAME_CAUSE)
    async with signed_in(app, failed.admin) as client:
        page = Document((await client.get("/jobs/failures")).text)
        fields: list[tuple[str, str]] = []
        for tag, attrs in page.elements:      # the hidden fields of the group's form, as a browser posts them
            if tag == "form" and attrs.get("hx-post") == "/jobs/retry":
                fields = []
            elif tag == "input" and attrs.get("type") == "hidden" and attrs.get("name") != "_csrf_token":
                fields.append((attrs["name"], attrs["value"]))
                if ("reason", SAME_CAUSE) in fields and len(fields) == 4:
                    break
        asked = await client.post("/jobs/retry", content=urlencode(fields), headers={
            **csrf(client), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"})
    assert ("scope", "group") in fields and asked.status_code == 200
    assert f"Retry {group.count} photos (" in Document(asked.text).text


async def test_an_internal_error_shows_its_traceback(failed: People, app: Litestar) -> None:
    [group] = [g for g in await job_history.failure_groups() if g.key.step == "crashing_step"]
    assert group.key.is_internal and group.key.error_kind == "KeyError"
    async with signed_in(app, failed.admin) as client:
        response = await client.get("/jobs/failures/group", params={
            "step": group.key.step, "error_kind": group.key.error_kind, "reason": group.key.reason})
    page = Document(response.text)
    assert response.status_code == 200 and page.has_class("details", "traceback")
    assert any("Traceback (most recent call last)" in text for text in page.texts)
    assert "internal error" in page.text


async def test_filters_narrow_the_groups(failed: People, app: Litestar) -> None:
    everything = await job_history.failure_groups()
    step = everything[0].key.step
    async with signed_in(app, failed.admin) as client:
        by_step = Document((await client.get("/jobs/failures", params={"step": step})).text)
        elsewhere = await client.get("/jobs/failures", params={"library": str(failed.other_library_id)})
        future = await client.get("/jobs/failures", params={"since": "2999-01-01"})
        past = await client.get("/jobs/failures", params={"until": "2000-01-01"})
        today = await client.get("/jobs/failures", params={"library": str(failed.library_id),
                                                            "since": "2000-01-01T00:00"})
    narrowed = {parse_qs(urlparse(link).query)["step"][0] for link in by_step.links()
                if link.startswith("/jobs/failures/group?")}
    assert narrowed == {step}
    for response in (elsewhere, future, past):
        assert response.status_code == 200
        assert "Nothing failed with these filters." in Document(response.text).text
    assert len([link for link in Document(today.text).links() if link.startswith("/jobs/failures/group?")]) \
        == len(everything)


async def test_a_filter_that_makes_no_sense_is_named(failed: People, app: Litestar) -> None:
    async with signed_in(app, failed.admin) as client:
        step = await client.get("/jobs/failures", params={"step": "no_such_step"})
        since = await client.get("/jobs/failures", params={"since": "yesterday"})
        library = await client.get("/jobs/failures", params={"library": "999999"})
    assert step.status_code == since.status_code == library.status_code == 422
    assert "Choose a step from the list." in Document(step.text).text
    assert "Give a date like 2026-11-30, or a date and a time." in Document(since.text).text
    assert "Choose a library from the list." in Document(library.text).text


async def test_group_pages_neither_repeat_nor_skip_photos(failed: People) -> None:
    group = next(g for g in await job_history.failure_groups() if g.count >= 2)
    seen: list[int] = []
    before = None
    while True:
        page = await job_history.group_page(group.key, before=before, limit=1)
        seen.extend(photo.run_id for photo in page.photos)
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen)) == group.count
    assert seen == sorted(seen, reverse=True)


async def test_the_older_link_continues_the_grid_with_htmx(failed: People, app: Litestar) -> None:
    group = next(g for g in await job_history.failure_groups() if g.count >= 2)
    first = await job_history.group_page(group.key, limit=1)
    async with signed_in(app, failed.admin) as client:
        rest = await client.get("/jobs/failures/group", headers={"HX-Request": "true"}, params={
            "step": group.key.step, "error_kind": group.key.error_kind, "reason": group.key.reason,
            "before": str(first.photos[0].run_id)})
    tiles = Document(rest.text)
    assert rest.status_code == 200 and not tiles.all("section")       # the tiles alone, to append
    assert len(tiles.has_class("li", "failure-tile")) == group.count - 1


@pytest.mark.parametrize("path", ["/jobs/failures",
                                  "/jobs/failures/group?step=extract_metadata&error_kind=x"])
async def test_a_member_gets_403_and_nobody_is_sent_to_sign_in(failed: People, app: Litestar,
                                                                path: str) -> None:
    async with signed_in(app, failed.member) as member:
        assert (await member.get(path)).status_code == 403
    async with signed_in(app, None) as nobody:
        response = await nobody.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_the_api_lists_groups_and_a_groups_photos_for_admins_only(failed: People,
                                                                         app: Litestar) -> None:
    tokens = {}
    for name in (failed.admin, failed.member):
        user = await accounts.user_by_name(name)
        assert user is not None
        tokens[name] = await accounts.create_token(user.id, "tests")
    admin = {"Authorization": f"Bearer {tokens[failed.admin]}"}
    member = {"Authorization": f"Bearer {tokens[failed.member]}"}
    async with signed_in(app, None) as client:
        groups = (await client.get("/api/v1/jobs/failures", headers=admin)).json()["groups"]
        refused = await client.get("/api/v1/jobs/failures", headers=member)
        anonymous = await client.get("/api/v1/jobs/failures")
        largest = groups[0]
        first = (await client.get("/api/v1/jobs/failures/photos", headers=admin, params={
            "step": largest["step"], "error_kind": largest["error_kind"], "reason": largest["reason"],
            "limit": "1"})).json()
        bad_step = await client.get("/api/v1/jobs/failures", headers=admin, params={"step": "nope"})
    assert refused.status_code == 403 and anonymous.status_code == 401 and bad_step.status_code == 400
    assert {(g["step"], g["error_kind"], g["reason"]) for g in groups} == {
        (g.key.step, g.key.error_kind, g.key.reason) for g in await job_history.failure_groups()}
    assert first["count"] == largest["count"] and len(first["items"]) == 1
    assert (first["next_before"] is None) == (largest["count"] == 1)
    assert first["items"][0]["photo_id"] in largest["sample_photo_ids"]

