"""Favourite, archive, trash and restore in a real browser on a real `photonix up`: by button and by key."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, first_run_with_photos, screenshot

pytestmark = pytest.mark.browser
PHOTOS = 2




def test_favourite_trash_restore_and_archive_on_the_photo_page_the_grid_and_the_trash(
        app_url: str, app_data_dir: Path, tab: Page, chromium_browser: Browser, tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:PHOTOS], tmp_path / "photos")
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)
    tab.locator("a.tile").first.click()
    expect(tab.locator("img.photo")).to_be_visible()

    heart = tab.get_by_role("button", name="Favourite")
    expect(heart).to_have_attribute("aria-pressed", "false")
    tab.keyboard.press("f")
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(tab.locator("#toasts")).to_contain_text("Added to your favourites")

    # Moving to the trash asks once, in a dialog (the no-JS confirm box is hidden): cancelled, nothing moves.
    expect(tab.get_by_label("Yes, move it to the trash")).to_be_hidden()
    asked: list[str] = []

    def answer(accept: bool) -> None:
        def reply(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        tab.once("dialog", reply)

    answer(False)
    tab.keyboard.press("Delete")
    while not asked:                        # the page waits on the dialog until it is answered
        tab.wait_for_timeout(50)
    expect(tab.get_by_role("button", name="Move to trash")).to_be_visible()
    expect(tab.locator("#lifecycle")).not_to_contain_text("In the trash")
    answer(True)
    tab.keyboard.press("Delete")
    expect(tab.locator("#lifecycle")).to_contain_text("In the trash")
    expect(tab.locator("#toasts")).to_contain_text("Moved to the trash")
    assert len(asked) == 2 and all(message.startswith("Move this photo to the trash?") for message in asked)
    screenshot(tab, "photo-in-trash")
    tab.get_by_role("button", name="Restore").click()
    expect(tab.get_by_role("button", name="Move to trash")).to_be_visible()
    expect(tab.get_by_label("Yes, move it to the trash")).to_be_hidden()     # the swapped-in form asks too

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
    answer(True)
    tab.get_by_role("button", name="Move to trash").click()
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

    # Without JS the same form asks by its box: ticked, the plain POST moves the photo; Restore asks nothing.
    plain = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(f"{app_url}/login")
        page.get_by_label("User").fill("admin")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{app_url}/photos/{photo_id}")
        page.get_by_label("Yes, move it to the trash").check()
        page.get_by_role("button", name="Move to trash").click()
        expect(page.locator("#lifecycle")).to_contain_text("In the trash")
        expect(page.get_by_text("Moved to the trash")).to_be_visible()
        page.get_by_role("button", name="Restore").click()
        expect(page.get_by_role("button", name="Move to trash")).to_be_visible()
    finally:
        plain.close()
