"""Albums in a real browser, by route, on a real `photonix up`: /albums (the list route the old Photonix
never matched), /albums/{id} with the library's grid, adding from a photo's page, rename in place, a
cover, and delete (the photos stay)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, first_run_with_photos, screenshot

pytestmark = pytest.mark.browser
PHOTOS = 4




def grid_ids(tab: Page) -> list[str]:
    return [str(tile.get_attribute("id")) for tile in tab.locator("#grid a.tile").all()]


def test_albums_list_album_page_rename_cover_and_delete(app_url: str, app_data_dir: Path, tab: Page,
                                                       tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:PHOTOS], tmp_path / "photos")
    blocked: list[str] = []               # what the Content-Security-Policy refused, from the console
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)
    library = grid_ids(tab)

    # /albums, with and without a query string (the old route held one in its path and never matched)
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Albums").click()
    expect(tab).to_have_url(re.compile(r"/albums$"))
    expect(tab.get_by_role("heading", name="Albums", level=1)).to_be_visible()
    expect(tab.get_by_text("No albums yet")).to_be_visible()
    assert tab.goto(f"{app_url}/albums?sort=title").status == 200        # type: ignore[union-attr]

    # create, then add three photos from their own pages' Albums panel
    tab.locator("summary", has_text="New album").click()
    tab.get_by_label("Title").fill("Summer")
    tab.get_by_role("button", name="Create album").click()
    expect(tab).to_have_url(re.compile(r"/albums/\d+$"))
    album_url = tab.url
    expect(tab.get_by_role("heading", name="Summer", level=1)).to_be_visible()
    expect(tab.get_by_text("No photos in this album yet")).to_be_visible()
    for tile_id in library[:3]:
        tab.goto(f"{app_url}/photos/{tile_id[1:]}")
        panel = tab.locator("#photo-albums")
        panel.get_by_label("Add to album").select_option(label="Summer")
        panel.get_by_role("button", name="Add to album").click()
        expect(tab.locator("#photo-albums").get_by_role("link", name="Summer")).to_be_visible()
        expect(tab.locator("#toasts")).to_contain_text("Added to Summer")
    screenshot(tab, "photo-albums")

    # /albums/{id}: the library's grid, the same tiles in the same (newest first) order
    tab.goto(album_url)
    expect(tab.locator("#grid a.tile img")).to_have_count(3)
    assert grid_ids(tab) == library[:3]
    expect(tab.locator(".album-meta").first).to_contain_text("3 photos")
    screenshot(tab, "album")

    # rename in place: the head swaps to a form and back, and the new title survives a reload
    tab.get_by_role("link", name="Edit title and description").click()
    tab.get_by_label("Title").fill("Lake Annecy")
    tab.get_by_label("Description").fill("Two weeks in July")
    screenshot(tab, "album-edit")
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("heading", name="Lake Annecy", level=1)).to_be_visible()
    expect(tab.locator("#album-head")).to_contain_text("Two weeks in July")
    assert tab.url == album_url                                            # swapped, not navigated
    tab.reload()
    expect(tab.get_by_role("heading", name="Lake Annecy", level=1)).to_be_visible()
    expect(tab).to_have_title(re.compile("Lake Annecy"))

    # a cover from the album's own photos; /albums shows it, with the count
    tab.locator("summary", has_text="Cover and photos").click()
    chosen = library[2][1:]
    expect(tab.locator(".arrange-item img").last).to_have_js_property("complete", True)
    screenshot(tab, "album-arrange")
    tab.get_by_role("button", name=f"Make cover (photo {chosen})").click()
    expect(tab.locator("#toasts")).to_contain_text("The cover is chosen")
    tab.goto(f"{app_url}/albums")
    card = tab.get_by_role("link", name=re.compile("Lake Annecy"))
    expect(card).to_contain_text("3 photos")
    cover = card.locator("img")
    expect(cover).to_have_attribute("src", f"/photos/{chosen}/thumbnail/square")
    expect(cover).to_have_js_property("complete", True)
    assert cover.evaluate("img => img.naturalWidth") > 0
    screenshot(tab, "albums")

    # delete, after the page's confirmation: the album goes, its photos stay
    tab.goto(album_url)
    tab.locator("summary", has_text="Delete album").click()
    expect(tab.get_by_text("stay in your library")).to_be_visible()
    tab.get_by_role("button", name="Delete “Lake Annecy”").click()
    expect(tab).to_have_url(re.compile(r"/albums$"))
    expect(tab.locator("#toasts")).to_contain_text("Deleted the album Lake Annecy")
    expect(tab.get_by_text("No albums yet")).to_be_visible()
    assert tab.goto(album_url).status == 404                               # type: ignore[union-attr]
    tab.goto(f"{app_url}/photos/")
    expect(tab.locator("a.tile img")).to_have_count(PHOTOS)
    assert not blocked, blocked
