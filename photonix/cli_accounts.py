"""`photonix user …`, `token …` and `library remove-member`: the credentials lifecycle from the command line.

Commands that should sign someone out (a reset password, a disabled or deleted user, sign-out) end the
user's sessions, which live in the database: no Redis is needed."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console

from photonix.config import Settings
from photonix.errors import ConfigError

console = Console(stderr=True)
Command = Callable[..., argparse.ArgumentParser]
EXIT_OK = 0


def register(user: Any, token: Any, library: Any, command: Command) -> None:
    """Add the lifecycle subcommands to the `user`, `token` and `library` groups cli.parser() made."""
    for name, handler, help in (
        ("password", cmd_user_password, "set a user's password (from --password-stdin or a prompt); "
                                        "ends their sessions"),
        ("disable", cmd_user_disable, "disable a user: no sign-in; their sessions and tokens stop at once"),
        ("enable", cmd_user_enable, "let a disabled user sign in again"),
        ("delete", cmd_user_delete, "delete a user (their photos stay in their libraries)"),
        ("sign-out", cmd_user_sign_out, "end every session of a user (sign out everywhere)"),
    ):
        cmd = command(name, handler, help, user)
        cmd.add_argument("username")
        if name == "password":
            cmd.add_argument("--password-stdin", action="store_true")
    listed = command("list", cmd_token_list, "list API tokens with their last use (never the secret)", token)
    listed.add_argument("--user", help="only this user's tokens")
    listed.add_argument("--json", action="store_true")
    revoke = command("revoke", cmd_token_revoke, "revoke an API token by its id (from `token list`)", token)
    revoke.add_argument("id", type=int)
    remove = command("remove-member", cmd_library_remove_member, "take a user out of a library", library)
    remove.add_argument("name")
    remove.add_argument("--user", required=True)


def _run(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    from photonix.cli import run_with_db

    return run_with_db(settings, work)


async def _user_id(username: str) -> int:
    from photonix.db import users

    state = await users.user_state_by_name(username)
    if state is None:
        raise ConfigError(f"no user named {username!r}")
    return state.id


async def _end_sessions(user_id: int) -> str:
    """End the user's sessions (they are in the database); the sentence says how many."""
    from photonix.db import user_sessions

    return f"ended {await user_sessions.end_all_sessions(user_id)} session(s)"


def cmd_user_password(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import users

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("New password: ")

    async def work() -> int:
        user_id = await _user_id(args.username)
        await users.set_password(user_id, password)
        console.print(f"new password set for {args.username!r}; {await _end_sessions(user_id)}")
        return EXIT_OK

    return _run(settings, work)


def _set_disabled(settings: Settings, args: argparse.Namespace, disabled: bool) -> int:
    from photonix.db import users

    async def work() -> int:
        user_id = await _user_id(args.username)
        await users.set_disabled(user_id, disabled)
        ended = f"; {await _end_sessions(user_id)}" if disabled else ""
        console.print(f"{'disabled' if disabled else 'enabled'} {args.username!r}{ended}")
        return EXIT_OK

    return _run(settings, work)


def cmd_user_disable(settings: Settings, args: argparse.Namespace) -> int:
    return _set_disabled(settings, args, True)


def cmd_user_enable(settings: Settings, args: argparse.Namespace) -> int:
    return _set_disabled(settings, args, False)


def cmd_user_delete(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import users

    async def work() -> int:
        user_id = await _user_id(args.username)
        await users.delete_user(user_id)
        console.print(f"deleted {args.username!r}; {await _end_sessions(user_id)}")
        return EXIT_OK

    return _run(settings, work)


def cmd_user_sign_out(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        user_id = await _user_id(args.username)
        console.print(f"{args.username!r}: {await _end_sessions(user_id)}")
        return EXIT_OK

    return _run(settings, work)


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import tokens

    async def work() -> int:
        listed = await tokens.list_tokens(await _user_id(args.user) if args.user else None)
        rows = [{"id": t.id, "user": t.username, "name": t.name, "created_at": t.created_at.isoformat(),
                 "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None} for t in listed]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for t in listed:
                last_used = t.last_used_at.isoformat()[:16] if t.last_used_at else "never"
                print(f"{t.id:>5}  {t.username:<20} {t.name or '(unnamed)':<30} "
                      f"created {t.created_at.isoformat()[:16]}  last used {last_used}")
        return EXIT_OK

    return _run(settings, work)


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import tokens

    async def work() -> int:
        if not await tokens.revoke_token(args.id, None):
            raise ConfigError(f"no token with id {args.id} (see `photonix token list`)")
        console.print(f"revoked token {args.id}")
        return EXIT_OK

    return _run(settings, work)


def cmd_library_remove_member(settings: Settings, args: argparse.Namespace) -> int:
    from photonix.db import accounts, users

    async def work() -> int:
        library = await accounts.library_by_name(args.name)
        if library is None:
            raise ConfigError(f"no library named {args.name!r}")
        if not await users.remove_member(library.id, await _user_id(args.user)):
            raise ConfigError(f"{args.user!r} is not a member of {args.name!r}")
        console.print(f"removed {args.user!r} from {args.name!r}")
        return EXIT_OK

    return _run(settings, work)
