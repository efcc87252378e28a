"""Structured JSON logs (structlog) for web and worker: one line per event, context in keys."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# A share link's token is its key: a log line naming /s/<token> would hand the link to whoever reads logs.
SHARE_PATH = re.compile(r"/s/[^/?#\s\"'<>]+")
REDACTED_SHARE = "/s/<token>"


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return SHARE_PATH.sub(REDACTED_SHARE, value) if "/s/" in value else value
    if isinstance(value, (list, tuple)):
        return type(value)(_redacted(item) for item in value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


def redact_share_tokens(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every value of every line, ours and the stdlib loggers' (uvicorn, Litestar), without share tokens."""
    return {key: _redacted(value) for key, value in event.items()}


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr; stdlib loggers (ARQ, uvicorn) go through the same renderer."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Last before rendering, after exc_info is formatted, so tracebacks are redacted too.
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redact_share_tokens,
                    structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, redact_share_tokens,
                    structlog.processors.JSONRenderer()],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiosqlite's debug lines carry every query's parameters: share tokens, session digests. Never logged.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root.level))
