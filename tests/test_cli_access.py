"""Commands that guard access, run as a person runs them: unlocking a user, the setup code, library roots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photonix.config import Settings
from photonix.web import ratelimit


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
