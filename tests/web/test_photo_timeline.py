"""A photo's timeline: every try of every step and version, with its worker, start, duration and error; on the
photo page (in place of the old steps table), on its own page and in the API, for those who see the photo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from arq import ArqRedis, Worker

from photonix.db import accounts
from photonix.errors import TransientError
from photonix.jobs.flow import chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import extract_metadata
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member, csrf, sign_in
from tests.web.job_records import Document

PHOTO = corpus.first("ok", "good/jpeg")


@pipeline_step
async def hiccup_step(ctx: dict[str, Any], photo_id: int) -> None:
    """Fails with a transient error on its first two tries, then succeeds."""
    if ctx["job_try"] < 3:
        raise TransientError(f"network hiccup on try {ctx['job_try']}")


@pipeline_step
async def buggy_step(ctx: dict[str, Any], photo_id: int) -> None:
    """A bug: an exception that is none of ours."""
    raise ZeroDivisionError("division by zero in a test step")


async def processed(redis: ArqRedis, worker: Callable[..., Worker], member: Member,
                    pipeline: Any = PIPELINE) -> int:
    report = await import_into(redis, member.library_id, [PHOTO.file], pipeline)
    await worker(pipeline).main()
    return report.new_photo_ids[0]


async def test_every_step_shows_its_try(client, alice, redis, worker) -> None:
    photo_id = await processed(redis, worker, alice)
    await sign_in(client, "alice")
    page = Document((await client.get(f"/photos/{photo_id}/timeline")).text)
    assert page.all("div", id="timeline")
    names = [text for text in page.texts if text in {s.replace("_", " ") for s in PIPELINE.step_names()}]
    assert names == [step.replace("_", " ") for step in PIPELINE.step_names()]      # in pipeline order
    assert page.text.count("try 1") == len(PIPELINE.step_names())
    assert "try 2" not in page.text


async def test_a_transient_error_shows_each_try_with_its_error(client, alice, redis, worker) -> None:
    photo_id = await processed(redis, worker, alice, chain(extract_metadata, hiccup_step))
    await sign_in(client, "alice")
    page = Document((await client.get(f"/photos/{photo_id}/timeline")).text)
    assert "network hiccup on try 1" in page.texts and "network hiccup on try 2" in page.texts
    timeline = (await client.get(f"/api/v1/photos/{photo_id}/timeline", headers=alice.auth)).json()
    [run] = [run for run in timeline["runs"] if run["step"] == "hiccup_step"]
    assert run["state"] == "done"
    assert [(t["try_number"], t["state"], t["error"]) for t in run["tries"]] == [
        (1, "retrying", "network hiccup on try 1"), (2, "retrying", "network hiccup on try 2"),
        (3, "done", "")]
    assert all(t["started_at"] and t["finished_at"] and t["duration_ms"] is not None for t in run["tries"])


async def test_a_reprocessed_photo_shows_both_versions_newest_first(client, alice, redis, worker) -> None:
    photo_id = await processed(redis, worker, alice)
    await sign_in(client, "alice")
    swapped = await client.post(f"/photos/{photo_id}/reprocess",
                                headers={**csrf(client), "HX-Request": "true"})
    assert swapped.status_code == 200 and Document(swapped.text).all("div", id="timeline")
    await worker().main()
    page = Document((await client.get(f"/photos/{photo_id}/timeline")).text)
    assert [text for text in page.texts if text.startswith("Version")] == ["Version 2", "Version 1"]
    runs = (await client.get(f"/api/v1/photos/{photo_id}/timeline", headers=alice.auth)).json()["runs"]
    steps = len(PIPELINE.step_names())
    assert [run["version"] for run in runs] == [2] * steps + [1] * steps
    assert [run["step"] for run in runs[:steps]] == PIPELINE.step_names()


async def test_after_reprocess_the_processing_summary_follows_the_timeline(client, alice, redis,
                                                                          worker) -> None:
    photo_id = await processed(redis, worker, alice)
    steps = len(PIPELINE.step_names())
    await sign_in(client, "alice")
    swapped = await client.post(f"/photos/{photo_id}/reprocess",
                                headers={**csrf(client), "HX-Request": "true"})
    [summary] = Document(swapped.text).all("span", id="processing-summary")
    assert summary["hx-swap-oob"] == "true"
    assert f"{steps}/{steps} ok" not in swapped.text                # no longer what stands: work is queued
    await worker().main()
    polled = await client.get(f"/photos/{photo_id}/timeline", headers={"HX-Request": "true"})
    assert Document(polled.text).all("span", id="processing-summary")
    assert f"{steps}/{steps} ok" in Document(polled.text).texts    # what the page's summary now says
    whole = await client.get(f"/photos/{photo_id}/timeline")
    assert not Document(whole.text).all("span", id="processing-summary", **{"hx-swap-oob": "true"})


async def test_the_photo_page_shows_the_timeline_instead_of_the_steps_table(client, alice, redis,
                                                                             worker) -> None:
    photo_id = await processed(redis, worker, alice)
    await sign_in(client, "alice")
    page = Document((await client.get(f"/photos/{photo_id}")).text)
    assert page.all("div", id="timeline") and not page.all("div", id="steps")
    steps = len(PIPELINE.step_names())
    assert "Processing ·" in page.texts and f"{steps}/{steps} ok" in page.texts
    assert f"/photos/{photo_id}/timeline" in page.links()


async def test_members_see_the_timeline_and_everyone_else_gets_404(client, alice, bob, redis, worker) -> None:
    photo_id = await processed(redis, worker, alice)
    mia = await accounts.create_user("mia", "correct horse battery")
    await accounts.add_member(alice.library_id, mia)
    anonymous = await client.get(f"/photos/{photo_id}/timeline", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await sign_in(client, "mia")
    assert (await client.get(f"/photos/{photo_id}/timeline")).status_code == 200
    await sign_in(client, "bob")
    assert (await client.get(f"/photos/{photo_id}/timeline")).status_code == 404
    assert (await client.get(f"/photos/{photo_id + 1000}/timeline")).status_code == 404
    assert (await client.get(f"/api/v1/photos/{photo_id}/timeline", headers=bob.auth)).status_code == 404
    assert (await client.get(f"/api/v1/photos/{photo_id}/timeline", headers=alice.auth)).status_code == 200
    assert (await client.get(f"/api/v1/photos/{photo_id}/timeline")).status_code == 401


async def test_only_admins_see_an_internal_errors_traceback(client, alice, redis, worker) -> None:
    photo_id = await processed(redis, worker, alice, chain(extract_metadata, buggy_step))
    root = await accounts.create_user("root", "correct horse battery", is_admin=True)
    await accounts.add_member(alice.library_id, root)
    await sign_in(client, "alice")
    members_view = Document((await client.get(f"/photos/{photo_id}/timeline")).text)
    await sign_in(client, "root")
    admins_view = Document((await client.get(f"/photos/{photo_id}/timeline")).text)
    assert "internal error: ZeroDivisionError('division by zero in a test step')" in members_view.texts
    assert not members_view.has_class("details", "traceback")
    assert admins_view.has_class("details", "traceback")
    assert any(text.startswith("Traceback (most recent call last)") for text in admins_view.texts)
    runs = (await client.get(f"/api/v1/photos/{photo_id}/timeline", headers=alice.auth)).json()["runs"]
    assert all(not t["traceback"] for run in runs for t in run["tries"])


async def test_the_timeline_reloads_itself_while_work_is_pending_and_slows_down(client, alice, redis,
                                                                                worker) -> None:
    report = await import_into(redis, alice.library_id, [PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await sign_in(client, "alice")
    htmx = {"HX-Request": "true"}
    first = Document((await client.get(f"/photos/{photo_id}/timeline", headers=htmx)).text)
    [root] = first.all("div", id="timeline")
    assert root["hx-trigger"] == "load delay:2s" and not first.all("main")       # the fragment alone
    again = Document((await client.get(root["hx-get"], headers=htmx)).text)
    [slower] = again.all("div", id="timeline")
    assert slower["hx-trigger"] == "load delay:4s"
    await worker().main()
    done = Document((await client.get(slower["hx-get"], headers=htmx)).text)
    [final] = done.all("div", id="timeline")
    assert "hx-get" not in final and "hx-trigger" not in final
