"""A real Photonix (`photonix up`: web, worker, embedded Redis, its own SQLite) and Debian's Chromium.

Chromium is installed with apt-get when missing (never `playwright install`); launched with the flags
CI machines need. Screenshots go to tests/artifacts/ (git-ignored) to be looked at."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import corpus
from tests.running import free_port, setup_code, start_up, wait_healthy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def ensure_chromium() -> Path:
    # One install at a time: CI runs the suite on both databases side by side, and two apt-gets at
    # once fail on dpkg's lock.
    with open(Path(tempfile.gettempdir()) / "photonix-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not CHROMIUM.exists():
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return CHROMIUM


# Module scope, not session: Playwright's sync API keeps an event loop running while it is open, and
# the async tests that follow need the thread's loop to themselves.
@pytest.fixture(scope="module")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data dir of the `photonix up` behind app_url (its setup code is there)."""
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="module")
def app_url(app_data_dir: Path) -> Iterator[str]:
    """`photonix up` on a free port with a fresh data dir; stopped (with its children) at the end."""
    port = free_port()
    process = start_up(app_data_dir, port,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(process, url)
    yield url
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:          # its whole session: the children have groups of their own
        subprocess.run(["pkill", "-KILL", "-s", str(process.pid)], check=False)


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    executable = ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(chromium_browser: Browser) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def copy_photos(rows: list, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        shutil.copy(row.file, folder / Path(row.path).name)
    return folder


PROCESSING_TIMEOUT_MS = 120_000


def dated_photos_in_distinct_months(count: int) -> list[corpus.Row]:
    """JPEGs of the corpus whose capture dates fall in `count` different months, newest first (the grid's
    order): a selection across month boundaries."""
    chosen: dict[str, corpus.Row] = {}
    this_year = datetime.now().year
    for row in corpus.rows(expected="ok"):
        # A date in the future is no date (the app lists such a photo under Undated).
        if row.format == "JPEG" and row.datetime_original and int(row.datetime_original[:4]) <= this_year:
            chosen.setdefault(row.datetime_original[:7], row)
    rows = sorted(chosen.values(), key=lambda row: row.datetime_original, reverse=True)[:count]
    assert len(rows) == count
    return rows


def first_run(tab: Page, app_url: str, app_data_dir: Path, folder: Path, library: str = "Family") -> None:
    """The welcome page's form: the setup code, the admin, a library of this folder; lands on the grid."""
    tab.goto(f"{app_url}/welcome")
    tab.get_by_label("Setup code").fill(setup_code(app_data_dir))
    tab.get_by_label("User name").fill("admin")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_label("Name", exact=True).fill(library)
    tab.get_by_label("Folder on this server").fill(str(folder))
    tab.get_by_role("button", name="Create and start importing").click()
    expect(tab).to_have_url(re.compile(r"/photos/?$"))


def first_run_with_photos(tab: Page, app_url: str, app_data_dir: Path, folder: Path, photos: int) -> None:
    """The first run's form with a folder of photos, then reload the grid until every photo shows its
    thumbnail and none is still being processed."""
    first_run(tab, app_url, app_data_dir, folder)
    thumbnails = tab.locator("a.tile img")
    for _ in range(PROCESSING_TIMEOUT_MS // 1000):
        if thumbnails.count() == photos and tab.locator("a.tile .badge").count() == 0:
            break
        tab.wait_for_timeout(1000)
        tab.reload()
    expect(thumbnails).to_have_count(photos)
