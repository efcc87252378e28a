"""Pause and resume from the controls page in a real browser on a real `photonix up`: the confirm box
names the photos, a pause holds an import's work queued, resume lets it finish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, screenshot
from tests.running import setup_code

pytestmark = pytest.mark.browser
PROCESSING_TIMEOUT_MS = 120_000
PHOTOS = 3


def test_pause_holds_an_import_back_and_resume_finishes_it(app_url: str, app_data_dir: Path, tab: Page,
                                                          tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:PHOTOS], tmp_path / "photos")
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.goto(f"{app_url}/welcome")
    tab.get_by_label("Setup code").fill(setup_code(app_data_dir))
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill("Family")
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))

    tab.goto(f"{app_url}/jobs/controls")
    tab.get_by_role("button", name="Pause everything").click()
    box = tab.locator("#answer-pause form.confirm")
    expect(box).to_contain_text("Pause everything? 0 photos have work waiting")
    box.get_by_role("button", name="Confirm").click()
    expect(tab.locator("#answer-pause")).to_contain_text("Paused everything")
    expect(tab.locator("#pause-list")).to_contain_text("Everything paused by admin")   # swapped in place
    expect(tab.locator("#toasts")).to_contain_text("Paused everything")

    tab.goto(f"{app_url}/settings/libraries")
    tab.get_by_label("Add a folder on this server").fill(str(folder))
    tab.get_by_role("button", name="Add folder").click()
    expect(tab.locator("#toasts")).to_contain_text("scanning it now")

    # The scan registers the photos; their steps stay queued while paused.
    tab.goto(f"{app_url}/jobs/controls")
    for _ in range(PROCESSING_TIMEOUT_MS // 1000):
        tab.locator("#pause-list").get_by_role("button", name="Resume").click()
        box = tab.locator("#answer-pause form.confirm")
        expect(box).to_be_visible()
        if f"{PHOTOS} photos have work waiting" in box.inner_text():
            break
        box.get_by_role("button", name="Cancel").click()
        expect(tab.locator("#answer-pause")).to_contain_text("Nothing was changed.")
        tab.wait_for_timeout(1000)
    expect(box).to_contain_text(f"Resume everything? {PHOTOS} photos have work waiting.")
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile")).to_have_count(PHOTOS)
    expect(tab.locator("a.tile img")).to_have_count(0)             # no thumbnails: nothing ran
    tab.goto(f"{app_url}/jobs/controls")
    tab.locator("#pause-list").get_by_role("button", name="Resume").click()
    screenshot(tab, "jobs-controls-confirm")
    tab.locator("#answer-pause form.confirm").get_by_role("button", name="Confirm").click()
    expect(tab.locator("#answer-pause")).to_contain_text(f"Resumed everything: {PHOTOS} photos go on.")
    expect(tab.locator("#pause-list")).to_contain_text("Nothing is paused.")

    for _ in range(PROCESSING_TIMEOUT_MS // 1000):
        tab.goto(f"{app_url}/photos/")
        if tab.locator("a.tile img").count() == PHOTOS and tab.locator("a.tile .badge").count() == 0:
            break
        tab.wait_for_timeout(1000)
    expect(tab.locator("a.tile img")).to_have_count(PHOTOS)
    tab.goto(f"{app_url}/jobs/controls")
    screenshot(tab, "jobs-controls")
    assert not blocked, blocked
