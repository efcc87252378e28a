"""The `photonix` command: up, web, worker, migrate, import, status, user/library/token create.

The user/token lifecycle (password, disable, delete, token list/revoke) is in cli_accounts.py; `jobs list`
in cli_jobs.py, the `jobs` actions (retry, rerun, pause, resume, cancel, clear-history) in
cli_jobs_actions.py."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from photonix.config import Settings, child_env, settings_from_process_env
from photonix.errors import ConfigError, PhotonixError

console = Console(stderr=True)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED_PHOTOS = 0, 1, 2, 3
WEB_SWITCH_INTERVAL_SECONDS = 0.0005
T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)      # imports most of the app: Ctrl-C may land in there
        settings = settings_from_process_env()
        from photonix.logs import configure_logging

        configure_logging(settings.log_level)
        handler: Callable[[Settings, argparse.Namespace], int] = args.handler
        return handler(settings, args)
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        return EXIT_USAGE
    except PhotonixError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="photonix", description="Self-hosted photo manager.")
    sub = root.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[Settings, argparse.Namespace], int], help: str,
                parent: Any = sub) -> argparse.ArgumentParser:
        cmd: argparse.ArgumentParser = parent.add_parser(name, help=help, description=help)
        cmd.set_defaults(handler=handler)
        return cmd

    command("up", cmd_up,
            "web + worker (+ embedded Redis when PHOTONIX_REDIS_URL is unset): what `make run` runs")
    web = command("web", cmd_web, "serve the web app and the JSON API")
    web.add_argument("--public-only", action="store_true",
                     help="serve only public share pages (/s/...), their images and static files")
    command("worker", cmd_worker, "run a pipeline worker (as many as you like, on any host)")
    command("migrate", cmd_migrate, "bring the database schema up to date")
    imp = command("import", cmd_import, "import a folder of photos into a library")
    imp.add_argument("path", type=Path)
    imp.add_argument("--library",
                     help="library name (created for this folder when new; default: folder name)")
    imp.add_argument("--wait", action="store_true", help="follow the pipeline until every photo is processed")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    status = command("status", cmd_status, "per-step counts, queue depth and recent failures")
    status.add_argument("--json", action="store_true")

    user = sub.add_parser("user", help="manage users").add_subparsers(required=True, metavar="ACTION")
    create_user = command("create", cmd_user_create,
                          "create a user (password from --password-stdin or a prompt)",
                          user)
    create_user.add_argument("username")
    create_user.add_argument("--admin", action="store_true")
    create_user.add_argument("--password-stdin", action="store_true")
    create_user.add_argument("--library", action="append", default=[], help="make the user a member of it")
    unlock = command("unlock", cmd_user_unlock, "lift the sign-in locks that failed attempts put on a user",
                     user)
    unlock.add_argument("username")

    library = sub.add_parser("library", help="manage libraries").add_subparsers(required=True,
                                                                                metavar="ACTION")
    create_library = command("create", cmd_library_create, "create a library", library)
    create_library.add_argument("name")
    create_library.add_argument("--folder", action="append", type=Path, default=[])
    create_library.add_argument("--owner", help="username of its owner")

    token = sub.add_parser("token", help="API tokens").add_subparsers(required=True, metavar="ACTION")
    create_token = command("create", cmd_token_create, "create an API token for a user (printed once)", token)
    create_token.add_argument("--user", required=True)
    create_token.add_argument("--name", default="")
    jobs = sub.add_parser("jobs", help="the job dashboard: list (and actions)").add_subparsers(
        required=True, metavar="ACTION")
    from photonix import cli_accounts, cli_jobs, cli_jobs_actions

    cli_accounts.register(user, token, library, command)
    cli_jobs.register(jobs, command)
    cli_jobs_actions.register(jobs, command)
    return root


def run_with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Bind the database, run `work` on a fresh event loop, close the pool; `work`'s result."""
    from photonix.db import engine

    async def run() -> T:
        bound = engine.bind(settings)
        await engine.open_pool(bound)
        try:
            return await work()
        finally:
            await engine.close_pool(bound)

    return asyncio.run(run())


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import engine

    async def work() -> int:
        await engine.migrate(settings)
        console.print("[green]database is up to date[/green]")
        return EXIT_OK

    return run_with_db(settings, work)


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from photonix.cli_supervisor import SUPERVISED, first_run_words
    from photonix.db import engine
    from photonix.web.app import create_app
    from photonix.web.client_address import uvicorn_proxy_options

    # Under `photonix up` the banner has said it already (cli_supervisor.print_banner).
    code = None if os.environ.get(SUPERVISED) else run_with_db(settings, lambda: pending_setup_code(settings))
    if code:
        console.print(first_run_words(f"http://{settings.host}:{settings.port}/", code, settings))
    engine.bind(settings)
    # SQLite's statements run on aiosqlite's thread: each result hands the GIL back to the event loop.
    # At the default 5 ms switch interval a busy loop (pages rendering) kept every hand-off waiting, and
    # 4 concurrent grid requests served fewer pages per second than 1 did (68 against 99 at 100k photos).
    sys.setswitchinterval(WEB_SWITCH_INTERVAL_SECONDS)
    public_only = bool(getattr(args, "public_only", False))
    app = create_app(settings, public_only=public_only)
    # What is loaded by now (the libraries, the app, about a million objects) lives as long as the process:
    # out of the collector's sight, a full collection takes a millisecond instead of the 70-90 ms it cost
    # a request about once a second under load.
    gc.freeze()
    uvicorn.run(app, host=settings.host, port=settings.port,
                log_config=None, access_log=False, **uvicorn_proxy_options(settings))
    return EXIT_OK


