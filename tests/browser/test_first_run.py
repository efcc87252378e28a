"""A new user's first session in a real browser: welcome, import, grid, a photo, rate, tag, upload."""

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


def test_welcome_import_grid_detail_rating_tag_and_upload(app_url: str, app_data_dir: Path, tab: Page,
                                                           tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:4], tmp_path / "photos")
    blocked: list[str] = []               # what the Content-Security-Policy refused, from the console
    tab.on("console",
           lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
           else None)
    tab.goto(f"{app_url}/")
    expect(tab).to_have_url(re.compile(r"/welcome$"))
    tab.get_by_label("Setup code").fill("not-the-code")
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill("Family")
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab.get_by_role("alert")).to_contain_text("not the setup code")
    tab.get_by_label("Setup code").fill(setup_code(app_data_dir))     # what `photonix up` printed
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill("Family")
    tab.get_by_label("Folder on this server").fill(str(folder))
    screenshot(tab, "welcome")
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))
    session = next(c for c in tab.context.cookies() if c["name"] == "photonix_session")
    assert session["secure"] and session["httpOnly"]    # Secure by default, kept on http://127.0.0.1

    # Photos appear as the pipeline finishes them: reload until four thumbnails are on the grid.
    thumbnails = tab.locator("a.tile img")
    deadline_polls = PROCESSING_TIMEOUT_MS // 1000
    for _ in range(deadline_polls):
        if thumbnails.count() == 4 and tab.locator("a.tile .badge").count() == 0:
            break
        tab.wait_for_timeout(1000)
        tab.reload()
    expect(thumbnails).to_have_count(4)
    expect(thumbnails.first).to_have_js_property("complete", True)
    assert thumbnails.first.evaluate("img => img.naturalWidth") > 0
    screenshot(tab, "grid")

    tab.locator("a.tile").first.click()
    expect(tab.locator("img.photo")).to_be_visible()
    expect(tab.get_by_text("Processing · 6/6 ok")).to_be_visible()

    tab.locator("label[for=rate-4]").click()
    expect(tab.locator("#rate-4")).to_be_checked()
    tab.get_by_label("Add tag").fill("waterfall")
    tab.get_by_role("button", name="Add", exact=True).click()
    expect(tab.locator("#tags")).to_contain_text("waterfall")
    screenshot(tab, "detail")

    tab.reload()                          # what was saved survives a reload
    expect(tab.locator("#rate-4")).to_be_checked()
    expect(tab.locator("#tags")).to_contain_text("waterfall")

    here = tab.url
    tab.keyboard.press("ArrowRight")      # arrow keys move to the next photo
    expect(tab).not_to_have_url(here)

    # Upload two more photos (different content from the imported ones) and see them join the grid.
    uploads = [row.file for row in corpus.rows(expected="ok", folder="orientation")[4:6]]
    tab.goto(f"{app_url}/upload")
    tab.set_input_files("#upload-files", [str(path) for path in uploads])
    expect(tab.locator(".upload-row.uploaded")).to_have_count(2, timeout=30_000)
    expect(tab.locator("#upload-summary")).to_contain_text("2 of 2 done")
    screenshot(tab, "upload")
    for _ in range(deadline_polls):
        tab.goto(f"{app_url}/photos/")
        if tab.locator("a.tile img").count() == 6 and tab.locator("a.tile .badge").count() == 0:
            break
        tab.wait_for_timeout(1000)
    expect(tab.locator("a.tile img")).to_have_count(6)
    assert not blocked, blocked
