"""`photonix jobs retry|rerun|pause|resume|cancel|clear-history`: the controls page's actions.

Each prints the sentence the page would show and, with --json, the counts for scripts; --dry-run
counts what it would touch and changes nothing. An action that cannot be done as asked exits 2 with
the reason. (cli.parser() makes the `jobs` group; register() adds these to it.)"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from photonix.config import Settings
from photonix.errors import ConfigError, InvalidAction

Command = Callable[..., argparse.ArgumentParser]
EXIT_OK, EXIT_USAGE = 0, 2
console = Console(stderr=True)


def register(jobs: Any, command: Command) -> None:
    """Add the action subcommands to the `jobs` group."""
    retry = command("retry", cmd_retry, "send failed steps back to the queue (step-wide: not permanent "
                    "failures)", jobs)
    retry.add_argument("--scope", choices=["job", "selection", "group", "step", "all"],
                       help="default: group with --reason, job with one --photo and --step, selection with "
                            "--photo, step with --step, else all")
    retry.add_argument("--photo", type=int, action="append", default=[], help="a photo id (repeatable)")
    retry.add_argument("--step")
    retry.add_argument("--error-kind", help="a failure group's error kind")
    retry.add_argument("--reason", help="a failure group's reason (its error without the file name, "
                                        "as /jobs/failures and the API show it)")
    retry.add_argument("--library", help="only this library's photos (name)")
    rerun = command("rerun", cmd_rerun, "run a step again: photos missing it at its current version, or all",
                    jobs)
    rerun.add_argument("step")
    rerun.add_argument("--library", help="library name (default: every library)")
    rerun.add_argument("--all", action="store_true", help="every photo, not only those missing the step")
    for name, handler, what in (("pause", cmd_pause, "hold queued work back; running steps finish"),
                                ("resume", cmd_resume, "lift a pause and enqueue what waits")):
        cmd = command(name, handler, f"{what} (everything, or --step, or --library)", jobs)
        cmd.add_argument("--step")
        cmd.add_argument("--library", help="library name")
    cancel = command("cancel", cmd_cancel, "skip a library's queued work and remove its Redis jobs", jobs)
    cancel.add_argument("--library", required=True, help="library name")
    clear = command("clear-history", cmd_clear_history,
                    "delete superseded finished runs older than N days (latest runs stay)", jobs)
    clear.add_argument("--days", type=int, required=True)
    for cmd in (retry, rerun, jobs.choices["pause"], jobs.choices["resume"], cancel, clear):
        cmd.add_argument("--dry-run", action="store_true", help="count what it would touch; change nothing")
        cmd.add_argument("--json", action="store_true", help="print the counts as JSON on stdout")


def _who() -> str:
    return f"{getpass.getuser()} (command line)"


async def _library_id(name: str | None) -> int | None:
    from photonix.db import accounts

    if name is None:
        return None
    library = await accounts.library_by_name(name)
    if library is None:
        raise ConfigError(f"no library named {name!r}")
    return library.id


def _run_action(settings: Settings, args: argparse.Namespace, needs_redis: bool,
                action: Callable[[Any], Awaitable[Any]]) -> int:
    """Run `action(redis)` with the database bound (and Redis connected when it acts on the queue), then
    print its report."""
    from photonix.cli import run_with_db, with_reachable_redis
    from photonix.jobs.queue import connect

    connecting = needs_redis and not args.dry_run
    if connecting:
        settings = with_reachable_redis(settings, required=True)

    async def work() -> Any:
        redis = await connect(settings) if connecting else None
        try:
            return await action(redis)
        finally:
            if redis is not None:
                await redis.aclose()

    try:
        report = run_with_db(settings, work)
    except InvalidAction as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_USAGE
    if args.json:
        print(json.dumps({"action": report.action.value, "dry_run": report.dry_run, "photos": report.photos,
                          "runs": report.runs, "message": report.message}, indent=2))
    else:
        print(report.message)
    return EXIT_OK


@contextmanager
def batch_progress(args: argparse.Namespace, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr that the action moves after each batch it queues; none for a dry run,
    for --json, or when stderr is not a terminal (a script reads only the final sentence)."""
    if args.dry_run or args.json or not console.is_terminal:
        yield None
        return
    with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=True)     # batches are few: draw each

        yield advance


def _retry_scope(args: argparse.Namespace) -> str:
    if args.scope:
        return str(args.scope)
    if args.reason is not None:
        return "group"
    if len(args.photo) == 1 and args.step:
        return "job"
    if args.photo:
        return "selection"
    return "step" if args.step else "all"


def cmd_retry(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import retry_action
    from photonix.jobs.retry import RetryScope, RetrySelection

    async def act(redis: Any) -> Any:
        scope = RetryScope(_retry_scope(args))
        in_group = scope is RetryScope.GROUP
        selection = RetrySelection(scope, tuple(args.photo), args.step,
                                   (args.error_kind or "") if in_group else None,
                                   args.reason if in_group else None, await _library_id(args.library))
        with batch_progress(args, "Retrying") as progress:
            return await retry_action(redis, selection, dry_run=args.dry_run, progress=progress)

    return _run_action(settings, args, True, act)


def cmd_rerun(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import rerun_action
    from photonix.jobs.rerun import Rerun, RerunMode

    async def act(redis: Any) -> Any:
        request = Rerun(args.step, RerunMode.ALL if args.all else RerunMode.MISSING,
                        await _library_id(args.library))
        with batch_progress(args, f"Re-running {args.step}") as progress:
            return await rerun_action(redis, request, dry_run=args.dry_run, progress=progress)

    return _run_action(settings, args, True, act)


async def _pause_target(args: argparse.Namespace) -> Any:
    from photonix.db.job_pauses import PauseScope, PauseTarget

    if args.step and args.library:
        raise InvalidAction("Pause a step or a library, not both at once.")
    if args.step:
        return PauseTarget(PauseScope.STEP, args.step)
    if args.library:
        return PauseTarget(PauseScope.LIBRARY, library_id=await _library_id(args.library))
    return PauseTarget(PauseScope.GLOBAL)


def cmd_pause(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import pause_action

    async def act(redis: Any) -> Any:
        return await pause_action(await _pause_target(args), _who(), dry_run=args.dry_run)

    return _run_action(settings, args, False, act)


def cmd_resume(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import resume_action

    async def act(redis: Any) -> Any:
        return await resume_action(redis, await _pause_target(args), dry_run=args.dry_run)

    return _run_action(settings, args, True, act)


def cmd_cancel(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import cancel_action

    async def act(redis: Any) -> Any:
        return await cancel_action(redis, await _library_id(args.library), _who(), dry_run=args.dry_run)

    return _run_action(settings, args, True, act)


def cmd_clear_history(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.actions import clear_history_action

    async def act(redis: Any) -> Any:
        return await clear_history_action(args.days, dry_run=args.dry_run)

    return _run_action(settings, args, False, act)
