"""Guest upload into a shared album (a link with allow_upload): a plain multipart form on the share page,
the guest's name and their photos. Each file is stored and imported like a signed-in upload
(jobs/importer.ingest_upload: the whole pipeline runs on it), then added to the album under that name.

The body limit follows PHOTONIX_MAX_UPLOAD_MB, as for POST /upload, so this route has a router of its own."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Controller, Request, Router, post
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import guest_uploads
from photonix.errors import PhotonixError
from photonix.jobs.importer import ingest_upload
from photonix.jobs.pipeline import PIPELINE
from photonix.web import share_pages
from photonix.web.deps import RedisDep, SettingsDep
from photonix.web.upload import body_limit, display_name, head_of, refusal

log = structlog.get_logger()
MAX_FILES = 50


class GuestUploadController(Controller):
    path = "/s/{token:str}"
    include_in_schema = False
    exception_handlers = share_pages.SharePageController.exception_handlers

    @post("/upload", cache_control=CacheControlHeader(no_store=True))
    async def upload(self, request: Request[Any, Any, Any], settings: SettingsDep, redis: RedisDep,
                     token: FromPath[str]) -> Redirect | Template:
        link = await share_pages.usable_link(request, token)
        if link.album_id is None or not link.allow_upload:
            raise NotFoundException("uploads are off for this link")
        form = await request.form()
        uploads = [value for value in form.getall("files", []) if isinstance(value, UploadFile)]
        try:
            name = " ".join(str(form.get("guest_name") or "").split())[:guest_uploads.MAX_NAME]
            problem = None
            if not name:
                problem = "Say who you are, so the album shows who added these photos."
            elif not uploads:
                problem = "Choose at least one photo to add."
            elif len(uploads) > MAX_FILES:
                problem = f"Add at most {MAX_FILES} photos at a time."
            library_id = await guest_uploads.library_for_guests(link.owner_id)
            if library_id is None:
                raise NotFoundException("uploads are off for this link")
            added, refused = 0, []
            for upload in uploads if problem is None else []:
                file_name = display_name(upload.filename)
                upload.file.seek(0, 2)
                size = upload.file.tell()
                upload.file.seek(0)
                reason = refusal(file_name, size, settings.max_upload_mb, head_of(upload.file))
                if reason is not None:
                    refused.append(reason)
                    continue
                try:
                    photo_id, _ = await ingest_upload(settings, redis, PIPELINE, library_id, file_name,
                                                      upload.file)
                except (OSError, PhotonixError) as exc:
                    log.error("guest_upload_failed", share_link_id=link.id, error=str(exc),
                              error_kind=type(exc).__name__)
                    refused.append(f"{file_name}: could not be stored — try again")
                    continue
                await guest_uploads.add_to_album(link.album_id, photo_id, name)
                added += 1
        finally:
            for upload in uploads:
                await upload.close()
        if problem or refused:
            return await share_pages.page_with_message(request, settings, link, problem or "; ".join(refused),
                                                       added=added, status_code=200 if added else 422)
        log.info("guest_upload", share_link_id=link.id, photos=added)
        return Redirect(f"/s/{link.token}?added={added}", status_code=303)


def guest_upload_router(settings: Settings) -> Router:
    return Router(path="/", route_handlers=[GuestUploadController],
                  request_max_body_size=body_limit(settings))
