"""The job dashboard's Overview and the header's status: counts that follow a real import, who may see
them, and how they stay live (polling attributes the server picks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts, job_pauses, stepruns
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.db.step_states import StepState
from photonix.db.tables import StepRun
from photonix.jobs import flow
from photonix.jobs.heartbeat import RunningJob, WorkerBeat, publish_beat
from photonix.jobs.outages import record_database_outage
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.status import jobs_status
from photonix.jobs.stuck_work import sweep_stuck_work
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements

Client = AsyncTestClient[Litestar]
VOID = {"img", "br", "input", "meta", "link", "hr", "source"}
GOOD = corpus.rows(expected="ok")[:3]
BAD = corpus.rows(expected="fail")[:3]


class StepCounts(HTMLParser):
    """The Steps table as step -> state -> count, read from its cells' data attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.counts: dict[str, dict[str, int]] = {}
        self._step: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-step"):
            self._step = found["data-step"]
            self.counts[self._step] = {}
        elif tag == "td" and self._step and found.get("data-state"):
            self.counts[self._step][str(found["data-state"])] = int(found["data-count"] or 0)


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (its tags dropped, spaces collapsed)."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.parts: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in VOID and (self.depth or dict(attrs).get("id") == element_id):
                self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            if self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
async def admin(clean: None) -> int:
    return await accounts.create_user("root", "admin password", is_admin=True)


async def signed_in_admin(client: Client) -> None:
    await sign_in(client, "root", "admin password")


async def test_counts_follow_a_real_import_with_bad_files(client, admin, alice: Member, redis: ArqRedis,
                                                          worker) -> None:
    await signed_in_admin(client)
    await import_into(redis, alice.library_id, [row.file for row in (*GOOD, *BAD)])
    queued = await client.get("/jobs/")
    assert queued.status_code == 200
    counts = StepCounts(queued.text).counts
    assert list(counts) == PIPELINE.step_names()
    assert counts["extract_metadata"]["queued"] == len(GOOD) + len(BAD)
    assert f"{len(GOOD) + len(BAD)} photos processing" in text_of(queued.text, "jobs-processing")

    await worker().main()
    done = await client.get("/jobs/")
    counts = StepCounts(done.text).counts
    for step, states in counts.items():
        assert states["queued"] == states["running"] == states["retrying"] == 0, step
        assert states["done"] + states["failed"] + states["skipped"] == len(GOOD) + len(BAD), step
    assert counts["extract_metadata"]["done"] >= len(GOOD)
    assert sum(states["failed"] for states in counts.values()) >= len(BAD)
    assert text_of(done.text, "jobs-failed").startswith(f"{len(BAD)} with a failed step")
    assert "0 photos processing" in text_of(done.text, "jobs-processing")


