"""`photonix up`: the embedded Redis (when none is configured), the migrations, then the web app and a
worker as child processes, each started again (with backoff) when it dies, until `up` is stopped.

A worker that crashes, is killed by the kernel's OOM killer or by hand comes back on its own; so does the
embedded Redis (same port, password and AOF data), and the children reconnect to it by themselves. On
SIGINT or SIGTERM every child is stopped (TERM, then KILL after a grace period) before `up` exits."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from rich.console import Console
from rich.markup import escape

from photonix.config import Settings, child_env

SUPERVISED = "PHOTONIX_SUPERVISED"      # set by `photonix up` in its web and worker processes' environment

POLL_SECONDS = 0.2
FIRST_BACKOFF_SECONDS = 1.0
LAST_BACKOFF_SECONDS = 30.0
STEADY_SECONDS = 60.0              # a child that ran this long before dying gets the shortest backoff again
STOP_GRACE_SECONDS = 30


@dataclass
class Child:
    """One supervised `photonix <command>` process."""

    command: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF_SECONDS
    restart_at: float | None = None
    restarts: int = 0

    def start(self) -> None:
        # A process group of its own: Ctrl-C in the terminal reaches the supervisor alone, which stops each
        # child with SIGTERM. Reaching them too, it interrupted whatever they were doing (importing,
        # starting) and each printed a traceback.
        self.process = subprocess.Popen([sys.executable, "-m", "photonix", self.command], env=self.env,
                                        process_group=0)
        self.started_at = time.monotonic()
        self.restart_at = None

    def tend(self, now: float, console: Console) -> None:
        """Start the child again once its backoff has passed, if it died."""
        if self.process is None or self.process.poll() is None:
            return
        if self.restart_at is None:
            if now - self.started_at >= STEADY_SECONDS:
                self.backoff = FIRST_BACKOFF_SECONDS
            self.restart_at = now + self.backoff
            console.print(f"[yellow]the {self.command} process exited (code {self.process.returncode}); "
                          f"starting it again in {self.backoff:.0f} s[/yellow]")
            self.backoff = min(self.backoff * 2, LAST_BACKOFF_SECONDS)
        elif now >= self.restart_at:
            self.start()
            self.restarts += 1
            console.print(f"[green]{self.command} started again[/green] (pid {self.process.pid})")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Supervisor:
    children: list[Child]
    stopping: bool = False

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self, console: Console, tend_redis: Callable[[], None]) -> None:
        """Start the children and keep them running until SIGINT or SIGTERM; then stop them all."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.stop)
        try:
            for child in self.children:
                child.start()
            while not self.stopping:
                tend_redis()
                now = time.monotonic()
                for child in self.children:
                    child.tend(now, console)
                time.sleep(POLL_SECONDS)
        finally:
            # A second Ctrl+C or TERM must not cut the clean-up short and leave a child running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for child in reversed(self.children):
                if child.process is not None and child.process.poll() is None:
                    child.process.terminate()          # all at once, then wait for each
            for child in reversed(self.children):
                child.stop()


def run_up(settings: Settings, console: Console, migrate: Callable[[Settings], int],
           setup_code: Callable[[Settings], str | None]) -> int:
    """What `photonix up` does; `migrate` brings the schema up to date (cli.cmd_migrate); `setup_code` is
    the code /welcome asks for on a new data dir, None once the admin exists (cli.pending_setup_code)."""
    from photonix.jobs.embedded_redis import EmbeddedRedis, start_embedded_redis, write_url_file

    embedded: EmbeddedRedis | None = None
    try:
        if settings.redis_url is None:
            embedded = start_embedded_redis(settings.data_dir)
            write_url_file(settings.data_dir, embedded.url)
            settings = Settings.from_env(child_env({"PHOTONIX_REDIS_URL": embedded.url}))
        if migrate(settings) != 0:
            return 1
        env = child_env({"PHOTONIX_REDIS_URL": settings.redis_url or "", SUPERVISED: "1"})
        print_banner(settings, console, embedded is not None, setup_code(settings))
        supervisor = Supervisor([Child("web", env), Child("worker", env)])

        def tend_redis() -> None:
            if embedded is not None and embedded.process.poll() is not None:
                console.print("[yellow]the embedded Redis server exited; starting it again[/yellow]")
                embedded.restart()

        supervisor.run(console, tend_redis)
        return 0
    finally:
        if embedded:
            embedded.stop()


def first_run_words(url: str, code: str, settings: Settings) -> str:
    """What a new data dir's start prints: where to go and the code to type there."""
    return (f"\n[bold]First run:[/bold] open {url}welcome and enter the setup code [bold]{code}[/bold]\n"
            f"  (kept in {escape(str(settings.data_dir / 'setup_code'))} until the admin exists; or make "
            "the admin from a terminal: .venv/bin/photonix user create admin --admin)\n")



def print_banner(settings: Settings, console: Console, embedded: bool, code: str | None) -> None:
    """The address, and on a new data dir (no admin yet) the first-run steps; afterwards the address only."""
    url = f"http://{settings.host}:{settings.port}/"
    database = "SQLite" if settings.is_sqlite else "PostgreSQL"
    console.print(f"\n[bold]Photonix is running at {url}[/bold]\n"
                  f"  data: {settings.data_dir}   database: {database}"
                  f"   redis: {'embedded' if embedded else settings.redis_url}")
    if code:
        console.print(first_run_words(url, code, settings))
