"""The first run in a real browser, as a newcomer: the welcome form with a folder of photos, then the grid
shows the import's progress (never "No photos yet" with a terminal command while it runs) and the photos
arrive without a reload; later ones too, first as tiles still processing, then with their thumbnails.
Screenshots at phone and desktop sizes go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, first_run, screenshot
from tests.browser.test_jobs_dashboard import pause_everything, resume_everything

pytestmark = pytest.mark.browser
PHOTOS = 6
ARRIVAL_MS = 120_000


def test_after_the_welcome_form_the_grid_shows_the_import_and_the_photos_arrive_by_themselves(
        app_url: str, app_data_dir: Path, tab: Page, tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:PHOTOS], tmp_path / "photos")
    tab.goto(f"{app_url}/welcome")
    screenshot(tab, "first-run-welcome")
    first_run(tab, app_url, app_data_dir, folder)

    # Whatever moment the page lands on, it says how the import goes, never "No photos yet".
    progress_or_tiles = tab.locator("#import-progress, a.tile")
    expect(progress_or_tiles.first).to_be_visible()
    expect(tab.get_by_text("No photos yet")).to_have_count(0)
    expect(tab.get_by_text("photonix import")).to_have_count(0)
    screenshot(tab, "first-run-progress")

    # The photos come in by themselves: no reload from here on.
    tab.wait_for_function("n => document.querySelectorAll('a.tile').length >= n", arg=1, timeout=ARRIVAL_MS)
    expect(tab.locator("a.tile img")).to_have_count(PHOTOS, timeout=ARRIVAL_MS)
    expect(tab.locator("a.tile .badge")).to_have_count(0)
    screenshot(tab, "first-run-grid")

    # Live: with the pipeline paused, new files in the folder arrive as tiles still processing; resumed,
    # their thumbnails come in. The grid's tab is never reloaded.
    controls = tab.context.new_page()
    pause_everything(controls, app_url)
    copy_photos(corpus.rows(expected="ok", folder="orientation")[PHOTOS:PHOTOS + 2], folder)
    expect(tab.locator("a.tile")).to_have_count(PHOTOS + 2, timeout=ARRIVAL_MS)
    expect(tab.locator("a.tile .badge")).to_have_count(2)                 # ⏳ still processing
    screenshot(tab, "live-grid-arrived")
    resume_everything(controls, app_url)
    expect(tab.locator("a.tile img")).to_have_count(PHOTOS + 2, timeout=ARRIVAL_MS)
    expect(tab.locator("a.tile .badge")).to_have_count(0)
    screenshot(tab, "live-grid-finished")
    tab.set_viewport_size({"width": 390, "height": 844})
    screenshot(tab, "first-run-grid-phone")
