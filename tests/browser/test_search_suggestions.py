"""The header's search box in a real browser on a real `photonix up`: typing shows suggestions grouped by
kind under the box, picking one opens the grid of that tag, and a tag typed in another case is the same
tag."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    copy_photos,
    dated_photos_in_distinct_months,
    first_run_with_photos,
    screenshot,
)

pytestmark = pytest.mark.browser
PHOTOS = 3


@pytest.fixture(scope="module")
def library(app_url: str, app_data_dir: Path, chromium_browser: Browser,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An admin's library of three photos in three months, processed; their session and the months."""
    rows = dated_photos_in_distinct_months(PHOTOS)
    folder = copy_photos(rows, tmp_path_factory.mktemp("photos"))
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)
    state = context.storage_state()
    context.close()
    newest = datetime.strptime(rows[0].datetime_original[:10].replace(":", "-"), "%Y-%m-%d")
    return {"state": state, "newest": newest}


def test_typing_in_the_search_box_suggests_by_kind_and_a_pick_opens_its_grid(
        app_url: str, chromium_browser: Browser, library: dict[str, Any]) -> None:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900},
                                           storage_state=library["state"])
    tab = context.new_page()
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)

    # Tag the newest photo on its page, then tag the next one in another case: one tag.
    tab.goto(f"{app_url}/photos/")
    tab.locator("a.tile").first.click()
    tab.get_by_label("Add tag").fill("Holiday 2008")
    tab.get_by_role("button", name="Add", exact=True).click()
    expect(tab.locator("#tags li.generic")).to_contain_text("Holiday 2008")
    tab.locator("a.nav.next").click()
    tab.get_by_label("Add tag").fill("holiday 2008")
    tab.get_by_role("button", name="Add", exact=True).click()
    expect(tab.locator("#tags li.generic")).to_have_text(re.compile(r"^\s*Holiday 2008\s*×?\s*$"))
    screenshot(tab, "search-tags-photo-page")

    tab.goto(f"{app_url}/photos/")
    box = tab.get_by_role("searchbox", name="Search photos")
    box.click()
    box.press_sequentially("holi", delay=40)
    panel = tab.locator("#search-suggestions")
    expect(panel.locator("h2")).to_have_text(["Search", "Tags"])
    expect(panel.get_by_role("link", name=re.compile("Holiday 2008"))).to_contain_text("2 photos")
    screenshot(tab, "search-suggestions-tag")

    # A month's first letters: the event classifier's month tag, and the dates the words name.
    month = library["newest"].strftime("%B")
    box.fill("")
    box.press_sequentially(month[:3].lower(), delay=40)
    expect(panel.get_by_role("heading", name="Dates & events")).to_be_visible()
    expect(panel.get_by_role("link", name=re.compile(f"^{month}"))).to_be_visible()
    expect(panel.get_by_role("link", name=f"Taken in {month}")).to_be_visible()
    screenshot(tab, "search-suggestions-month")

    # Esc empties the list and keeps the box; ↓ walks the suggestions, Enter opens one.
    box.press("Escape")
    expect(panel).to_be_hidden()
    expect(box).to_be_focused()
    box.fill("")
    box.press_sequentially("holi", delay=40)
    expect(panel.get_by_role("link", name=re.compile("Holiday 2008"))).to_be_visible()
    box.press("ArrowDown")
    expect(panel.get_by_role("link", name=re.compile("Everything matching"))).to_be_focused()
    tab.keyboard.press("ArrowDown")
    expect(panel.get_by_role("link", name=re.compile("Holiday 2008"))).to_be_focused()
    screenshot(tab, "search-suggestions-keyboard")
    tab.keyboard.press("Enter")
    expect(tab).to_have_url(re.compile(r"/photos/\?tag=Holiday\+2008$"))
    expect(tab.locator("a.tile")).to_have_count(2)
    expect(panel).to_be_hidden()                    # empty until typed in again
    screenshot(tab, "search-suggestions-picked")
    assert blocked == []
    context.close()