async def test_a_member_is_refused_and_a_stranger_sent_to_sign_in(client, admin, alice: Member) -> None:
    signed_out = await client.get("/jobs/", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    await sign_in(client, "alice")
    assert (await client.get("/jobs/")).status_code == 403
    assert (await client.get("/jobs/", headers={"HX-Request": "true"})).status_code == 403
    page = await client.get("/photos/")
    assert not Elements(page.text).all("a", href="/jobs/")


async def test_the_overview_polls_fast_while_busy_and_slowly_when_idle(client, admin, alice: Member,
                                                                       redis: ArqRedis, worker) -> None:
    await signed_in_admin(client)
    idle = Elements((await client.get("/jobs/")).text).all("div", id="jobs-overview")
    assert idle and idle[0]["hx-trigger"] == "every 10s, refresh" and "data-poll" in idle[0]
    assert idle[0]["hx-get"] == "/jobs/" and idle[0]["hx-swap"] == "outerHTML"

    await import_into(redis, alice.library_id, [GOOD[0].file])
    fragment = await client.get("/jobs/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Vary" in fragment.headers
    [busy] = Elements(fragment.text).all("div", id="jobs-overview")
    assert busy["hx-trigger"] == "every 2s, refresh" and busy["data-active"] == "true"
    await worker().main()
    [calm] = Elements((await client.get("/jobs/", headers={"HX-Request": "true"})).text).all(
        "div", id="jobs-overview")
    assert calm["hx-trigger"] == "every 10s, refresh"


async def test_the_page_loads_the_script_that_holds_polling_in_hidden_tabs(client, admin) -> None:
    await signed_in_admin(client)
    page = Elements((await client.get("/jobs/")).text)
    [poll] = [str(script["src"]) for script in page.all("script")
              if str(script.get("src")).startswith("/static/js/poll.js?v=")]
    assert (await client.get(poll)).status_code == 200


async def test_the_header_counts_every_library_for_an_admin_and_links_to_jobs(
        client, admin, alice: Member, bob: Member, redis: ArqRedis, worker) -> None:
    await import_into(redis, alice.library_id, [GOOD[0].file, BAD[0].file])
    await import_into(redis, bob.library_id, [GOOD[1].file])
    await signed_in_admin(client)
    header = await client.get("/status/header")
    assert text_of(header.text, "header-status") == "Processing 3"
    assert Elements(header.text).all("a", href="/jobs/")
    [polled] = Elements(header.text).all("span", id="header-status")
    assert polled["hx-trigger"] == "every 2s, refresh" and "data-poll" in polled

    await worker().main()
    assert text_of((await client.get("/status/header")).text, "header-status") == "1 failed"
    page = await client.get("/photos/")
    assert text_of(page.text, "header-status") == "1 failed"


async def test_a_members_header_counts_only_their_libraries_and_links_to_the_grid(
        client, alice: Member, bob: Member, redis: ArqRedis, worker) -> None:
    await import_into(redis, alice.library_id, [BAD[0].file])
    await import_into(redis, bob.library_id, [GOOD[1].file, GOOD[2].file])
    await sign_in(client, "bob")
    header = await client.get("/status/header")
    assert text_of(header.text, "header-status") == "Processing 2"
    assert Elements(header.text).all("a", href="/photos/?state=pending")
    assert not Elements(header.text).all("a", href="/jobs/")
    await worker().main()
    settled = await client.get("/status/header")
    assert text_of(settled.text, "header-status") == ""
    assert Elements(settled.text).all("span", id="header-status")[0]["hx-trigger"] == "every 10s, refresh"


async def test_workers_show_what_their_heartbeat_says_and_a_silent_one_is_lost(
        client, admin, alice: Member, redis: ArqRedis, worker) -> None:
    [photo_id] = (await import_into(redis, alice.library_id, [GOOD[0].file])).new_photo_ids
    await worker().main()
    await stepruns.mark_queued(photo_id, 2, ["make_thumbnails"], {})      # reprocessed, running again
    await stepruns.claim(photo_id, "make_thumbnails", 2, "make_thumbnails:1:2", 1, worker="alpha:101:aaaa")
    now = datetime.now(UTC)
    await publish_beat(redis, WorkerBeat(
        worker_id="alpha:101:aaaa", host="alpha", pid=101, version="1.2.3", concurrency=4, pool_size=2,
        rss_bytes=300 * 1024 * 1024, started_at=now - timedelta(minutes=5), last_beat=now, beat_seconds=5,
        jobs_done=42, jobs_failed=1,
        running=(RunningJob(photo_id, "make_thumbnails", now - timedelta(seconds=3)),
                 RunningJob(photo_id, "classify_color", now - timedelta(seconds=9)))))   # finished since
    await publish_beat(redis, WorkerBeat(
        worker_id="beta:202:bbbb", host="beta", pid=202, version="1.2.3", concurrency=4, pool_size=2,
        rss_bytes=200 * 1024 * 1024, started_at=now - timedelta(minutes=9),
        last_beat=now - timedelta(minutes=2), beat_seconds=5, jobs_done=7, jobs_failed=0, running=()))
    await signed_in_admin(client)
    page = await client.get("/jobs/")
    alpha = text_of(page.text, "worker-alpha-101-aaaa")
    assert "alpha pid 101" in alpha and "1.2.3" in alpha and "300 MB" in alpha and "42" in alpha
    assert "make thumbnails" in alpha and "LOST" not in alpha
    assert "classify color" not in alpha
    # The admin may not see alice's photos (not a member): the photo's number, never a broken image.
    assert not Elements(page.text).all("img", src=f"/photos/{photo_id}/thumbnail/square")
    assert f"#{photo_id}" in alpha
    await accounts.add_member(alice.library_id, admin)
    shown = await client.get("/jobs/", headers={"HX-Request": "true"})
    assert Elements(shown.text).all("img", src=f"/photos/{photo_id}/thumbnail/square")
    assert "LOST" in text_of(page.text, "worker-beta-202-bbbb")
    assert "beta (pid 202) has not been heard from" in text_of(page.text, "jobs-notices")
    assert "1 worker live" in text_of(page.text, "jobs-live-workers")


async def test_a_retrying_step_shows_when_its_next_try_is_due(client, admin, alice: Member,
                                                              redis: ArqRedis) -> None:
    [photo_id] = (await import_into(redis, alice.library_id, [GOOD[0].file])).new_photo_ids
    job = flow.job_id("extract_metadata", photo_id, 1)
    await redis.flushdb()                  # no worker runs here: the test plays its part, with a later try
    await stepruns.claim(photo_id, "extract_metadata", 1, job, 1)
    await stepruns.finish(photo_id, "extract_metadata", 1, "retrying", error="storage hiccup")
    await redis.enqueue_job("extract_metadata", photo_id, 1, True, _job_id=job, _defer_by=timedelta(hours=1))
    status = await jobs_status(redis)
    due = status.timing["extract_metadata"].next_retry_at
    # ARQ keeps the due time in whole milliseconds: allow for that rounding on the upper side.
    assert due is not None and timedelta(minutes=59) < due - status.taken_at < timedelta(hours=1, seconds=1)
    assert status.steps["extract_metadata"][StepState.RETRYING] == 1
    await signed_in_admin(client)
    page = await client.get("/jobs/")
    cell = StepCounts(page.text).counts["extract_metadata"]
    assert cell["retrying"] == 1
    assert f"next {due.strftime('%H:%M:%S')}" in text_of(page.text, "step-extract_metadata")


async def test_a_pause_shows_in_the_admins_header_and_on_the_overview(client, admin, alice: Member,
                                                                      redis: ArqRedis) -> None:
    await import_into(redis, alice.library_id, [GOOD[0].file])
    await job_pauses.pause(PauseTarget(PauseScope.STEP, step="classify_color"), "root")
    await signed_in_admin(client)
    header = await client.get("/status/header")
    assert text_of(header.text, "header-status") == "Processing 1 · paused"
    assert Elements(header.text).all("span", title="Paused: classify_color")
    assert text_of((await client.get("/jobs/")).text, "jobs-paused") == "Paused: classify_color"
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await sign_in(client, "alice")
    assert text_of((await client.get("/status/header")).text, "header-status") == "Processing 1"


async def test_a_pause_posted_here_shows_on_the_very_next_poll(client, admin, alice: Member,
                                                               redis: ArqRedis) -> None:
    await import_into(redis, alice.library_id, [GOOD[0].file])
    await signed_in_admin(client)
    poll = {"HX-Request": "true"}
    assert not Elements((await client.get("/jobs/", headers=poll)).text).all("a", id="jobs-paused")
    paused = await client.post("/jobs/pause", data={"scope": "global", "confirm": "1",
                                                    "_csrf_token": client.cookies["csrftoken"]}, headers=poll)
    assert paused.status_code == 200
    assert text_of((await client.get("/jobs/", headers=poll)).text, "jobs-paused") == "Paused: everything"


async def test_notices_name_an_outage_and_the_latest_repair_of_stuck_work(
        client, admin, alice: Member, redis: ArqRedis, settings: Settings) -> None:
    [photo_id] = (await import_into(redis, alice.library_id, [GOOD[0].file])).new_photo_ids
    job = flow.job_id("extract_metadata", photo_id, 1)
    await stepruns.claim(photo_id, "extract_metadata", 1, job, 1)          # its worker then vanished
    await StepRun.update({StepRun.started_at: datetime.now(UTC) - timedelta(days=1)}).where(
        StepRun.job_id == job)
    repaired = await sweep_stuck_work(redis, PIPELINE, settings)
    assert repaired.stuck_requeued == 1
    since = datetime.now(UTC) - timedelta(minutes=5)
    await record_database_outage(redis, since, "alpha:101:aaaa", "connection refused")
    await signed_in_admin(client)
    notices = text_of((await client.get("/jobs/")).text, "jobs-notices")
    assert f"The database unreachable since {since:%H:%M} UTC." in notices
    assert f"Stuck work repaired: 1 stuck step re-queued at {repaired.at:%H:%M} UTC." in notices


async def test_the_header_poll_carries_the_sidebar_failed_badge_out_of_band(
        client, admin, alice: Member, redis: ArqRedis, worker) -> None:
    await signed_in_admin(client)
    page = Elements((await client.get("/photos/")).text)
    [in_page] = page.all("span", id="nav-failed")
    assert "hx-swap-oob" not in in_page and not page.all("span", title="Photos with a failed step")
    await import_into(redis, alice.library_id, [BAD[0].file])
    await worker().main()
    polled = await client.get("/status/header", headers={"HX-Request": "true"})
    [oob] = Elements(polled.text).all("span", id="nav-failed")
    assert oob["hx-swap-oob"] == "true"
    assert text_of(polled.text, "nav-failed") == "1"


async def test_a_members_header_poll_brings_the_failed_link_into_the_sidebar(
        client, alice: Member, redis: ArqRedis, worker) -> None:
    await sign_in(client, "alice")
    assert text_of((await client.get("/status/header")).text, "nav-failed") == ""
    await import_into(redis, alice.library_id, [BAD[0].file])
    await worker().main()
    polled = await client.get("/status/header", headers={"HX-Request": "true"})
    assert Elements(polled.text).all("span", id="nav-failed")[0]["hx-swap-oob"] == "true"
    assert Elements(polled.text).all("a", href="/photos/?state=failed")
    assert text_of(polled.text, "nav-failed") == "Failed 1"


async def test_the_header_poll_says_photos_changed_when_its_counts_moved(
        client, alice: Member, redis: ArqRedis, worker) -> None:
    await import_into(redis, alice.library_id, [GOOD[0].file, BAD[0].file])
    await sign_in(client, "alice")
    [shown] = Elements((await client.get("/status/header")).text).all("span", id="header-status")
    assert shown["hx-vals"] == '{"seen": "2:0"}'                  # processing:failed, as the page shows them
    unchanged = await client.get("/status/header", params={"seen": "2:0"})
    assert "HX-Trigger" not in unchanged.headers
    await worker().main()                                           # one finishes, one fails
    moved = await client.get("/status/header", params={"seen": "2:0"})
    assert moved.headers["HX-Trigger"] == "photos-changed"
    grid_page = Elements((await client.get("/photos/")).text)
    sources = [str(script.get("src")) for script in grid_page.all("script")]
    assert any(src.startswith("/static/js/grid_live.js?v=") for src in sources)   # what refreshes the grid
