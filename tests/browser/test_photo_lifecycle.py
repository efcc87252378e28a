"""Favourite, archive, trash and restore in a real browser on a real `photonix up`: by button and by key."""

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
PHOTOS = 2


def _welcome_with_photos(app_url: str, app_data_dir: Path, tab: Page, folder: Path) -> None:
    tab.goto(f"{app_url}/welcome")
    tab.get_by_label("Setup code").fill(setup_code(app_data_dir))
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill("Family")
    tab.get_by_label("Folder on this server").fill(str(folder))
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))
    thumbnails = tab.locator("a.tile img")
    for _ in range(PROCESSING_TIMEOUT_MS // 1000):
        if thumbnails.count() == PHOTOS and tab.locator("a.tile .badge").count() == 0:
            break
        tab.wait_for_timeout(1000)
        tab.reload()
    expect(thumbnails).to_have_count(PHOTOS)


def test_favourite_trash_restore_and_archive_on_the_photo_page_the_grid_and_the_trash(
        app_url: str, app_data_dir: Path, tab: Page, tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:PHOTOS], tmp_path / "photos")
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    _welcome_with_photos(app_url, app_data_dir, tab, folder)
    tab.locator("a.tile").first.click()
    expect(tab.locator("img.photo")).to_be_visible()

    heart = tab.get_by_role("button", name="Favourite")
    expect(heart).to_have_attribute("aria-pressed", "false")
    tab.keyboard.press("f")
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(tab.locator("#toasts")).to_contain_text("Added to your favourites")

    tab.keyboard.press("Delete")
    expect(tab.locator("#lifecycle")).to_contain_text("In the trash")
    expect(tab.locator("#toasts")).to_contain_text("Moved to the trash")
    screenshot(tab, "photo-in-trash")
    tab.get_by_role("button", name="Restore").click()
    expect(tab.get_by_role("button", name="Move to trash")).to_be_visible()

    tab.get_by_role("button", name="Archive", exact=True).click()
    expect(tab.get_by_role("button", name="Unarchive")).to_be_visible()

    tab.reload()                            # all of it was saved
    expect(tab.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")
    expect(tab.get_by_role("button", name="Unarchive")).to_be_visible()
    expect(tab.get_by_role("button", name="Move to trash")).to_be_visible()

    # The archived photo left the main grid; `f` on the focused tile that stays marks it in place.
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile")).to_have_count(PHOTOS - 1)
    tile = tab.locator("a.tile").first
    photo_id = (tile.get_attribute("id") or "")[1:]
    tile.focus()
    tab.keyboard.press("f")
    expect(tab.locator(f"#fav-tile-{photo_id}")).to_have_attribute("data-favourite", "true")
    expect(tab.locator("#toasts")).to_contain_text("Added to your favourites")
    tab.goto(f"{app_url}/photos/archive")
    expect(tab.locator("a.tile")).to_have_count(1)

    # Trash it from its page, find it in the trash view, and bring it back with Restore all.
    tab.goto(f"{app_url}/photos/{photo_id}")
    tab.keyboard.press("Delete")
    expect(tab.locator("#lifecycle")).to_contain_text("In the trash")
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile")).to_have_count(0)
    tab.goto(f"{app_url}/photos/trash")
    expect(tab.locator("a.tile")).to_have_count(1)
    screenshot(tab, "trash-view")
    tab.get_by_role("button", name="Restore all").click()
    expect(tab.locator("#toasts")).to_contain_text("Restored 1 photo from the trash.")
    expect(tab.get_by_text("The trash is empty.")).to_be_visible()
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile")).to_have_count(PHOTOS - 1)
    assert not blocked, blocked
