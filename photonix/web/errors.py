"""Exception handlers: pages get friendly error pages (or a redirect to sign in), the API gets JSON.

Both keep what the exception carries: its headers (a 405's Allow, a 401's WWW-Authenticate) and its
details (a validation error's per-field messages)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import RedisError

from photonix.db.photo_filter import InvalidFilter
from photonix.errors import Busy, NotAllowed, NotVisible
from photonix.jobs.outages import OUTAGE_RETRY_SECONDS, REDIS, unreachable_service
from photonix.web.auth import SignInRequired
from photonix.web.flash import Flash

log = structlog.get_logger()

TITLES = {
    400: "That request isn't right",
    403: "You can't open this",
    404: "This isn't here",
    405: "That can't be done here",
    500: "Something went wrong on our side",
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def field_messages(extra: Any) -> list[str]:
    """A validation error's details as sentences: "per_page: Expected `int` <= 200"."""
    if isinstance(extra, dict):
        return [f"{key}: {value}" for key, value in extra.items()]
    if isinstance(extra, list):
        return [f"{item['key']}: {item['message']}"
                if isinstance(item, dict) and "key" in item and "message" in item else str(item)
                for item in extra]
    return []


def _json(status: int, detail: str, extra: Any = None,
          headers: dict[str, str] | None = None) -> Response[Any]:
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if extra:
        body["extra"] = extra
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def sign_in_redirect(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    target = f"/login?next={request.url.path}"
    if request.headers.get("hx-request") == "true":     # an HTMX swap must not render the sign-in page inside
        return Response(b"", status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if _is_api(request) or status not in TITLES:
        return _json(status, exc.detail, exc.extra, headers)
    return Template("pages/error.html", status_code=status, headers=headers, context={
        "title": TITLES[status], "detail": exc.detail, "problems": field_messages(exc.extra), "viewer": None})


def busy(request: Request[Any, Any, Any], exc: Busy) -> Response[Any]:
    """Password work is bounded (db/passwords.py): one over the bound is told to retry, not queued."""
    headers = {"Retry-After": "5"}
    if _is_api(request):
        return Response({"status_code": 429, "detail": str(exc)}, status_code=429, media_type=MediaType.JSON,
                        headers=headers)
    return Template("pages/error.html", status_code=429, headers=headers,
                    context={"title": "Busy for a moment", "detail": str(exc), "viewer": None})


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = uuid.uuid4().hex[:12]
    log.error("request_failed", request_id=request_id, path=request.url.path, error=repr(exc), exc_info=exc)
    if _is_api(request):
        return _json(500, f"internal error (request {request_id})")
    return Template("pages/error.html", status_code=HTTP_500_INTERNAL_SERVER_ERROR, context={
        "title": TITLES[500], "detail": f"at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, "
                                        f"request {request_id}", "problems": [], "viewer": None})


REDIS_AWAY = ("Redis cannot be reached right now, so this could not be done. Try again once it is back: "
              "the header says while it is away.")


def redis_unreachable(request: Request[Any, Any, Any], exc: RedisError) -> Response[Any]:
    """What needs Redis (queueing work, the sign-in limiter) while Redis is away: 503 with a sentence.
    Any other Redis error is a bug, answered like one."""
    if unreachable_service(exc) != REDIS:
        return server_error(request, exc)
    log.warning("request_without_redis", path=request.url.path, error=str(exc), error_kind=type(exc).__name__)
    headers = {"Retry-After": str(round(OUTAGE_RETRY_SECONDS))}
    if _is_api(request):
        return _json(503, REDIS_AWAY, headers=headers)
    if HTMXRequest(request.scope).htmx:
        # htmx swaps no 5xx (base.html's responseHandling), so a swap is told in a toast and leaves the
        # page as it was: the sentence, not a request that silently did nothing.
        return Template("partials/settings_toast.html", context={"toast": Flash("error", REDIS_AWAY)},
                        headers={**headers, "HX-Reswap": "none"})
    return Template("pages/error.html", status_code=503, headers=headers,
                    context={"title": "Redis is unreachable", "detail": REDIS_AWAY, "problems": [],
                             "viewer": None})


def not_visible(request: Request[Any, Any, Any], exc: NotVisible) -> Response[Any]:
    """db/roles.py's rule: what the viewer cannot see answers 404, as if it did not exist."""
    return http_error(request, NotFoundException(str(exc)))


def not_allowed(request: Request[Any, Any, Any], exc: NotAllowed) -> Response[Any]:
    """Visible, but the viewer's role does not allow the action: 403."""
    return http_error(request, PermissionDeniedException(str(exc)))


def invalid_filter(request: Request[Any, Any, Any], exc: InvalidFilter) -> Response[Any]:
    """A photo filter out of range (db/photo_filter.py): 400 with its sentence, on pages and the API."""
    return http_error(request, ValidationException(str(exc)))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    InvalidFilter: invalid_filter,
    NotVisible: not_visible,
    NotAllowed: not_allowed,
    SignInRequired: sign_in_redirect,
    Busy: busy,
    RedisError: redis_unreachable,
    NotFoundException: http_error,
    PermissionDeniedException: http_error,
    HTTPException: http_error,
    Exception: server_error,
}
