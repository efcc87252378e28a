"""The albums issue's flow in one real browser session, as a user would go through it: select photos across
a month boundary with shift-click, put them in a new album from the selection bar, rename the album and
choose its cover, share it with a password and an expiry, open the link signed out (a wrong password, then
the right one), view, download only once the owner allows it, and revoke: the link is dead."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    copy_photos,
    dated_photos_in_distinct_months,
    first_run_with_photos,
    screenshot,
)

pytestmark = pytest.mark.browser
PHOTOS = 4


def test_shift_click_across_months_into_an_album_renamed_covered_shared_and_revoked(
        app_url: str, app_data_dir: Path, tab: Page, chromium_browser: Browser, tmp_path: Path) -> None:
    folder = copy_photos(dated_photos_in_distinct_months(PHOTOS), tmp_path / "photos")
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)
    expect(tab.locator("section.month header.month-title")).to_have_count(PHOTOS)      # a month each
    library = [int((tile.get_attribute("id") or "p0")[1:]) for tile in tab.locator("a.tile").all()]

    # Shift-click from the first photo to the third: three photos across two month boundaries.
    checks = tab.locator(".tile-check")
    tab.locator(".tile-box").nth(0).hover()
    checks.nth(0).click()
    checks.nth(2).click(modifiers=["Shift"])
    expect(tab.locator("#selection-count")).to_have_text("3 photos selected")

    # Into a new album, from the bar.
    bar = tab.locator("#selection")
    bar.locator("summary", has_text="Add to album").click()
    bar.get_by_label("New album").fill("Summer")
    bar.get_by_role("button", name="Add to album").click()
    expect(tab.locator("#toasts")).to_contain_text("Added 3 photos to “Summer”")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Albums").click()
    tab.get_by_role("link", name=re.compile("Summer")).click()
    expect(tab.locator("#grid a.tile img")).to_have_count(3)
    album_url = tab.url
    in_album = [int((tile.get_attribute("id") or "p0")[1:]) for tile in tab.locator("#grid a.tile").all()]
    assert in_album == library[:3]

    # Renamed in place, and a cover chosen from its photos.
    tab.get_by_role("link", name="Edit title and description").click()
    tab.get_by_label("Title").fill("Lake Annecy")
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("heading", name="Lake Annecy", level=1)).to_be_visible()
    tab.locator("summary", has_text="Cover and photos").click()
    tab.get_by_role("button", name=f"Make cover (photo {library[1]})").click()
    expect(tab.locator("#toasts")).to_contain_text("The cover is chosen")
    screenshot(tab, "flow-album")

    # A public link to the album: a password, an expiry in 7 days, no downloads for now.
    tab.get_by_role("link", name="Public link").click()
    tab.get_by_label("Expires").select_option("7d")
    tab.get_by_label("Password").fill("open sesame")
    tab.get_by_label("No downloads").check()
    tab.get_by_role("button", name="Make the link").click()
    url = tab.get_by_label("The link", exact=True).input_value()
    assert re.fullmatch(rf"{re.escape(app_url)}/s/[A-Za-z0-9_-]{{32}}", url)
    edit_url = tab.url

    # A stranger, signed out in a fresh context: the wrong password, then the right one.
    stranger = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    visitor = stranger.new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="Lake Annecy")).to_be_visible()
    visitor.get_by_label("This link needs a password").fill("open says me")
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.get_by_role("alert")).to_contain_text("That password isn't right")
    visitor.get_by_label("This link needs a password").fill("open sesame")
    visitor.get_by_role("button", name="Open").click()
    tiles = visitor.locator("a.tile img")
    expect(tiles).to_have_count(3)
    for index in range(3):
        expect(tiles.nth(index)).to_have_js_property("complete", True)
        assert tiles.nth(index).evaluate("img => img.naturalWidth") > 0
    assert "admin" not in visitor.content() and "Family" not in visitor.content()
    expect(visitor.get_by_role("link", name="Download all")).to_have_count(0)
    assert visitor.request.get(f"{url}/download").status == 404
    assert visitor.request.get(f"{url}/photos/{library[0]}/download").status == 404
    assert visitor.request.get(f"{url}/photos/{library[3]}/thumbnail/medium").status == 404   # not shared
    screenshot(visitor, "flow-shared-album")

    # The owner allows originals: the stranger downloads the album as a zip of its three photos.
    tab.goto(edit_url)
    tab.get_by_label("Originals (with their EXIF").check()
    tab.get_by_role("button", name="Save").click()
    expect(tab.locator("#toasts")).to_contain_text("saved")
    visitor.reload()
    with visitor.expect_download() as zipped:
        visitor.get_by_role("link", name="Download all").click()
    saved = tmp_path / "album.zip"
    zipped.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert len([name for name in archive.namelist() if not name.endswith(".txt")]) == 3

    # Revoked: the page and its images answer 410 for the stranger.
    tab.goto(edit_url)
    tab.get_by_role("button", name="Revoke this link").click()
    expect(tab.locator("#toasts")).to_contain_text("revoked")
    response = visitor.goto(url)
    assert response is not None and response.status == 410
    assert visitor.request.get(f"{url}/photos/{library[0]}/thumbnail/medium").status == 410
    screenshot(visitor, "flow-revoked")
    tab.goto(album_url)
    expect(tab.get_by_role("heading", name="Lake Annecy", level=1)).to_be_visible()       # the album stays
    stranger.close()
