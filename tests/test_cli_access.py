"""Commands that guard access, run as a person runs them: unlocking a user, the setup code, library roots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photonix.cli import pending_setup_code
from photonix.config import Settings
from photonix.db import accounts
from photonix.web import ratelimit
from photonix.web.setup_code import forget_setup_code


@pytest.fixture
def run(tmp_path: Path, settings: Settings):
    """`photonix …` with its own data dir and SQLite, on the test Redis (where the sign-in locks live)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env.update({"PHOTONIX_DATA_DIR": str(tmp_path / "data"), "PHOTONIX_LOG_LEVEL": "warning",
                "PHOTONIX_REDIS_URL": settings.redis_url or ""})

    def photonix(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "photonix", *args], env={**env, **extra}, input=stdin,
                              capture_output=True, text=True, timeout=300)

    return photonix


async def test_user_unlock_lifts_the_sign_in_locks(run, redis, clean) -> None:
    assert run("migrate").returncode == 0
    assert run("user", "create", "carol", "--password-stdin", stdin="long enough pw\n").returncode == 0
    for _ in range(ratelimit.PAIR_LIMIT + 1):
        await ratelimit.reserve_attempt(redis, "carol", "203.0.113.9")
    assert await ratelimit.seconds_locked(redis, "carol") > 0
    unlocked = run("user", "unlock", "carol")
    assert unlocked.returncode == 0 and "can sign in again" in unlocked.stderr
    assert await ratelimit.seconds_locked(redis, "carol") == 0
    assert run("user", "unlock", "nobody").returncode == 2


def test_library_roots_limit_the_folders_a_library_can_be_made_from(run, tmp_path: Path) -> None:
    root, outside = tmp_path / "photos", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    assert run("migrate").returncode == 0
    refused = run("library", "create", "Elsewhere", "--folder", str(outside),
                  PHOTONIX_LIBRARY_ROOTS=str(root))
    assert refused.returncode == 2 and "outside PHOTONIX_LIBRARY_ROOTS" in refused.stderr
    imported = run("import", str(outside), "--library", "Elsewhere", PHOTONIX_LIBRARY_ROOTS=str(root))
    assert imported.returncode == 2
    assert run("library", "create", "Photos", "--folder", str(root),
               PHOTONIX_LIBRARY_ROOTS=str(root)).returncode == 0


async def test_the_printed_setup_code_survives_a_restart_and_goes_once_a_user_exists(settings: Settings,
                                                                                     clean: None) -> None:
    forget_setup_code(settings.data_dir)
    first = await pending_setup_code(settings)                # what `up` / `web` print at start
    assert first and await pending_setup_code(settings) == first
    await accounts.create_user("admin", "long enough pw", is_admin=True)
    assert await pending_setup_code(settings) is None
    assert not (settings.data_dir / "setup_code").exists()
