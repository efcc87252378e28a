"""PHOTONIX_REDIS_URL as ARQ gets it: credentials decoded, TLS verified on rediss://."""

from __future__ import annotations

from photonix.config import Settings
from photonix.jobs.queue import redis_settings


def settings_for(url: str) -> Settings:
    return Settings.from_env({"PHOTONIX_REDIS_URL": url})


def test_percent_encoded_user_and_password_are_decoded() -> None:
    arq = redis_settings(settings_for("redis://photo%40nix:p%3Ass%2Fw%40rd@redis.example:6380/2"))
    assert (arq.username, arq.password) == ("photo@nix", "p:ss/w@rd")
    assert (arq.host, arq.port, arq.database, arq.ssl) == ("redis.example", 6380, 2, False)


def test_rediss_checks_the_certificate_and_host_name() -> None:
    arq = redis_settings(settings_for("rediss://photonix:secret@redis.example:6380/0?ssl_ca_certs=/etc/ca.pem"))
    assert arq.ssl and arq.ssl_check_hostname and arq.ssl_cert_reqs == "required"
    assert arq.ssl_ca_certs == "/etc/ca.pem"
