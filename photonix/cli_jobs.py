"""`photonix jobs …`: the job dashboard from the command line (list now; retry, rerun, pause, resume next).

cli.parser() makes the `jobs` group and hands it to register(); each subcommand is one handler here."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from rich.console import Console

from photonix.config import Settings

Command = Callable[..., argparse.ArgumentParser]
EXIT_OK = 0


def register(jobs: Any, command: Command) -> None:
    """Add the `jobs` subcommands to the group cli.parser() made.

    One `command(name, handler, help, jobs)` call per subcommand; actions (retry, rerun, pause, resume,
    cancel, clear-history) are registered below the read-only ones."""
    listed = command("list", cmd_jobs_list, "per-step counts, throughput, durations and ETA", jobs)
    listed.add_argument("--json", action="store_true", help="print the status as JSON on stdout")
    # Actions: register them here.


def cmd_jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.cli import run_with_db, with_reachable_redis
    from photonix.jobs.status import collect_status, print_status

    settings = with_reachable_redis(settings, required=False)
    report = run_with_db(settings, lambda: collect_status(settings))
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_status(report, Console())
    return EXIT_OK
