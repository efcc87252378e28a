"""The one-time code that /welcome asks for, so the first visitor on the network cannot become admin.

`photonix up` and `photonix web` print it; it is kept in the data dir (0600), so they and a restart
agree on it, and it is deleted once the admin exists. Only someone with the server's console or its
data dir can read it."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

FILE_NAME = "setup_code"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"      # no 0/O or 1/I: it is read off a terminal and typed
GROUPS, GROUP_LENGTH = 4, 4                         # 16 characters: 80 bits


def _path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def ensure_setup_code(data_dir: Path) -> str:
    """The code in the data dir, made (0600, never overwritten) when there is none yet."""
    path = _path(data_dir)
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
        code = "-".join(chars[i:i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:            # `up` and its web server raced to make it: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as out:
                out.write(code + "\n")
    return path.read_text().strip()


def setup_code_matches(data_dir: Path, typed: str) -> bool:
    try:
        expected = _path(data_dir).read_text().strip()
    except FileNotFoundError:
        return False
    return bool(expected) and hmac.compare_digest(_normal(expected).encode(), _normal(typed).encode())


def forget_setup_code(data_dir: Path) -> None:
    _path(data_dir).unlink(missing_ok=True)
