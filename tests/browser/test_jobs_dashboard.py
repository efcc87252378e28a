"""The job dashboard in a real browser while a real worker (`photonix up`) imports the corpus, as the
acceptance test of issue 11 tells it: the counts and the header change by themselves, with no reload,
until everything is done; the bad files show in groups with their reasons; retrying a group from
/jobs/failures asks with its count, sends its photos back to queued, and they fail again with the same
reason; a pause freezes the done counts while work waits, and resume finishes it. Nothing is refused by
the CSP."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, first_run, screenshot

pytestmark = pytest.mark.browser
PROCESSING_TIMEOUT_MS = 300_000
COPIES = 4          # distinct copies of each orientation photo, so the import lasts long enough to watch

DONE_TOTAL = ("() => [...document.querySelectorAll('#jobs-steps td[data-state=done]')]"
              ".reduce((sum, td) => sum + Number(td.dataset.count), 0)")


def corpus_folder(folder: Path) -> Path:
    """Every corpus file (good and bad), plus copies of the orientation photos."""
    copy_photos([*corpus.rows(expected="ok"), *corpus.rows(expected="fail")], folder)
    return distinct_copies(folder, range(COPIES))


def distinct_copies(folder: Path, copies: range) -> Path:
    """Copies of the orientation photos made distinct by trailing bytes (decoders ignore them; the
    content hash does not), so each is a new photo."""
    folder.mkdir(parents=True, exist_ok=True)
    for row in corpus.rows(expected="ok", folder="orientation"):
        for copy in copies:
            target = folder / f"copy{copy}_{Path(row.path).name}"
            shutil.copy(row.file, target)
            with target.open("ab") as extra:
                extra.write(f"copy {copy}".encode())
    return folder


def problems_of(tab: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page (a missing favicon aside), CSP refusals included."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        is_error = message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
        if is_error or "Content Security Policy" in message.text:
            found.append(f"{message.text} ({message.location.get('url', '')})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_counts_change_without_a_reload_until_the_import_is_done(app_url: str, app_data_dir: Path,
                                                                 tab: Page, tmp_path: Path) -> None:
    folder = corpus_folder(tmp_path / "photos")
    problems = problems_of(tab)
    first_run(tab, app_url, app_data_dir, folder, library="Everything")

    tab.get_by_role("link", name=re.compile(r"^Jobs")).click()
    expect(tab).to_have_url(re.compile(r"/jobs/$"))
    tab.evaluate("window.loadedOnce = true")          # gone if anything reloads the page
    overview = tab.locator("#jobs-overview")
    expect(overview).to_have_attribute("data-active", "true")
    header = tab.locator("#header-status")
    expect(header).to_contain_text("Processing", timeout=60_000)       # once the scan found the photos
    first_done, first_header = tab.evaluate(DONE_TOTAL), header.inner_text()

    tab.wait_for_function(f"first => ({DONE_TOTAL})() > first", arg=first_done,
                          timeout=PROCESSING_TIMEOUT_MS)
    tab.wait_for_function("first => document.querySelector('#header-status').innerText.trim() !== first",
                          arg=first_header.strip(), timeout=PROCESSING_TIMEOUT_MS)
    screenshot(tab, "jobs-active")

    failed = wait_until_all_is_done(tab)
    assert tab.evaluate("window.loadedOnce") is True
    assert failed >= len(corpus.rows(expected="fail")) - 1     # a zero-byte file may never become a photo
    expect(header).to_have_text(f"{failed} failed", timeout=HEADER_TIMEOUT_MS)
    # The sidebar's badge was empty when the page loaded; the header's poll brought its count along.
    expect(tab.locator("#nav-failed")).to_have_text(f"{failed:,}", timeout=HEADER_TIMEOUT_MS)
    screenshot(tab, "jobs-done")
    polls_pause_while_the_tab_is_hidden(tab)

    group = bad_files_show_in_groups_with_their_reasons(tab, failed)
    pause_everything(tab, app_url)
    expect(header.locator(".paused")).to_have_text("paused", timeout=HEADER_TIMEOUT_MS)
    retry_the_group_from_the_failures_page(tab, app_url, group)
    add_folder(tab, app_url, distinct_copies(tmp_path / "more", range(COPIES, COPIES + 1)))
    done_counts_hold_still_while_paused(tab, app_url, group,
                                        len(corpus.rows(expected="ok", folder="orientation")))
    resume_everything(tab, app_url)
    failed_again = wait_until_all_is_done(tab)
    assert failed_again == failed
    expect(header).to_have_text(f"{failed} failed", timeout=HEADER_TIMEOUT_MS)     # no longer paused
    the_group_failed_again_with_its_reason(tab, group)
    assert not problems, problems


HEADER_TIMEOUT_MS = 30_000          # the header asks every 10 s while nothing is processing
WAITING = ("() => [...document.querySelectorAll('#jobs-steps td[data-state=queued]')]"
           ".reduce((sum, td) => sum + Number(td.dataset.count), 0)")


def wait_until_all_is_done(tab: Page) -> int:
    """On /jobs/, wait until nothing is queued, running or retrying; the number of failed photos."""
    tab.wait_for_function("() => document.querySelector('#jobs-overview').dataset.active === 'false'",
                          timeout=PROCESSING_TIMEOUT_MS)
    expect(tab.locator("#jobs-processing")).to_contain_text("0 photos processing")
    for row in tab.locator("#jobs-steps tbody tr").all():
        for state in ("queued", "running", "retrying"):
            assert row.locator(f"td[data-state={state}]").get_attribute("data-count") == "0"
    return int(tab.locator("#jobs-failed strong").inner_text().replace(",", ""))


@dataclass(frozen=True)
class Group:
    """A failure group as /jobs/failures shows it."""

    reason: str
    photos: int
    step: str
    link: str


def bad_files_show_in_groups_with_their_reasons(tab: Page, failed: int) -> Group:
    """The Failures tab lists every failed photo in a group named by its reason; the largest group of
    the first step."""
    tab.get_by_role("link", name="Failures").click()
    expect(tab).to_have_url(re.compile(r"/jobs/failures$"))
    groups = tab.locator("li.failure-group")
    expect(groups.first).to_be_visible()
    shown: list[Group] = []
    for item in groups.all():
        title = item.locator("h2 a")
        counted = re.match(r"(\d+) photos?", item.locator(".count").inner_text())
        assert counted, item.inner_text()
        step = item.locator(".failure-group-head p.muted").first.inner_text().split("·")[1].strip()
        shown.append(Group(title.inner_text().strip(), int(counted[1]), step.replace(" ", "_"),
                           str(title.get_attribute("href"))))
    assert all(group.reason and group.reason != "No reason was recorded" for group in shown), shown
    assert sum(group.photos for group in shown) >= failed
    for sample in tab.locator(".failure-samples .no-thumbnail").all():     # a file type, not a cut-up name
        assert re.fullmatch(r"[A-Z0-9]+|FILE", sample.locator("[aria-hidden=true]").inner_text()), sample
    screenshot(tab, "jobs-failures")
    first_step = [group for group in shown if group.step == "extract_metadata"]
    return max(first_step, key=lambda group: group.photos)


def confirm_on_controls(tab: Page, app_url: str, button: str, asked: str, answered: str) -> None:
    """Click a button of /jobs/controls, check the confirm box's question, confirm, check the answer."""
    tab.goto(f"{app_url}/jobs/controls")
    tab.get_by_role("button", name=button).first.click()
    box = tab.locator("#answer-pause form.confirm")
    expect(box).to_contain_text(asked)
    box.get_by_role("button", name="Confirm").click()
    expect(tab.locator("#answer-pause")).to_contain_text(answered)


