"""A PostgreSQL cluster of a test's own (initdb + pg_ctl), so the test can restart or stop its server.

The machine's shared PostgreSQL serves every engineer's tests and is never restarted; this one lives in a
temp folder, listens on a free port with trust auth, and is gone when the test ends. initdb refuses to
run as root, so the cluster belongs to the `postgres` user and pg_ctl runs as that user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.running import free_port

SERVER_USER = "postgres"


def server_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


NO_SERVER = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to start a private cluster"


class PrivatePostgres:
    """One cluster: `url` names a database in it; restart, stop and start it as the test needs."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir, self.port = bin_dir, free_port()
        # Not under pytest's tmp_path: the server user must be able to reach its folder.
        self.folder = Path(tempfile.mkdtemp(prefix="photonix-pg-"))
        shutil.chown(self.folder, SERVER_USER, SERVER_USER)
        self.data = self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _as_server_user(self, *args: str) -> None:
        command = ["runuser", "-u", SERVER_USER, "--", *args] if os.geteuid() == 0 else list(args)
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder)

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._as_server_user(str(self.bin_dir / "pg_ctl"), action, "-D", str(self.data), "-w", *options)

    def create(self) -> None:
        self._as_server_user(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
                             "--auth=trust", "--no-sync")
        settings = (f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.folder}'\nfsync = off\n")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.folder / "server.log"))

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection is cut, the server is back when this returns."""
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.folder / "server.log"))

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
