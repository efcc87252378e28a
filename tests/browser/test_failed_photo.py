"""A failed photo in a real browser on a real `photonix up`: its tile names the file and the failing step,
and its page says in words why there is no preview, the library's own text one click away. Screenshots at
1400x900 and 390x844."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import corpus
from tests.browser.conftest import PROCESSING_TIMEOUT_MS, copy_photos, first_run, screenshot

pytestmark = pytest.mark.browser
GOOD = corpus.rows(expected="ok", folder="orientation")[0]
PHONE = {"width": 390, "height": 844}


def library_with_a_cut_off_photo(folder: Path) -> Path:
    """One good photo, and "Beach day.jpg": a real JPEG cut off halfway, as an interrupted copy leaves it."""
    copy_photos([GOOD], folder)
    data = GOOD.file.read_bytes()
    (folder / "Beach day.jpg").write_bytes(data[: len(data) // 2])
    return folder


def test_a_failed_photo_names_itself_in_the_grid_and_says_why_on_its_page(
        app_url: str, app_data_dir: Path, tab: Page, tmp_path: Path) -> None:
    first_run(tab, app_url, app_data_dir, library_with_a_cut_off_photo(tmp_path / "photos"))
    failed_tile = tab.locator("a.tile", has=tab.locator(".failed-step"))
    for _ in range(PROCESSING_TIMEOUT_MS // 1000):
        if failed_tile.count() == 1 and tab.locator("a.tile img").count() == 1:
            break
        tab.wait_for_timeout(1000)
        tab.reload()
    expect(failed_tile).to_contain_text("Beach day.jpg")
    expect(failed_tile.locator(".file-type")).to_have_text("JPG")
    expect(failed_tile).to_contain_text("make thumbnails failed")
    screenshot(tab, "failed-photo-grid-1400")

    failed_tile.click()
    stage = tab.locator(".photo.missing.failed")
    expect(stage).to_contain_text("No preview: make thumbnails failed.")
    expect(stage).to_contain_text("The file ends early: it was cut off while copying or downloading")
    assert tab.title().startswith("Beach day.jpg")
    technical = stage.locator("details.technical")
    expect(technical.locator("code")).to_be_hidden()
    technical.locator("summary").click()
    expect(technical.locator("code")).to_contain_text("image file is truncated")
    processing = tab.locator("summary", has_text="Processing ·")
    expect(processing).to_contain_text(re.compile(r"1 failed, \d+ not run"))
    screenshot(tab, "failed-photo-page-1400")

    tab.set_viewport_size(PHONE)
    tab.reload()
    stage = tab.locator(".photo.missing.failed")
    expect(stage).to_contain_text("No preview: make thumbnails failed.")
    tab.evaluate("window.scrollTo(0, 0)")
    screenshot(tab, "failed-photo-page-390")
    tab.go_back()
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile", has=tab.locator(".failed-step"))).to_contain_text("Beach day.jpg")
    screenshot(tab, "failed-photo-grid-390")
