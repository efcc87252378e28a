"""The job dashboard in a real browser while a real worker imports the corpus: the counts and the header
change by themselves, with no reload, until everything is done; nothing is refused by the CSP."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, screenshot
from tests.running import setup_code

pytestmark = pytest.mark.browser
PROCESSING_TIMEOUT_MS = 300_000
COPIES = 4          # distinct copies of each orientation photo, so the import lasts long enough to watch

DONE_TOTAL = ("() => [...document.querySelectorAll('#jobs-steps td[data-state=done]')]"
              ".reduce((sum, td) => sum + Number(td.dataset.count), 0)")


def corpus_folder(folder: Path) -> Path:
    """Every corpus file (good and bad), plus copies of the orientation photos made distinct by trailing
    bytes (decoders ignore them; the content hash does not)."""
    copy_photos([*corpus.rows(expected="ok"), *corpus.rows(expected="fail")], folder)
    for row in corpus.rows(expected="ok", folder="orientation"):
        for copy in range(COPIES):
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
    tab.goto(f"{app_url}/welcome")
    tab.get_by_label("Setup code").fill(setup_code(app_data_dir))
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill("Everything")
    tab.get_by_label("Folder on this server").fill(str(folder))
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))

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

    tab.wait_for_function("() => document.querySelector('#jobs-overview').dataset.active === 'false'",
                          timeout=PROCESSING_TIMEOUT_MS)
    assert tab.evaluate("window.loadedOnce") is True
    expect(tab.locator("#jobs-processing")).to_contain_text("0 photos processing")
    failed = int(tab.locator("#jobs-failed strong").inner_text())
    assert failed >= len(corpus.rows(expected="fail")) - 1     # a zero-byte file may never become a photo
    expect(header).to_have_text(f"{failed} failed", timeout=30_000)
    # The sidebar's badge was empty when the page loaded; the header's poll brought its count along.
    expect(tab.locator("#nav-failed")).to_have_text(f"{failed:,}", timeout=30_000)
    for row in tab.locator("#jobs-steps tbody tr").all():
        for state in ("queued", "running", "retrying"):
            assert row.locator(f"td[data-state={state}]").get_attribute("data-count") == "0"
    screenshot(tab, "jobs-done")
    assert tab.evaluate("window.loadedOnce") is True
    polls_pause_while_the_tab_is_hidden(tab)
    assert not problems, problems


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
