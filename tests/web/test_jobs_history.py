"""/jobs/history: every step run newest first, filtered by state, step, library, photo, time and error text,
paged by keyset so that pages neither repeat nor skip runs, even while new runs arrive."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from arq import ArqRedis
from litestar import Litestar

from photonix.config import Settings
from photonix.db import accounts, photos, stepruns
from photonix.db.tables import StepRun
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.pool import WorkerPool
from tests import corpus
from tests.web.job_records import Document, People, empty_records, imported, people_with_a_library, signed_in

WAITING_PHOTOS = 12        # with the imported ones, more runs than one page holds


@pytest.fixture(scope="module")
async def recorded(database: None, redis: ArqRedis, settings: Settings, pool: WorkerPool,
                   tmp_path_factory: pytest.TempPathFactory) -> People:
    """Two good and two bad corpus files processed by a real worker, then photos whose runs wait in the
    queue (registered and recorded as queued, as an import does before a worker takes them)."""
    await empty_records(redis)
    folder = tmp_path_factory.mktemp("family")
    people = await people_with_a_library(folder, tmp_path_factory.mktemp("sam"))
    await imported(redis, settings, pool, people.library_id,
                   [*(row.file for row in corpus.rows("ok", "good/jpeg")[:2]),
                    *(row.file for row in corpus.rows(expected="fail")[:2])])
    for index in range(WAITING_PHOTOS):
        photo_id, _ = await photos.register(people.library_id, f"{index:064x}", folder / f"w{index}.jpg", 1)
        await stepruns.mark_queued(photo_id, 1, PIPELINE.step_names(), {})
    return people


async def run_ids(where: object = None) -> list[int]:
    query = StepRun.select(StepRun.id).order_by(StepRun.id, ascending=False)
    rows = await (query.where(where) if where is not None else query)   # type: ignore[arg-type]
    return [row["id"] for row in rows]


def shown_runs(page: Document) -> list[int]:
    return [int(attrs["id"].removeprefix("run-")) for attrs in page.all("tr")
            if attrs.get("id", "").startswith("run-")]


def older_link(page: Document) -> str | None:
    links = [attrs["hx-get"] for attrs in page.all("a") if "hx-get" in attrs]
    return links[0] if links else None


async def test_history_lists_runs_newest_first_each_linking_to_its_photo(recorded: People,
                                                                         app: Litestar) -> None:
    async with signed_in(app, recorded.admin) as client:
        response = await client.get("/jobs/history")
    assert response.status_code == 200
    page = Document(response.text)
    shown = shown_runs(page)
    assert shown == (await run_ids())[:len(shown)] and len(shown) == 50
    photo_of = {row["id"]: row["photo"] for row in await StepRun.select(StepRun.id, StepRun.photo)}
    links = set(page.links())
    assert all(f"/photos/{photo_of[run]}" in links and f"/photos/{photo_of[run]}/timeline" in links
               for run in shown)


async def test_older_pages_neither_repeat_nor_skip_runs(recorded: People, app: Litestar) -> None:
    async with signed_in(app, recorded.admin) as client:
        page = Document((await client.get("/jobs/history")).text)
        seen = shown_runs(page)
        link = older_link(page)
        while link is not None:
            response = await client.get(link, headers={"HX-Request": "true"})
            rows = Document(response.text)
            assert response.status_code == 200 and not rows.all("table")     # rows alone, to swap in
            seen += shown_runs(rows)
            link = older_link(rows)
    assert seen == await run_ids()


async def test_runs_queued_meanwhile_do_not_shift_the_older_pages(recorded: People, app: Litestar,
                                                                  tmp_path: Path) -> None:
    async with signed_in(app, recorded.admin) as client:
        first = Document((await client.get("/jobs/history")).text)
        link = older_link(first)
        assert link is not None
        photo_id, _ = await photos.register(recorded.library_id, "f" * 64, tmp_path / "late.jpg", 1)
        await stepruns.mark_queued(photo_id, 1, PIPELINE.step_names(), {})
        second = Document((await client.get(link, headers={"HX-Request": "true"})).text)
    expected = await run_ids()
    start = expected.index(shown_runs(first)[-1]) + 1
    assert shown_runs(second) == expected[start:start + len(shown_runs(second))]
    await StepRun.delete().where(StepRun.photo == photo_id)


@pytest.mark.parametrize(("params", "where"), [
    ({"state": "failed"}, lambda: StepRun.state == "failed"),
    ({"state": "queued"}, lambda: StepRun.state == "queued"),
    ({"step": "make_thumbnails"}, lambda: StepRun.step == "make_thumbnails"),
    ({"since": "2999-01-01"}, lambda: StepRun.id < 0),
    ({"until": "2000-01-01T00:00"}, lambda: StepRun.id < 0),
    ({"since": "2000-01-01", "state": "done", "step": "extract_metadata"},
     lambda: (StepRun.state == "done") & (StepRun.step == "extract_metadata")),
], ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "")
async def test_filters_show_exactly_the_matching_runs(recorded: People, app: Litestar, params: dict[str, str],
                                                     where: Callable[[], object]) -> None:
    expected = (await run_ids(where()))[:50]
    async with signed_in(app, recorded.admin) as client:
        response = await client.get("/jobs/history", params=params)
    assert response.status_code == 200 and shown_runs(Document(response.text)) == expected
    if not expected:
        assert "No runs match these filters." in Document(response.text).text


async def test_error_text_search_ignores_case(recorded: People, app: Litestar) -> None:
    failed = await StepRun.select(StepRun.error).where(StepRun.state == "failed")
    words = sorted({word for row in failed for word in row["error"].split()
                    if len(word) > 5 and word.isalpha()})
    assert words, "the bad files failed without a sentence"
    word = words[0]
    expected = [row["id"] for row in await StepRun.select(StepRun.id, StepRun.error).order_by(
        StepRun.id, ascending=False) if word.lower() in row["error"].lower()]
    async with signed_in(app, recorded.admin) as client:
        response = await client.get("/jobs/history", params={"q": word.upper()})
    assert expected and shown_runs(Document(response.text)) == expected[:50]


async def test_a_photo_and_a_library_narrow_the_history(recorded: People, app: Litestar) -> None:
    photo_id = (await StepRun.select(StepRun.photo).where(StepRun.state == "failed").first())["photo"]  # type: ignore[index]
    async with signed_in(app, recorded.admin) as client:
        one = Document((await client.get("/jobs/history", params={"photo": str(photo_id)})).text)
        mine = Document((await client.get("/jobs/history",
                                          params={"library": str(recorded.library_id)})).text)
        elsewhere = Document((await client.get("/jobs/history",
                                               params={"library": str(recorded.other_library_id)})).text)
    assert shown_runs(one) == await run_ids(StepRun.photo == photo_id)
    assert shown_runs(mine) == (await run_ids())[:50]
    assert shown_runs(elsewhere) == []


async def test_a_filter_that_makes_no_sense_is_named(recorded: People, app: Litestar) -> None:
    async with signed_in(app, recorded.admin) as client:
        state = await client.get("/jobs/history", params={"state": "sleeping"})
        photo = await client.get("/jobs/history", params={"photo": "IMG_0001"})
        order = await client.get("/jobs/history", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert state.status_code == photo.status_code == order.status_code == 422
    assert "Choose a state from the list." in Document(state.text).text
    assert "A photo is named by its number, e.g. 1234." in Document(photo.text).text
    assert "The end comes before the start." in Document(order.text).text


async def test_the_filters_survive_into_the_older_link(recorded: People, app: Litestar) -> None:
    async with signed_in(app, recorded.admin) as client:
        page = Document((await client.get("/jobs/history", params={"state": "queued"})).text)
    link = older_link(page)
    assert link is not None and re.search(r"[?&]state=queued(&|$)", link) and "before=" in link


async def test_a_member_gets_403(recorded: People, app: Litestar) -> None:
    async with signed_in(app, recorded.member) as client:
        assert (await client.get("/jobs/history")).status_code == 403


async def test_the_api_pages_the_history_by_cursor_for_admins_only(recorded: People, app: Litestar) -> None:
    tokens = {}
    for name in (recorded.admin, recorded.member):
        user = await accounts.user_by_name(name)
        assert user is not None
        tokens[name] = {"Authorization": f"Bearer {await accounts.create_token(user.id, 'tests')}"}
    seen: list[int] = []
    async with signed_in(app, None) as client:
        params = {"limit": "7"}
        while True:
            answer = (await client.get("/api/v1/jobs/history", headers=tokens[recorded.admin],
                                       params=params)).json()
            seen += [item["run_id"] for item in answer["items"]]
            if answer["next_before"] is None:
                break
            params["before"] = str(answer["next_before"])
        failed = (await client.get("/api/v1/jobs/history", headers=tokens[recorded.admin],
                                   params={"state": "failed"})).json()["items"]
        refused = await client.get("/api/v1/jobs/history", headers=tokens[recorded.member])
        bad = await client.get("/api/v1/jobs/history", headers=tokens[recorded.admin], params={"state": "x"})
    assert seen == await run_ids()
    assert [item["run_id"] for item in failed] == await run_ids(StepRun.state == "failed")
    assert all(item["error"] and item["file_name"] for item in failed)
    assert refused.status_code == 403 and bad.status_code == 400
