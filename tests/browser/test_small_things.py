"""The small things in a real browser: the `?` shortcuts dialog, the theme switch, keys pressed while the
photo page still loads, the photo staying in view beside a long info panel, and /schema with no network."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import (
    copy_photos,
    dated_photos_in_distinct_months,
    first_run_with_photos,
    screenshot,
)

pytestmark = pytest.mark.browser
PHOTOS = 3
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
DARK_BG = "rgb(16, 17, 20)"
LIGHT_BG = "rgb(255, 255, 255)"


def background(tab: Page) -> str:
    return tab.evaluate("getComputedStyle(document.body).backgroundColor")


def check_shortcuts_dialog(tab: Page, name: str) -> None:
    """`?` opens the list, Esc closes it and focus comes back to the page."""
    dialog = tab.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_hidden()
    tab.keyboard.press("?")
    expect(dialog).to_be_visible()
    for action in ("Search", "Select the photo, or unselect it", "Move the selected photos to the trash",
                   "Newer or older photo", "Rate it; 0 clears the rating"):
        expect(dialog).to_contain_text(action)
    tab.keyboard.press("ArrowRight")                    # no shortcut acts behind an open dialog
    assert dialog.is_visible()
    screenshot(tab, name)
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_shortcuts_dialog_the_theme_switch_early_keys_and_the_sticky_photo(
        app_url: str, app_data_dir: Path, tab: Page, tmp_path: Path) -> None:
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    folder = copy_photos(dated_photos_in_distinct_months(PHOTOS), tmp_path / "photos")
    first_run_with_photos(tab, app_url, app_data_dir, folder, PHOTOS)

    # The `?` dialog, from the key and from the header's button, at desktop and phone widths.
    check_shortcuts_dialog(tab, "shortcuts-dialog-1400")
    tab.get_by_role("button", name="Keyboard shortcuts").click()
    expect(tab.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    tab.get_by_role("button", name="Close").click()
    expect(tab.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    tab.set_viewport_size(PHONE)
    check_shortcuts_dialog(tab, "shortcuts-dialog-390")
    tab.set_viewport_size(DESKTOP)

    # Theme: dark by default whatever the system prefers; System follows the browser's preference; Light
    # and Dark stick across pages and reloads.
    tab.emulate_media(color_scheme="light")
    tab.goto(f"{app_url}/account")
    expect(tab.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(tab) == DARK_BG
    tab.get_by_role("button", name="System").click()
    expect(tab.locator("html")).to_have_attribute("data-theme", "system")
    assert background(tab) == LIGHT_BG
    tab.emulate_media(color_scheme="dark")
    assert background(tab) == DARK_BG
    tab.emulate_media(color_scheme="light")
    tab.get_by_role("button", name="Dark").click()
    expect(tab.locator("html")).to_have_attribute("data-theme", "dark")
    expect(tab.get_by_role("button", name="Dark")).to_have_attribute("aria-pressed", "true")
    assert background(tab) == DARK_BG                   # whatever the system prefers
    tab.locator("#appearance").scroll_into_view_if_needed()
    screenshot(tab, "theme-dark-account-1400")
    tab.get_by_role("button", name="Light").click()
    expect(tab.locator("html")).to_have_attribute("data-theme", "light")
    tab.locator("#appearance").scroll_into_view_if_needed()
    screenshot(tab, "theme-light-account-1400")
    tab.goto(f"{app_url}/photos/")
    assert background(tab) == LIGHT_BG
    screenshot(tab, "theme-light-grid-1400")
    tab.set_viewport_size(PHONE)
    tab.goto(f"{app_url}/account#appearance")
    screenshot(tab, "theme-light-account-390")
    tab.set_viewport_size(DESKTOP)

    # A key pressed while the photo page is still arriving acts: htmx (deferred) is held back, so the page
    # is parsed but not done loading when → is pressed.
    tab.goto(f"{app_url}/photos/")
    first, second = [tab.locator("a.tile").nth(i).get_attribute("href") or "" for i in range(2)]
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    tab.route(re.compile(r"/static/vendor/htmx"), hold)
    tab.goto(f"{app_url}{first}", wait_until="commit")
    tab.wait_for_selector("a.nav.next", state="attached")
    assert tab.evaluate("document.readyState") != "complete"
    tab.keyboard.press("ArrowRight")
    expect(tab).to_have_url(re.compile(re.escape(urlsplit(second).path) + r"$"))
    assert held, "htmx was not held back"
    tab.unroute(re.compile(r"/static/vendor/htmx"))    # the held requests went with the page that was left

    # The photo stays in view while the page scrolls down a long info panel.
    tab.set_viewport_size({"width": 1400, "height": 560})
    tab.goto(f"{app_url}{first}")
    expect(tab.locator("img.photo")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollHeight > innerHeight + 100"), "nothing to scroll"
    tab.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    tab.wait_for_timeout(200)
    box = tab.locator("img.photo").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 560 + 1, box
    screenshot(tab, "photo-sticky-scrolled-1400")
    assert blocked == []


def test_the_schema_page_draws_with_no_network(app_url: str, app_data_dir: Path, tab: Page,
                                                tmp_path: Path) -> None:
    outside: list[str] = []

    def only_the_app(route: Route) -> None:
        if route.request.url.startswith(app_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.route("**/*", only_the_app)
    tab.goto(f"{app_url}/login")
    tab.get_by_label("User", exact=True).fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_role("button", name="Sign in").click()
    tab.goto(f"{app_url}/schema")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("Photonix")
    expect(tab.locator(".opblock-summary-path", has_text="/api/v1/photos").first).to_be_visible()
    screenshot(tab, "schema-offline-1400")
    assert outside == [] and blocked == []
