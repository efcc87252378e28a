"""Requests served concurrently on the test's own event loop, from a chosen client address.

Litestar's AsyncTestClient runs each request to completion in a portal thread, one at a time; races
(a burst of sign-ins, two first runs) need httpx's ASGI transport on the test's loop instead."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from litestar import Litestar


async def browser_on(app: Litestar, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """Requests served concurrently on this test's event loop (Litestar's test client runs one at a time)."""
    # app.lifespan() holds a task group: setup and teardown differ in task
    for start in app.on_startup:
        await start(app)
    try:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as browser:
            await browser.get("/login")
            yield browser
    finally:
        for stop in app.on_shutdown:
            await stop(app)
