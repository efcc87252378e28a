"""A share link in real browsers: the owner makes it with a password, a stranger in a fresh signed-out
context opens it (wrong password, then the right one), views and downloads where allowed, and the link
dies when revoked. Screenshots of the public page at phone and desktop sizes go to tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import corpus
from tests.browser.conftest import copy_photos, first_run_with_photos, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}




def _stranger(browser: Browser, viewport: dict[str, int]) -> Page:
    return browser.new_context(viewport=viewport, has_touch=viewport is PHONE).new_page()


def test_share_with_password_view_download_and_revoke(app_url: str, app_data_dir: Path, tab: Page,
                                                      chromium_browser: Browser, tmp_path: Path) -> None:
    folder = copy_photos(corpus.rows(expected="ok", folder="orientation")[:4], tmp_path / "photos")
    blocked: list[str] = []
    first_run_with_photos(tab, app_url, app_data_dir, folder, 4)
    ids = [int((tile.get_attribute("id") or "p0")[1:]) for tile in tab.locator("a.tile").all()]

    # The owner shares three photos with a password and an expiry; no downloads yet.
    tab.goto(f"{app_url}/shares/new?" + "&".join(f"ids={i}" for i in ids[:3]))
    expect(tab.get_by_role("heading", name="Share 3 photos")).to_be_visible()
    tab.get_by_label("Title").fill("Weekend by the lake")
    tab.get_by_label("Expires").select_option("7d")
    tab.get_by_label("Password").fill("open sesame")
    tab.get_by_label("No downloads").check()
    tab.get_by_role("button", name="Make the link").click()
    url = tab.get_by_label("The link", exact=True).input_value()
    assert re.fullmatch(rf"{re.escape(app_url)}/s/[A-Za-z0-9_-]{{32}}", url)
    screenshot(tab, "share-form")

    # A stranger on a phone: wrong password, then the right one.
    phone = _stranger(chromium_browser, PHONE)
    phone.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    phone.goto(url)
    expect(phone.get_by_role("heading", name="Weekend by the lake")).to_be_visible()
    screenshot(phone, "share-phone-password")
    phone.get_by_label("This link needs a password").fill("guess")
    phone.get_by_role("button", name="Open").click()
    expect(phone.get_by_role("alert")).to_contain_text("That password isn’t right".replace("’", "'"))
    phone.get_by_label("This link needs a password").fill("open sesame")
    phone.get_by_role("button", name="Open").click()
    tiles = phone.locator("a.tile img")
    expect(tiles).to_have_count(3)
    for index in range(3):
        expect(tiles.nth(index)).to_have_js_property("complete", True)
        assert tiles.nth(index).evaluate("img => img.naturalWidth") > 0
    expect(phone.get_by_role("link", name="Download all")).to_have_count(0)
    screenshot(phone, "share-phone")

    # The viewer: keys move and Esc goes back; no download while downloads are off.
    phone.locator("a.tile").first.click()
    expect(phone.locator("img.photo")).to_be_visible()
    expect(phone.get_by_role("link", name="Download")).to_have_count(0)
    screenshot(phone, "share-phone-viewer")
    first = phone.url
    phone.keyboard.press("ArrowRight")
    expect(phone).not_to_have_url(first)
    phone.keyboard.press("ArrowLeft")
    expect(phone).to_have_url(first)
    photo_id = first.rsplit("/", 1)[1]
    blocked_download = phone.request.get(f"{url}/photos/{photo_id}/download")
    assert blocked_download.status == 404
    phone.keyboard.press("Escape")
    expect(phone.locator("a.tile img")).to_have_count(3)

    # The owner allows display-size downloads: the stranger now gets them, one by one and as a zip.
    tab.get_by_label("Display size (1920 px)").check()
    tab.get_by_role("button", name="Save").click()
    expect(tab.locator("#toasts")).to_contain_text("saved")
    desktop = _stranger(chromium_browser, DESKTOP)
    desktop.goto(url)
    desktop.get_by_label("This link needs a password").fill("open sesame")
    desktop.get_by_role("button", name="Open").click()
    expect(desktop.locator("a.tile img")).to_have_count(3)
    with desktop.expect_download() as zipped:
        desktop.get_by_role("link", name="Download all").click()
    assert zipped.value.suggested_filename == "photos.zip"
    screenshot(desktop, "share-desktop")
    desktop.locator("a.tile").nth(1).click()
    expect(desktop.locator("img.photo")).to_be_visible()
    screenshot(desktop, "share-desktop-viewer")
    with desktop.expect_download() as one:
        desktop.get_by_role("link", name="Download").click()
    assert re.fullmatch(r"photo-\d+\.\w+", one.value.suggested_filename)

    # A one-photo link opens straight in the viewer.
    tab.goto(f"{app_url}/shares/new?photo={ids[3]}")
    tab.get_by_role("button", name="Make the link").click()
    single = tab.get_by_label("The link", exact=True).input_value()
    phone.goto(single)
    expect(phone.locator("img.photo")).to_be_visible()
    expect(phone.get_by_role("heading", name="A shared photo")).to_be_visible()
    screenshot(phone, "share-phone-single")
    tab.goto(url.replace("/s/", "/shares/").rsplit("/", 1)[0] + "/")
    tab.locator("a", has_text="3 photos").click()

    # Revoked: the link is dead for everyone who held it.
    tab.get_by_role("button", name="Revoke this link").click()
    expect(tab.locator("#toasts")).to_contain_text("revoked")
    response = desktop.goto(url)
    assert response is not None and response.status == 410
    expect(desktop.get_by_role("heading", name="This link was turned off")).to_be_visible()
    assert desktop.request.get(f"{url}/photos/{photo_id}/thumbnail/medium").status == 410
    screenshot(desktop, "share-revoked")
    assert not blocked, blocked
    phone.context.close()
    desktop.context.close()
