"""Sign-in under attack: attempts reserved before argon2, locks per (user, address), password work off the
loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from litestar import Litestar

from photonix.config import Settings
from photonix.db import accounts, passwords
from photonix.errors import ConfigError
from photonix.web import ratelimit
from photonix.web.app import create_app
from photonix.web.client_address import client_host, uvicorn_proxy_options
from tests.conftest import make_settings
from tests.web.concurrent import browser_on
from tests.web.conftest import CSRF_COOKIE, csrf, sign_in

WAIT_DEADLINE_S = 60


@pytest.fixture
async def browser(app: Litestar, clean: None) -> AsyncIterator[httpx.AsyncClient]:
    async for browser in browser_on(app, "192.0.2.50"):
        yield browser


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.002)


def attempt(browser: httpx.AsyncClient, password: str, username: str = "alice") -> Awaitable[httpx.Response]:
    return browser.post("/login", follow_redirects=False, data={
        "username": username, "password": password, "_csrf_token": browser.cookies[CSRF_COOKIE]})


async def test_a_burst_of_wrong_passwords_checks_at_most_the_limit(browser, alice) -> None:
    checked_before = passwords.usage.started
    answers = await asyncio.gather(*(attempt(browser, f"guess {n}") for n in range(20)))
    checked = passwords.usage.started - checked_before
    assert 1 <= checked <= ratelimit.PAIR_LIMIT
    assert sum(a.status_code == 400 for a in answers) <= ratelimit.PAIR_LIMIT
    assert {a.status_code for a in answers} <= {400, 429}
    # Even the right password now waits: the burst used up this address's attempts.
    right = await attempt(browser, "correct horse battery")
    assert right.status_code == 429 and "Too many failed sign-ins" in right.text
    assert int(right.headers["retry-after"]) > 0
    assert passwords.usage.started - checked_before == checked


async def test_sign_ins_leave_the_event_loop_free_and_one_over_the_bound_gets_429(browser, alice) -> None:
    running = [asyncio.create_task(attempt(browser, f"guess {n}")) for n in range(passwords.SLOTS)]
    await until(lambda: passwords.usage.running == passwords.SLOTS, "every slot to be checking a password")
    one_more = await attempt(browser, "correct horse battery")
    health = await browser.get("/healthz")
    assert not all(task.done() for task in running), "the page answered only after the sign-ins finished"
    assert health.status_code == 200
    assert one_more.status_code == 429 and "Too many sign-ins at once" in one_more.text
    assert [r.status_code for r in await asyncio.gather(*running)] == [400] * passwords.SLOTS


async def test_a_stranger_locks_only_their_own_address_out(redis, clean) -> None:
    for _ in range(ratelimit.PAIR_LIMIT):
        assert await ratelimit.reserve_attempt(redis, "admin", "203.0.113.9") == 0
    assert await ratelimit.reserve_attempt(redis, "admin", "203.0.113.9") > 0
    assert await ratelimit.reserve_attempt(redis, "admin", "198.51.100.20") == 0
    assert await ratelimit.reserve_attempt(redis, "Admin ", "203.0.113.9") > 0    # same user, other spelling


async def test_one_ipv6_host_counts_as_one_address_across_its_slash_64(redis, clean) -> None:
    for n in range(ratelimit.PAIR_LIMIT):
        assert await ratelimit.reserve_attempt(redis, "admin", f"2001:db8:1:2::{n + 1:x}") == 0
    assert await ratelimit.reserve_attempt(redis, "admin", "2001:db8:1:2:ffff::9") > 0
    assert await ratelimit.reserve_attempt(redis, "admin", "2001:db8:1:3::1") == 0


async def test_many_addresses_meet_a_per_user_gate_whose_wait_grows(redis, clean) -> None:
    await ratelimit.record_success(redis, "admin", "192.0.2.1")           # the admin's usual address
    for n in range(ratelimit.USER_THRESHOLD):
        assert await ratelimit.reserve_attempt(redis, "admin", f"203.0.113.{n}") == 0
    assert await ratelimit.reserve_attempt(redis, "admin", "198.51.100.1") == 0   # through the gate
    first_wait = await ratelimit.reserve_attempt(redis, "admin", "198.51.100.2")
    assert 0 < first_wait <= 2
    assert await ratelimit.reserve_attempt(redis, "admin", "192.0.2.1") == 0       # the admin still gets in
    await redis.delete(f"{ratelimit.PREFIX}gate:{ratelimit._user('admin')}")       # as if the wait were over
    assert await ratelimit.reserve_attempt(redis, "admin", "198.51.100.3") == 0
    assert await ratelimit.reserve_attempt(redis, "admin", "198.51.100.4") > first_wait
    assert await ratelimit.seconds_locked(redis, "admin") > 0


async def test_unlock_lifts_every_lock_of_the_user(redis, clean) -> None:
    for _ in range(ratelimit.PAIR_LIMIT + 1):
        await ratelimit.reserve_attempt(redis, "alice", "203.0.113.9")
    assert await ratelimit.seconds_locked(redis, "alice") > 0
    assert await ratelimit.unlock(redis, "alice") is True
    assert await ratelimit.seconds_locked(redis, "alice") == 0
    assert await ratelimit.reserve_attempt(redis, "alice", "203.0.113.9") == 0
    assert await ratelimit.unlock(redis, "alice") is False


def test_x_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    trusted = make_settings_for_proxies("10.0.0.0/8, 192.0.2.1").trusted_proxies
    assert client_host("10.0.0.5", ["198.51.100.7, 10.0.0.9"], trusted) == "198.51.100.7"
    assert client_host("10.0.0.5", ["forged, 198.51.100.7"], trusted) == "198.51.100.7"
    assert client_host("203.0.113.4", ["198.51.100.7"], trusted) == "203.0.113.4"
    assert client_host("10.0.0.5", ["198.51.100.7"], ()) == "10.0.0.5"


def test_uvicorn_believes_proxy_headers_only_from_the_configured_proxies() -> None:
    assert uvicorn_proxy_options(make_settings_for_proxies("")) == {"proxy_headers": False}
    assert uvicorn_proxy_options(make_settings_for_proxies("10.0.0.0/8")) == {
        "proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8"}


def make_settings_for_proxies(proxies: str) -> Settings:
    return Settings.from_env({"PHOTONIX_DATA_DIR": "/tmp/unused", "PHOTONIX_TRUSTED_PROXIES": proxies})


async def test_sign_in_limits_count_the_forwarded_client_behind_a_trusted_proxy(settings, redis,
                                                                                alice) -> None:
    proxied = make_settings(settings.data_dir, {"database": settings.database_url,
                                                "redis": settings.redis_url or ""},
                            PHOTONIX_TRUSTED_PROXIES="10.0.0.0/8")
    app = create_app(proxied, owns_database=False)
    for peer, forwarded in (("10.1.2.3", "203.0.113.9"), ("198.51.100.7", "203.0.113.10")):
        async for browser in browser_on(app, peer):
            response = await browser.post("/login", headers={"X-Forwarded-For": forwarded}, data={
                "username": "alice", "password": "wrong", "_csrf_token": browser.cookies[CSRF_COOKIE]})
            assert response.status_code == 400
    assert await redis.exists(f"{ratelimit.PREFIX}addr:203.0.113.9")
    assert await redis.exists(f"{ratelimit.PREFIX}addr:198.51.100.7")
    assert not await redis.exists(f"{ratelimit.PREFIX}addr:203.0.113.10")     # forged by an untrusted peer


async def test_an_admin_unlocks_a_locked_user_on_the_settings_page(client, alice, redis) -> None:
    await accounts.create_user("root", "correct horse battery", is_admin=True)
    for _ in range(ratelimit.PAIR_LIMIT + 1):
        await ratelimit.reserve_attempt(redis, "alice", "203.0.113.9")
    await sign_in(client, "root")
    listed = await client.get("/settings/users")
    assert f'action="/settings/users/{alice.user_id}/unlock"' in listed.text
    assert "sign-in locked" in listed.text
    response = await client.post(f"/settings/users/{alice.user_id}/unlock", follow_redirects=False,
                                 headers=csrf(client))
    assert response.status_code == 303
    assert await ratelimit.seconds_locked(redis, "alice") == 0
    assert "sign-in locked" not in (await client.get("/settings/users")).text
    missing = await client.post("/settings/users/999999/unlock", headers=csrf(client))
    assert missing.status_code == 404


async def test_a_member_cannot_unlock_anyone(client, alice, bob, redis) -> None:
    await ratelimit.reserve_attempt(redis, "alice", "203.0.113.9")
    await sign_in(client, "bob")
    response = await client.post(f"/settings/users/{alice.user_id}/unlock", headers=csrf(client))
    assert response.status_code == 403


def test_a_malformed_trusted_proxy_is_refused_with_the_variable_name() -> None:
    with pytest.raises(ConfigError, match="PHOTONIX_TRUSTED_PROXIES"):
        make_settings_for_proxies("10.0.0.0/8, proxy.example")