def pause_everything(tab: Page, app_url: str) -> None:
    confirm_on_controls(tab, app_url, "Pause everything", "Pause everything?", "Paused everything")


def resume_everything(tab: Page, app_url: str) -> None:
    tab.goto(f"{app_url}/jobs/controls")
    tab.locator("#pause-list").get_by_role("button", name="Resume").click()
    box = tab.locator("#answer-pause form.confirm")
    expect(box).to_contain_text("Resume everything?")
    box.get_by_role("button", name="Confirm").click()
    expect(tab.locator("#answer-pause")).to_contain_text("Resumed everything")
    tab.get_by_role("link", name="Overview").click()
    expect(tab).to_have_url(re.compile(r"/jobs/$"))


def retry_the_group_from_the_failures_page(tab: Page, app_url: str, group: Group) -> None:
    """Retry asks with the group's photo count, then queues them: the group empties (paused, so they
    wait) and the dashboard counts them queued at the group's step."""
    tab.goto(f"{app_url}/jobs/failures")
    item = tab.locator("li.failure-group").filter(has=tab.get_by_role("link", name=group.reason, exact=True))
    item.get_by_role("button", name=re.compile(rf"^Retry {group.photos} photos?")).click()
    box = item.locator("form.confirm")
    expect(box).to_contain_text(f"Retry {group.photos} photo")
    expect(box).to_contain_text(group.reason)
    screenshot(tab, "jobs-failures-confirm")
    box.get_by_role("button", name="Confirm").click()
    expect(item.locator(".outcome")).to_have_text(
        f"Queued {group.photos} photo{'s' if group.photos != 1 else ''} for another try.")
    tab.goto(f"{app_url}{group.link}")
    expect(tab.locator("#jobs-failure-group")).to_contain_text("No photo fails this way now.")
    tab.goto(f"{app_url}/jobs/")
    queued = tab.locator(f"#step-{group.step} td[data-state=queued]")
    expect(queued).to_have_attribute("data-count", str(group.photos))