async def pending_setup_code(settings: Settings) -> str | None:
    """The code /welcome asks for while there is no user yet (made now if need be); None once there is."""
    from photonix.db import accounts
    from photonix.web.setup_code import ensure_setup_code, forget_setup_code

    if await accounts.user_count() > 0:
        forget_setup_code(settings.data_dir)      # e.g. the admin was made with `photonix user create`
        return None
    return ensure_setup_code(settings.data_dir)


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.worker import build_worker, run_until_stopped

    settings = with_reachable_redis(settings, required=True)

    async def work() -> int:
        await run_until_stopped(build_worker(settings, watch=True))
        return EXIT_OK

    return run_with_db(settings, work)


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.cli_supervisor import run_up

    return run_up(settings, console, lambda chosen: cmd_migrate(chosen, args),
                  lambda chosen: run_with_db(chosen, lambda: pending_setup_code(chosen)))


def with_reachable_redis(settings: Settings, *, required: bool) -> Settings:
    """Use PHOTONIX_REDIS_URL, else the embedded Redis a running `photonix up` wrote down."""
    if settings.redis_url:
        return settings
    from photonix.jobs.embedded_redis import running_embedded_url

    url = running_embedded_url(settings.data_dir)
    if url:
        return Settings.from_env(child_env({"PHOTONIX_REDIS_URL": url}))
    if required:
        raise ConfigError("no Redis: set PHOTONIX_REDIS_URL, or start `photonix up` (it starts one)")
    return settings


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.jobs.import_command import run_import

    folder = args.path.expanduser().resolve()
    if not folder.is_dir():
        raise ConfigError(f"{args.path} is not a folder")
    _require_library_root(settings, folder)
    settings = with_reachable_redis(settings, required=False)
    report = run_with_db(settings, lambda: run_import(settings, folder, args.library or folder.name,
                                                       wait=args.wait, console=console))
    if args.json:
        print(json.dumps(report, indent=2))
    return EXIT_FAILED_PHOTOS if report.get("failed") else EXIT_OK


def _require_library_root(settings: Settings, folder: Path) -> None:
    if not settings.allows_library_folder(folder):
        roots = ", ".join(str(root) for root in settings.library_roots)
        raise ConfigError(f"{folder} is outside PHOTONIX_LIBRARY_ROOTS ({roots})")


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.cli_jobs import cmd_status as show_status

    return show_status(settings, args)


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import accounts

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")

    async def work() -> int:
        user_id = await accounts.create_user(args.username, password, is_admin=args.admin)
        for name in args.library:
            library = await accounts.library_by_name(name)
            if library is None:
                raise ConfigError(f"no library named {name!r}")
            await accounts.add_member(library.id, user_id)
        console.print(f"created user {args.username!r} (id {user_id})")
        return EXIT_OK

    return run_with_db(settings, work)


def cmd_user_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import accounts
    from photonix.jobs.queue import connect
    from photonix.web import ratelimit

    settings = with_reachable_redis(settings, required=True)

    async def work() -> int:
        if await accounts.user_by_name(args.username) is None:
            raise ConfigError(f"no user named {args.username!r}")
        redis = await connect(settings)
        try:
            lifted = await ratelimit.unlock(redis, args.username)
        finally:
            await redis.aclose()
        console.print(f"{args.username} can sign in again" if lifted
                      else f"{args.username} was not locked out")
        return EXIT_OK

    return run_with_db(settings, work)


def cmd_library_create(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import accounts

    async def work() -> int:
        owner = await accounts.user_by_name(args.owner) if args.owner else None
        if args.owner and owner is None:
            raise ConfigError(f"no user named {args.owner!r}")
        folders = [f.expanduser().resolve() for f in args.folder]
        for folder in folders:
            _require_library_root(settings, folder)
        library_id = await accounts.create_library(args.name, folders, owner.id if owner else None)
        console.print(f"created library {args.name!r} (id {library_id})")
        return EXIT_OK

    return run_with_db(settings, work)


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import accounts

    async def work() -> int:
        user = await accounts.user_by_name(args.user)
        if user is None:
            raise ConfigError(f"no user named {args.user!r}")
        print(await accounts.create_token(user.id, args.name))
        return EXIT_OK

    return run_with_db(settings, work)
