"""Packaging: uv.lock agrees with pyproject.toml; the built wheel serves its pages outside the checkout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from tests.running import free_port, wait_healthy

REPO = Path(__file__).resolve().parents[1]
# What setup.py needs to build the wheel; copied so the build leaves nothing in the checkout.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "photonix", "templates", "static", "piccolo_migrations")


def _outside_env() -> dict[str, str]:
    """The environment without PYTHONPATH or our settings: nothing may lead back to the checkout."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_") and k != "PYTHONPATH"}


def _requirement_key(requirement: Requirement) -> tuple[str, frozenset[str], str, str]:
    name = requirement.name.lower().replace("_", "-")
    return name, frozenset(requirement.extras), str(requirement.specifier), str(requirement.marker or "")


def test_lock_file_records_exactly_the_dependencies_of_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_requirement_key(Requirement(line)) for line in project["dependencies"]}
    for extra, lines in project.get("optional-dependencies", {}).items():
        for line in lines:
            requirement = Requirement(line)
            requirement.marker = Requirement(f"x; extra == '{extra}'").marker
            declared.add(_requirement_key(requirement))
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    (root,) = [package for package in lock["package"] if package.get("source") == {"editable": "."}]
    locked = set()
    for entry in root["metadata"]["requires-dist"]:
        line = entry["name"] + ("[" + ",".join(entry["extras"]) + "]" if entry.get("extras") else "")
        line += entry.get("specifier", "") + (f"; {entry['marker']}" if entry.get("marker") else "")
        locked.add(_requirement_key(Requirement(line)))
    assert declared == locked, "pyproject.toml changed without `make lock`: " + str(declared ^ locked)


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links to under /static/."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("href") if tag == "link" and found.get("rel") == "stylesheet" else found.get("src")
        if tag in ("link", "script") and url and url.startswith("/static/"):
            self.urls.append(url)


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the built wheel; its dependencies come from this test run's environment."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    build = "import sys, setuptools.build_meta as b; print(b.build_wheel(sys.argv[1]))"
    wheel = subprocess.run([sys.executable, "-c", build, str(dist)], cwd=source, env=_outside_env(),
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=_outside_env(), check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               env=_outside_env(), check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(dist / wheel)],
                   env=_outside_env(), check=True)
    # Only now: pip would take the test environment's own (editable) photonix as already installed.
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "dependencies-from-test-env.pth").write_text("".join(f"{path}\n" for path in paths))
    return venv


@pytest.fixture
def wheel_env(installed_wheel: Path, tmp_path: Path, service_urls: dict[str, str]) -> dict[str, str]:
    env = _outside_env()
    env.update({"PHOTONIX_DATA_DIR": str(tmp_path / "data"), "PHOTONIX_REDIS_URL": service_urls["redis"],
                "PHOTONIX_HOST": "127.0.0.1", "PHOTONIX_PORT": str(free_port()),
                "PHOTONIX_LOG_LEVEL": "warning"})
    return env


@pytest.fixture
def served_from_wheel(installed_wheel: Path, wheel_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`photonix migrate`, then `photonix web`, both run from the wheel with a cwd outside the checkout."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    photonix = str(installed_wheel / "bin" / "photonix")
    subprocess.run([photonix, "migrate"], cwd=outside, env=wheel_env, check=True)
    web = subprocess.Popen([photonix, "web"], cwd=outside, env=wheel_env, start_new_session=True)
    url = f"http://127.0.0.1:{wheel_env['PHOTONIX_PORT']}"
    try:
        wait_healthy(web, url, "photonix web (from the wheel)")
        yield url
    finally:
        web.send_signal(signal.SIGINT)
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()


def test_wheel_imports_photonix_from_itself_not_the_checkout(installed_wheel: Path, tmp_path: Path,
                                                             wheel_env: dict[str, str]) -> None:
    python = installed_wheel / "bin" / "python"
    where = subprocess.run([python, "-c", "import photonix; print(photonix.__file__)"], cwd=tmp_path,
                           env=wheel_env, check=True, capture_output=True, text=True).stdout
    assert Path(where.strip()).is_relative_to(installed_wheel)


def test_installed_wheel_serves_its_pages_and_static_files(served_from_wheel: str) -> None:
    page = httpx.get(f"{served_from_wheel}/", follow_redirects=True, timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = _Assets()
    assets.feed(page.text)
    assert assets.urls, "the first page links no stylesheet or script under /static/"
    for url in assets.urls:
        served = httpx.get(f"{served_from_wheel}{url}", timeout=30)
        assert served.status_code == 200, url
        assert served.content == (REPO / url.split("?")[0].lstrip("/")).read_bytes(), url