def add_folder(tab: Page, app_url: str, folder: Path) -> None:
    tab.goto(f"{app_url}/settings/libraries")
    tab.get_by_label("Add a folder on this server").fill(str(folder))
    tab.get_by_role("button", name="Add folder").click()
    expect(tab.locator("#toasts")).to_contain_text("scanning it now")


def done_counts_hold_still_while_paused(tab: Page, app_url: str, group: Group, new_photos: int) -> None:
    """With the new folder's photos queued (and the retried group), several polls bring the same done
    counts; the header says how much waits, and that it is paused."""
    tab.goto(f"{app_url}/jobs/")
    tab.evaluate("window.loadedOnce = true")
    tab.wait_for_function("least => Number(document.querySelector("
                          "'#step-classify_color td[data-state=queued]').dataset.count) >= least",
                          arg=new_photos + group.photos, timeout=PROCESSING_TIMEOUT_MS)
    expect(tab.locator("#jobs-overview")).to_have_attribute("data-active", "true")
    done = tab.evaluate(DONE_TOTAL)
    waiting = tab.evaluate(WAITING)
    for _ in range(3):
        with tab.expect_response(re.compile(r"/jobs/$")):
            pass
        assert tab.evaluate(DONE_TOTAL) == done
        assert tab.evaluate(WAITING) == waiting
    expect(tab.locator("#jobs-paused")).to_contain_text("Paused: everything")
    expect(tab.locator("#step-classify_color td.eta")).to_have_text("paused")     # no ETA while it waits
    expect(tab.locator("#header-status")).to_contain_text("Processing")
    expect(tab.locator("#header-status .paused")).to_have_text("paused")
    screenshot(tab, "jobs-paused")
    assert tab.evaluate("window.loadedOnce") is True


def the_group_failed_again_with_its_reason(tab: Page, group: Group) -> None:
    """The group is back with all its photos, each failed again with the same reason."""
    tab.get_by_role("link", name="Failures").click()
    item = tab.locator("li.failure-group").filter(has=tab.get_by_role("link", name=group.reason, exact=True))
    expect(item.locator(".count")).to_have_text(f"{group.photos} photo{'s' if group.photos != 1 else ''}")
    item.get_by_role("link", name=group.reason, exact=True).click()
    expect(tab.locator("#group-title")).to_have_text(group.reason)
    tiles = tab.locator("li.failure-tile")
    expect(tiles).to_have_count(group.photos)
    screenshot(tab, "jobs-failure-group")


POLLED = re.compile(r"/(jobs/|status/header)$")
WATCH_POLLS = """() => {
  window.cancelledPolls = 0;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.defaultPrevented) window.cancelledPolls += 1;       // poll.js, listening first, said no
  });
}"""
SET_HIDDEN = """hidden => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  Object.defineProperty(document, "visibilityState", {configurable: true,
                                                      get: () => hidden ? "hidden" : "visible"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def polls_pause_while_the_tab_is_hidden(tab: Page) -> None:
    """Hidden: the polls' timers still fire, but poll.js cancels every request; shown: they ask at once."""
    sent: list[str] = []
    tab.on("request", lambda request: sent.append(request.url) if POLLED.search(request.url) else None)
    tab.evaluate(WATCH_POLLS)
    tab.evaluate(SET_HIDDEN, True)
    tab.wait_for_function("() => window.cancelledPolls >= 2", timeout=60_000)   # both polls came due
    assert sent == []
    with tab.expect_request(POLLED):
        tab.evaluate(SET_HIDDEN, False)
