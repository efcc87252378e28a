"""The credentials lifecycle from the command line: tokens listed and revoked, users reset, disabled,
deleted and signed out, and the last admin kept."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def test_tokens_are_listed_by_name_and_revoked(run) -> None:
    assert run("migrate").returncode == 0
    assert run("user", "create", "alice", "--password-stdin", stdin="long enough pw\n").returncode == 0
    assert run("token", "create", "--user", "alice", "--name", "laptop").returncode == 0
    listed = run("token", "list", "--json")
    [token] = json.loads(listed.stdout)
    assert token["name"] == "laptop" and token["user"] == "alice" and token["last_used_at"] is None
    assert "laptop" in run("token", "list").stdout
    assert run("token", "revoke", str(token["id"])).returncode == 0
    assert json.loads(run("token", "list", "--json", "--user", "alice").stdout) == []
    again = run("token", "revoke", str(token["id"]))
    assert again.returncode == 2 and "no token" in again.stderr     # a name or id that does not exist: 2


def test_users_are_reset_disabled_enabled_and_deleted_but_never_the_last_admin(run) -> None:
    assert run("migrate").returncode == 0
    assert run("user", "create", "root", "--admin", "--password-stdin",
               stdin="long enough pw\n").returncode == 0
    assert run("user", "create", "alice", "--password-stdin", stdin="long enough pw\n").returncode == 0
    for action in ("disable", "delete"):
        refused = run("user", action, "root")
        assert refused.returncode == 1 and "last admin" in refused.stderr
    assert run("user", "password", "alice", "--password-stdin", stdin="short\n").returncode == 1
    reset = run("user", "password", "alice", "--password-stdin", stdin="a new long password\n")
    assert reset.returncode == 0 and "ended 0 session(s)" in reset.stderr     # no Redis needed
    assert run("user", "disable", "alice").returncode == 0
    assert run("user", "enable", "alice").returncode == 0
    assert run("library", "create", "Family", "--owner", "root").returncode == 0
    assert run("library", "remove-member", "Family", "--user", "root").returncode == 0
    assert run("library", "remove-member", "Family", "--user", "root").returncode == 2
    assert run("user", "delete", "alice").returncode == 0
    assert run("user", "disable", "alice").returncode == 2


def test_sign_out_ends_the_users_sessions_without_redis(run, tmp_path: Path) -> None:
    assert run("migrate").returncode == 0
    assert run("user", "create", "alice", "--password-stdin", stdin="long enough pw\n").returncode == 0
    database = tmp_path / "data" / "photonix.sqlite"           # the `run` fixture's own SQLite

    def sessions_alive() -> int:
        with sqlite3.connect(database) as conn:
            count: int = conn.execute('SELECT count(*) FROM "user_session"').fetchone()[0]
            return count

    with sqlite3.connect(database) as conn:                     # two browsers signed in as alice
        conn.executemany('INSERT INTO "user_session" ("user", "token_hash") VALUES (1, ?)',
                         [("a" * 64,), ("b" * 64,)])
    assert sessions_alive() == 2
    done = run("user", "sign-out", "alice")                      # no PHOTONIX_REDIS_URL given
    assert done.returncode == 0 and "ended 2 session(s)" in done.stderr, done.stderr
    assert sessions_alive() == 0
