"""Password hashing and checking (argon2) in a thread, a few at a time, so the event loop never stalls.

argon2 takes ~0.1-0.35 s of CPU per call and releases the GIL. Run on the event loop, each sign-in
stalled every page; in threads without a bound, a burst of anonymous sign-ins would queue up CPU work
for everyone. So at most SLOTS run at once, and one more is refused with Busy at once, not queued."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from photonix.errors import Busy

SLOTS = 4
_hasher = PasswordHasher()
_threads = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix="argon2")
T = TypeVar("T")


class _Usage:
    """Checks running now, and checks started since start (tests read `started` to count verifications)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.started = 0

    def take(self) -> bool:
        with self.lock:
            if self.running >= SLOTS:
                return False
            self.running += 1
            self.started += 1
            return True

    def give_back(self, _: object = None) -> None:
        with self.lock:
            self.running -= 1


usage = _Usage()


async def _in_slot(work: Callable[[], T]) -> T:
    if not usage.take():
        raise Busy("Too many sign-ins at once. Try again in a few seconds.")
    try:
        future: Future[T] = _threads.submit(work)
    except BaseException:
        usage.give_back()
        raise
    # The slot is given back when the thread is done, not when the caller stops waiting (a dropped
    # connection), so no more than SLOTS hashes ever run at once.
    future.add_done_callback(usage.give_back)
    return await asyncio.wrap_future(future)


async def hash_password(password: str) -> str:
    return await _in_slot(lambda: _hasher.hash(password))


async def password_matches(stored_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await _in_slot(verify)
