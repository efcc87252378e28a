"""Selecting photos in a real browser on a real `photonix up`: a check on hover, click and shift-click
across month boundaries, `x`, shift+arrows, Esc, a whole month, the bar's count, and tagging the selection."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def signed_in(app_url: str, app_data_dir: Path, chromium_browser: Browser,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An admin's library of four photos in four months, processed; the browser state of their session."""
    folder = copy_photos(dated_photos_in_distinct_months(PHOTOS), tmp_path_factory.mktemp("photos"))
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)
    state = context.storage_state()
    context.close()
    return state


def open_grid(browser: Browser, state: dict[str, Any], url: str, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, storage_state=state,
                                  java_script_enabled=javascript)
    tab = context.new_page()
    tab.goto(url)
    return tab


def test_select_by_click_shift_click_keys_and_month_then_tag_the_selection(
        app_url: str, chromium_browser: Browser, signed_in: dict[str, Any]) -> None:
    tab = open_grid(chromium_browser, signed_in, f"{app_url}/photos/")
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.reload()
    expect(tab.locator("section.month header.month-title")).to_have_count(PHOTOS)   # one month each

    boxes = tab.locator(".tile-box")
    checks = tab.locator(".tile-check")
    bar = tab.locator("#selection")
    count = tab.locator("#selection-count")
    expect(bar).to_be_hidden()

    # A check shows on hover; clicking it selects, and the bar appears with the count.
    expect(checks.nth(0)).to_have_css("opacity", "0")
    boxes.nth(0).hover()
    expect(checks.nth(0)).to_have_css("opacity", "1")
    checks.nth(0).click()
    expect(bar).to_be_visible()
    expect(count).to_have_text("1 photo selected")

    # Shift-click two months further down selects the range across both month boundaries.
    checks.nth(2).click(modifiers=["Shift"])
    expect(count).to_have_text("3 photos selected")
    assert [checks.nth(i).is_checked() for i in range(PHOTOS)] == [True, True, True, False]

    # `x` toggles the focused photo; Esc clears everything.
    tab.locator("a.tile").nth(3).focus()
    tab.keyboard.press("x")
    expect(count).to_have_text("4 photos selected")
    tab.keyboard.press("x")
    expect(count).to_have_text("3 photos selected")
    tab.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    assert not any(checks.nth(i).is_checked() for i in range(PHOTOS))

    # Shift+arrows extend from the focused tile.
    tab.locator("a.tile").nth(1).focus()
    tab.keyboard.press("x")
    tab.keyboard.press("Shift+ArrowRight")
    tab.keyboard.press("Shift+ArrowRight")
    expect(count).to_have_text("3 photos selected")
    assert [checks.nth(i).is_checked() for i in range(PHOTOS)] == [False, True, True, True]

    # While selecting, a click on a photo toggles it rather than opening it.
    tab.locator("a.tile").nth(3).click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))
    expect(count).to_have_text("2 photos selected")
    screenshot(tab, "selection-bar")
    bar.locator("summary", has_text="More").click()
    expect(bar.get_by_role("button", name="Reprocess")).to_be_visible()
    screenshot(tab, "selection-more-menu")
    tab.keyboard.press("Escape")                    # closes the menu, keeps the selection
    expect(count).to_have_text("2 photos selected")

    # Tag the selection: one POST, a toast with the sentence, and the selection is cleared.
    bar.locator("summary", has_text="Tag").click()
    tab.get_by_label("Tag name").fill("Paris")
    screenshot(tab, "selection-tag-menu")
    tab.get_by_role("button", name="Add tag").click()
    expect(tab.locator("#toasts")).to_contain_text("Tagged 2 photos “Paris”.")
    expect(bar).to_be_hidden()
    tagged_ids = [boxes.nth(i).get_attribute("id") for i in (1, 2)]

    # A refusal still says why in a toast, and keeps the selection: a photo that is no longer there.
    checks.nth(3).click()
    checks.nth(3).evaluate("box => { box.value = '2147483647'; }")
    bar.locator("summary", has_text="Tag").click()
    tab.get_by_label("Tag name").fill("Gone")
    tab.get_by_role("button", name="Add tag").click()
    expect(tab.locator("#toasts")).to_contain_text("None of these photos are here.")
    expect(count).to_have_text("1 photo selected")
    tab.keyboard.press("Escape")                    # closes the open menu first
    tab.keyboard.press("Escape")                    # then clears the selection
    expect(bar).to_be_hidden()

    # Rate one: its tile shows the stars at once.
    checks.nth(0).click()
    bar.locator("summary", has_text="Rate").click()
    bar.get_by_label("★★★★★", exact=True).check()
    bar.locator("button", has_text=re.compile(r"^Rate$")).click()
    expect(tab.locator("#toasts")).to_contain_text("Rated 1 photo ★★★★★.")
    expect(boxes.nth(0).locator(".stars-mini")).to_have_text("★5")

    # Across a month boundary into a new album.
    checks.nth(0).click()
    checks.nth(1).click(modifiers=["Shift"])
    bar.locator("summary", has_text="Add to album").click()
    bar.get_by_label("New album").fill("Summer")
    bar.get_by_role("button", name="Add to album").click()
    expect(tab.locator("#toasts")).to_contain_text("Added 2 photos to “Summer”.")
    tab.goto(f"{app_url}/albums")
    expect(tab.get_by_role("link", name=re.compile("Summer"))).to_be_visible()

    # Share… opens the share form for the selection.
    tab.goto(f"{app_url}/photos/")
    checks.nth(0).click()
    bar.locator("summary", has_text="More").click()
    bar.get_by_role("button", name="Share…").click()
    expect(tab).to_have_url(re.compile(r"/shares/new$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Share a photo")

    tab.goto(f"{app_url}/photos/?q=Paris")
    expect(tab.locator(".tile-box")).to_have_count(2)
    assert [tab.locator(".tile-box").nth(i).get_attribute("id") for i in range(2)] == tagged_ids

    # A month from its header: the bar counts the month, and the server acts on all of it.
    tab.goto(f"{app_url}/photos/")
    tab.locator(".month-title").first.hover()
    tab.get_by_label("Select this month").first.check()
    expect(count).to_have_text("1 photo selected")
    assert checks.nth(0).is_checked()
    screenshot(tab, "selection-month")
    assert blocked == []
    tab.context.close()


def test_without_javascript_the_checks_and_the_bar_still_tag_a_selection(
        app_url: str, chromium_browser: Browser, signed_in: dict[str, Any]) -> None:
    tab = open_grid(chromium_browser, signed_in, f"{app_url}/photos/", javascript=False)
    bar = tab.locator("#selection")
    expect(bar).to_be_hidden()
    checks = tab.locator(".tile-check")
    checks.nth(0).check()
    checks.nth(3).check()
    expect(bar).to_be_visible()                     # CSS :has() alone shows it
    bar.locator("summary", has_text="Tag").click()
    tab.get_by_label("Tag name").fill("Lyon")
    tab.get_by_role("button", name="Add tag").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))
    expect(tab.locator("#toasts")).to_contain_text("Tagged 2 photos “Lyon”.")
    chosen = [tab.locator(".tile-box").nth(i).get_attribute("id") for i in (0, 3)]
    tab.goto(f"{app_url}/photos/?q=Lyon")
    expect(tab.locator(".tile-box")).to_have_count(2)
    assert [tab.locator(".tile-box").nth(i).get_attribute("id") for i in range(2)] == chosen
    tab.context.close()


def test_moving_a_selection_to_the_trash_asks_once(app_url: str, chromium_browser: Browser,
                                                   signed_in: dict[str, Any]) -> None:
    tab = open_grid(chromium_browser, signed_in, f"{app_url}/photos/")
    boxes = tab.locator(".tile-box")
    expect(boxes).to_have_count(PHOTOS)
    tab.locator(".tile-check").nth(0).click()
    questions: list[str] = []

    def answer(accept: bool) -> None:
        tab.once("dialog", lambda dialog: (questions.append(dialog.message),
                                           dialog.accept() if accept else dialog.dismiss()))

    answer(accept=False)
    tab.keyboard.press("Delete")
    expect(tab.locator("#selection-count")).to_have_text("1 photo selected")
    expect(boxes).to_have_count(PHOTOS)                 # cancelled: nothing moved
    answer(accept=True)
    tab.keyboard.press("Delete")
    expect(tab.locator("#toasts")).to_contain_text("Moved 1 photo to the trash")
    expect(boxes).to_have_count(PHOTOS - 1)
    assert len(questions) == 2 and all("trash" in question for question in questions)
    tab.goto(f"{app_url}/photos/trash")
    expect(tab.locator(".tile-box")).to_have_count(1)
    tab.context.close()
