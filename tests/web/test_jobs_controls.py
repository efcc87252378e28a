"""The job controls page and its actions as a browser uses them: each action asks with the number of
photos it touches, then acts; admins only; POST + CSRF; bad forms answer 400 with the message."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.db import accounts, job_pauses, job_settings
from photonix.db.tables import StepRun
from tests import corpus
from tests.jobs.conftest import step_states
from tests.library_files import import_into
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.test_pages import Elements

Client = AsyncTestClient[Litestar]
UNDECODABLE = corpus.CORPUS / "bad" / "random_bytes.jpg"
JPEG = corpus.rows(expected="ok", folder="good/jpeg")[0].file
HTMX = {"HX-Request": "true"}
ACTIONS = ("/jobs/retry", "/jobs/rerun", "/jobs/pause", "/jobs/resume", "/jobs/cancel", "/jobs/clear-history",
           "/jobs/limits", "/jobs/history-days")


@pytest.fixture
async def admin(clean: None) -> int:
    return await accounts.create_user("root", "admin password", is_admin=True)


def confirm_form(page: str) -> list[tuple[str, str]]:
    """The hidden fields of the confirm box, as the browser would post them again."""
    inputs = Elements(page).all("input", type="hidden")
    return [(str(i["name"]), str(i["value"] or "")) for i in inputs if i["name"] != "_csrf_token"]


async def post(client: Client, path: str, fields: list[tuple[str, str]], *, htmx: bool = True):
    headers = {**csrf(client), **(HTMX if htmx else {})}
    body = urlencode(fields)
    return await client.post(path, content=body, follow_redirects=False,
                             headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})


async def failed_photo(redis, alice: Member, worker) -> tuple[int, dict[str, object]]:
    [photo_id] = (await import_into(redis, alice.library_id, [UNDECODABLE])).new_photo_ids
    await worker().main()
    failure = await StepRun.select().where((StepRun.photo == photo_id) & (StepRun.state == "failed")).first()
    assert failure is not None
    return photo_id, failure


async def test_the_controls_page_is_for_admins(client, admin, alice: Member) -> None:
    anonymous = await client.get("/jobs/controls", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/jobs/controls"
    await sign_in(client, "alice")
    assert (await client.get("/jobs/controls")).status_code == 403
    for path in ACTIONS:
        refused = await post(client, path, [("scope", "global"), ("confirm", "1")])
        assert refused.status_code == 403, path
    assert await job_pauses.active_pauses() == []


async def test_the_controls_page_offers_every_action(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    page = await client.get("/jobs/controls")
    assert page.status_code == 200
    posted_to = {form["action"] for form in Elements(page.text).all("form", method="post")}
    assert set(ACTIONS) - {"/jobs/resume"} <= posted_to          # resume shows once something is paused
    assert Elements(page.text).all("a", href="/jobs/controls")[0].get("aria-current") == "page"


async def test_a_failure_group_retry_asks_with_its_count_then_retries_and_fails_again(
        client, admin, alice: Member, redis, worker) -> None:
    photo_id, failure = await failed_photo(redis, alice, worker)
    await sign_in(client, "root", "admin password")
    # The Retry form of a failure group on /jobs/failures posts these fields.
    group = [("scope", "group"), ("step", "extract_metadata"), ("error_kind", str(failure["error_kind"])),
             ("reason", str(failure["reason"]))]
    asked = await post(client, "/jobs/retry", group)
    assert asked.status_code == 200 and "Retry 1 photo (" in asked.text
    assert (await step_states(photo_id))["extract_metadata"] == "failed"       # asking changed nothing
    [box] = Elements(asked.text).all("form", **{"class": "confirm"})
    assert box["hx-post"] == "/jobs/retry" and box["hx-target"] == "this"
    assert sorted(confirm_form(asked.text)) == sorted(group)

    done = await post(client, "/jobs/retry", [*confirm_form(asked.text), ("confirm", "1")])
    assert done.status_code == 200 and "Queued 1 photo for another try." in done.text
    assert set((await step_states(photo_id)).values()) == {"queued"}
    await worker().main()
    again = await StepRun.select().where((StepRun.photo == photo_id) & (StepRun.state == "failed")).first()
    assert again is not None and again["error"] == failure["error"]


async def test_a_plain_form_gets_the_page_with_the_box_then_a_redirect_with_the_outcome(
        client, admin, alice: Member, redis, worker) -> None:
    await failed_photo(redis, alice, worker)
    await sign_in(client, "root", "admin password")
    step_wide = [("scope", "step"), ("step", "extract_metadata")]
    asked = await post(client, "/jobs/retry", step_wide, htmx=False)
    # A step-wide retry leaves out the undecodable file: nothing to ask, it says so.
    assert asked.status_code == 303
    shown = await client.get(asked.headers["location"])
    assert "Nothing to retry" in shown.text and "failed for a permanent reason" in shown.text

    asked = await post(client, "/jobs/pause", [("scope", "library"), ("library", str(alice.library_id))],
                       htmx=False)
    assert asked.status_code == 200 and "Pause library alice&#39;s library?" in asked.text
    assert "<html" in asked.text                                                  # the whole page
    done = await post(client, "/jobs/pause", [*confirm_form(asked.text), ("confirm", "1")], htmx=False)
    assert done.status_code == 303 and done.headers["location"] == "/jobs/controls"
    shown = await client.get("/jobs/controls")
    assert "Paused library alice&#39;s library" in shown.text
    assert [p.library_id for p in await job_pauses.active_pauses()] == [alice.library_id]


async def test_cancel_in_the_box_changes_nothing(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    asked = await post(client, "/jobs/pause", [("scope", "global")])
    assert "Pause everything?" in asked.text
    dropped = await post(client, "/jobs/pause", [*confirm_form(asked.text), ("confirm", "no")])
    assert "Nothing was changed." in dropped.text
    assert await job_pauses.active_pauses() == []


async def test_pause_and_resume_refresh_the_list_of_pauses(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    paused = await post(client, "/jobs/pause", [("scope", "step"), ("step", "classify_color"),
                                                ("confirm", "1")])
    assert "Paused classify_color" in paused.text
    [pause_list] = Elements(paused.text).all("div", id="pause-list")
    assert pause_list["hx-swap-oob"] == "true"
    assert Elements(paused.text).all("input", name="step", value="classify_color")      # its Resume form
    resumed = await post(client, "/jobs/resume", [("scope", "step"), ("step", "classify_color"),
                                                  ("confirm", "1")])
    assert "Resumed classify_color" in resumed.text and "Nothing is paused." in resumed.text
    assert await job_pauses.active_pauses() == []


@pytest.mark.parametrize(("path", "fields", "message"), [
    ("/jobs/retry", [("scope", "everything")], "Choose what to retry"),
    ("/jobs/retry", [("scope", "step"), ("step", "nope")], "There is no step named nope."),
    ("/jobs/retry", [("scope", "selection"), ("photo", "x")], "Photos are named by their numbers."),
    ("/jobs/rerun", [("step", "nope")], "There is no step named nope."),
    ("/jobs/rerun", [("step", "classify_color"), ("mode", "some")], "Re-run missing only, or all."),
    ("/jobs/pause", [("scope", "library"), ("library", "999999")], "Choose a library"),
    ("/jobs/cancel", [], "Choose the library whose queued work to cancel."),
    ("/jobs/clear-history", [("days", "0")], "Keep history for 1 to"),
    ("/jobs/clear-history", [("days", "many")], "Days must be a whole number"),
    ("/jobs/limits", [("limit-convert_raw", "-1")], "A limit is 1 to"),
    ("/jobs/history-days", [("days", "soon")], "Days must be a whole number"),
])
async def test_a_bad_form_answers_400_with_its_message(client, admin, path, fields, message) -> None:
    await sign_in(client, "root", "admin password")
    for htmx in (True, False):
        response = await post(client, path, [*fields, ("confirm", "1")], htmx=htmx)
        assert response.status_code == 400 and message in html.unescape(response.text), (path, htmx)


async def test_limits_and_the_history_setting_are_saved_at_once(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    saved = await post(client, "/jobs/limits", [("limit-convert_raw", "1"), ("limit-make_thumbnails", "")])
    assert saved.status_code == 200 and "Limits saved (convert_raw 1)" in saved.text
    [field] = Elements(saved.text).all("input", id="limit-convert_raw")
    assert field["value"] == "1"
    assert await job_settings.step_limits() == {"convert_raw": 1}
    kept = await post(client, "/jobs/history-days", [("days", "30")])
    assert "older than 30 days is cleared each night" in kept.text
    assert await job_settings.history_days() == 30


async def test_an_action_without_the_csrf_token_is_refused(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    refused = await client.post("/jobs/pause", data={"scope": "global", "confirm": "1"})
    assert refused.status_code == 403
    assert await job_pauses.active_pauses() == []


async def test_re_running_missing_through_the_page_counts_the_photos(client, admin, alice: Member, redis,
                                                                      worker) -> None:
    from photonix.db import classifier_settings

    await classifier_settings.set_enabled("color", False)
    await import_into(redis, alice.library_id, [JPEG])
    await worker().main()
    await classifier_settings.set_enabled("color", True)
    await sign_in(client, "root", "admin password")
    fields = [("step", "classify_color"), ("library", str(alice.library_id)), ("mode", "missing")]
    asked = await post(client, "/jobs/rerun", fields)
    assert "Re-run classify_color on 1 photo in alice&#39;s library (missing only)?" in asked.text
    done = await post(client, "/jobs/rerun", [*confirm_form(asked.text), ("confirm", "1")])
    assert "Queued classify_color for 1 photo" in done.text
    assert CSRF_COOKIE in client.cookies


async def test_the_retry_form_of_a_group_on_the_failures_page_retries_that_group(
        client, admin, alice: Member, redis, worker) -> None:
    photo_id, _ = await failed_photo(redis, alice, worker)
    await sign_in(client, "root", "admin password")
    failures = await client.get("/jobs/failures")
    [group_form] = Elements(failures.text).all("form", **{"class": "retry-group"})
    assert group_form["hx-post"] == "/jobs/retry"
    fields = [(str(i["name"]), str(i["value"] or "")) for i in _inputs_of_retry_form(failures.text)]
    asked = await post(client, "/jobs/retry", fields)
    assert "Retry 1 photo (" in asked.text
    done = await post(client, "/jobs/retry", [*confirm_form(asked.text), ("confirm", "1")])
    assert "Queued 1 photo for another try." in done.text
    assert set((await step_states(photo_id)).values()) == {"queued"}


def _inputs_of_retry_form(page: str) -> list[dict[str, str | None]]:
    """The hidden inputs inside the first form.retry-group (the page has one group here)."""
    start = page.index('class="retry-group"')
    form = page[start:page.index("</form>", start)]
    return [i for i in Elements(form).all("input", type="hidden") if i["name"] != "_csrf_token"]


async def test_the_header_says_paused_while_a_pause_is_in_force(client, admin) -> None:
    await sign_in(client, "root", "admin password")
    assert "paused" not in (await client.get("/status/header")).text
    await post(client, "/jobs/pause", [("scope", "step"), ("step", "classify_color"), ("confirm", "1")])
    [paused] = Elements((await client.get("/status/header")).text).all("span", **{"class": "paused"})
    assert paused["title"] == "Paused: classify_color"
    await post(client, "/jobs/resume", [("scope", "step"), ("step", "classify_color"), ("confirm", "1")])
    assert not Elements((await client.get("/status/header")).text).all("span", **{"class": "paused"})
