"""Settings come from environment variables, with working defaults and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from photonix.config import Settings
from photonix.errors import ConfigError


def test_defaults_give_sqlite_in_the_data_dir_and_an_embedded_redis(tmp_path: Path) -> None:
    settings = Settings.from_env({"PHOTONIX_DATA_DIR": str(tmp_path)})
    assert settings.is_sqlite and settings.sqlite_path == tmp_path / "photonix.sqlite"
    assert settings.redis_url is None
    assert settings.pool_processes >= 1 and settings.max_tries >= 1


def test_postgres_url_is_accepted() -> None:
    settings = Settings.from_env({"PHOTONIX_DATABASE_URL": "postgresql://db.example/photonix"})
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PHOTONIX_DATABASE_URL", "mysql://nope"),
        ("PHOTONIX_REDIS_URL", "http://localhost"),
        ("PHOTONIX_WORKER_CONCURRENCY", "many"),
        ("PHOTONIX_MAX_TRIES", "0"),
        ("PHOTONIX_RETRY_BASE_SECONDS", "-1"),
        ("PHOTONIX_RAW_HALF_SIZE", "maybe"),
        ("PHOTONIX_METRICS_TOKEN", "short"),
        ("PHOTONIX_METRICS_ALLOW", "10.0.0.0/8, the office"),
        ("PHOTONIX_SECURE_COOKIES", "sometimes"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


def test_metrics_are_for_loopback_unless_networks_are_listed() -> None:
    assert Settings.from_env({}).metrics_allow == ("127.0.0.0/8", "::1/128")
    listed = Settings.from_env({"PHOTONIX_METRICS_ALLOW": "10.1.0.0/16, 192.0.2.7"})
    assert listed.metrics_allow == ("10.1.0.0/16", "192.0.2.7/32")
