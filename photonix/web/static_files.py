"""Static files under content-hashed URLs: `static_url('css/app.css')` in a template gives
`/static/css/app.css?v=<10 hex of its sha256>`, and that URL is cached for a year (`immutable`).

The digests are computed once, when the app is made (templates ship with the code and are not reloaded
either: change a file, restart the server). A request without the current `v=` (an old page, a relative
URL inside a stylesheet, a hand-typed URL) is answered `no-cache` with the digest as ETag, so the browser
asks again and gets a 304 while the file is unchanged.

Only files found at start-up are served, which also keeps every path inside the static directory.
`/favicon.ico` answers with the icon (browsers ask for it on their own, without reading any page)."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.datastructures import ETag
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

DIGEST_LENGTH = 10                                       # hex characters of sha256 in the ?v= of a URL
FOREVER = "public, max-age=31536000, immutable"          # the URL changes whenever the file does
REVALIDATE = "no-cache"                                  # keep it, but ask (If-None-Match) before using it
FAVICON_MAX_AGE = "public, max-age=86400"                # /favicon.ico has no version in its URL
# Types the platform's mimetypes table may lack or spell oddly (Debian's knows no .ico).
MEDIA_TYPES = {".ico": "image/x-icon", ".svg": "image/svg+xml", ".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class StaticFiles:
    """The static directory's files, each with the digest of its content."""

    directory: Path
    digests: dict[str, str]                              # "css/app.css" -> "0123456789"

    @classmethod
    def scan(cls, directory: Path) -> StaticFiles:
        digests = {path.relative_to(directory).as_posix(): _digest(path)
                   for path in sorted(directory.rglob("*")) if path.is_file()}
        return cls(directory=directory, digests=digests)

    def url(self, name: str) -> str:
        """The versioned URL of a static file; an unknown name is a template bug, so it raises."""
        try:
            return f"/static/{name}?v={self.digests[name]}"
        except KeyError:
            raise LookupError(f"no static file {name!r} in {self.directory}") from None

    def answer(self, request: Request[Any, Any, Any], name: str, cache_control: str) -> Response[Any]:
        """The file, or 304 when the browser already holds this content."""
        digest = self.digests.get(name)
        if digest is None:
            raise NotFoundException()
        headers = {"Cache-Control": cache_control}
        if _matches(request.headers.get("if-none-match"), digest):
            return Response(content=b"", status_code=304, headers={**headers, "ETag": f'"{digest}"'})
        path = self.directory / name
        media_type = (MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0]
                      or "application/octet-stream")
        return File(path=path, content_disposition_type="inline", headers=headers, media_type=media_type,
                    etag=ETag(value=digest))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]


def _matches(if_none_match: str | None, digest: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
    return digest in tags or "*" in tags


def static_router(files: StaticFiles) -> Router:
    """/static/<name> and /favicon.ico, open to everyone (the share pages use them too)."""

    @get("/static/{file_path:path}", include_in_schema=False, sync_to_thread=False)
    def static_file(request: Request[Any, Any, Any], file_path: FromPath[str]) -> Response[Any]:
        name = file_path.lstrip("/")
        current = request.query_params.get("v") == files.digests.get(name)
        return files.answer(request, name, FOREVER if current else REVALIDATE)

    @get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
    def favicon(request: Request[Any, Any, Any]) -> Response[Any]:
        return files.answer(request, "favicon.ico", FAVICON_MAX_AGE)

    return Router(path="/", route_handlers=[static_file, favicon], include_in_schema=False)
