"""The msgspec Structs the photo API answers with, built from the read model's values: /schema documents
these types field by field. Members never see server paths: the file's name is shown, its folder only to
admins (`original_path`)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from photonix.db.photo_values import PhotoDetail, Tile
from photonix.db.stepruns import StepRecord
from photonix.db.tags import PhotoTagView
from photonix.media.error_sentences import plain_error


def thumbnail_url(photo_id: int, size: str) -> str:
    return f"/photos/{photo_id}/thumbnail/{size}"


class ErrorBody(msgspec.Struct):
    """What a 4xx answers: the status again, a sentence, and per-field problems for a 400."""

    status_code: int
    detail: str
    extra: list[dict[str, str]] | None = None


class PhotoSummary(msgspec.Struct):
    id: int
    library_id: int
    taken_at: datetime | None
    camera_make: str | None
    camera_model: str | None
    rating: int
    favourite: bool             # the viewer's own heart (never through a share link)
    width: int | None           # as stored, before orientation
    height: int | None
    orientation: int
    format: str | None
    state: str                  # done | pending | failed
    thumbnail_url: str | None   # None while (or because) the photo has no thumbnail: never a URL that 404s

    @classmethod
    def of(cls, tile: Tile) -> PhotoSummary:
        return cls(id=tile.id, library_id=tile.library_id, taken_at=tile.taken_at,
                   camera_make=tile.camera_make, camera_model=tile.camera_model, rating=tile.rating,
                   favourite=tile.favourite, width=tile.stored_width, height=tile.stored_height,
                   orientation=tile.orientation, format=tile.format, state=tile.state,
                   thumbnail_url=thumbnail_url(tile.id, "square") if tile.has_thumbnail else None)


class PhotoList(msgspec.Struct):
    """A page of photos newest first. Numbered pages (`page`, `per_page`) for scripts; `next_before` is the
    cursor of the next page (`?before=`), which neither repeats nor skips photos while new ones arrive."""

    items: list[PhotoSummary]
    page: int
    per_page: int
    total: int
    next_before: str | None


class ThumbnailOut(msgspec.Struct):
    url: str
    width: int | None
    height: int | None


class TagOut(msgspec.Struct):
    tag_id: int
    kind: str
    name: str
    parent: str | None
    score: float
    source: str             # "user", "xmp", or "classifier@version"
    added_by: str | None = None     # who added a person's tag: tags are the photo's, shared by its library

    @classmethod
    def of(cls, tag: PhotoTagView) -> TagOut:
        return cls(tag.tag_id, tag.kind, tag.name, tag.parent, tag.score, tag.source, tag.added_by_name)


class StepOut(msgspec.Struct):
    photo_id: int
    step: str
    version: int
    state: str
    tries: int
    error: str                  # the raw text, as the step raised it
    error_kind: str
    duration_ms: int | None
    started_at: datetime | None
    finished_at: datetime | None
    error_message: str          # the error as a sentence for people (media/error_sentences.py); "" for none

    @classmethod
    def of(cls, step: StepRecord) -> StepOut:
        return cls(step.photo_id, step.step, step.version, step.state, step.tries, step.error,
                   step.error_kind, step.duration_ms, step.started_at, step.finished_at,
                   plain_error(step.error))


class PhotoOut(msgspec.Struct):
    """One photo: what its EXIF and the pipeline found, its files, tags and steps."""

    id: int
    library_id: int
    file_name: str
    taken_at: datetime | None
    taken_at_offset: str | None
    date_source: str | None
    date_uncertain: bool
    camera_make: str | None
    camera_model: str | None
    lens: str | None
    exposure_time: float | None
    f_number: float | None
    iso: int | None
    focal_length: float | None
    flash: bool | None
    gps_lat: float | None
    gps_lon: float | None
    gps_altitude: float | None
    rating: int
    favourite: bool             # the viewer's own heart (never through a share link)
    archived_at: datetime | None
    trashed_at: datetime | None
    width: int | None
    height: int | None
    orientation: int
    format: str | None
    content_hash: str
    file_size: int
    imported_at: datetime
    version: int
    histogram: list[list[int]] | None
    title: str | None
    description: str | None
    state: str
    thumbnails: dict[str, ThumbnailOut]
    original_url: str
    original_available: bool
    original_problem: str | None
    tags: list[TagOut]
    steps: list[StepOut]
    original_path: str | None = None        # admins only
    rated_by: str | None = None             # who set the rating (shared by the library's members)

    @classmethod
    def of(cls, detail: PhotoDetail, problem: str | None, *, show_path: bool) -> PhotoOut:
        return cls(
            id=detail.id, library_id=detail.library_id, file_name=detail.file_name, taken_at=detail.taken_at,
            taken_at_offset=detail.taken_at_offset, date_source=detail.date_source,
            date_uncertain=detail.date_uncertain, camera_make=detail.camera_make,
            camera_model=detail.camera_model, lens=detail.lens, exposure_time=detail.exposure_time,
            f_number=detail.f_number, iso=detail.iso, focal_length=detail.focal_length, flash=detail.flash,
            gps_lat=detail.gps_lat, gps_lon=detail.gps_lon, gps_altitude=detail.gps_altitude,
            rating=detail.rating, favourite=detail.favourite, archived_at=detail.archived_at,
            trashed_at=detail.trashed_at, width=detail.width, height=detail.height,
            orientation=detail.orientation, format=detail.format, content_hash=detail.content_hash,
            file_size=detail.file_size, imported_at=detail.imported_at, version=detail.version,
            histogram=detail.histogram, title=detail.title, description=detail.description,
            state=detail.state, rated_by=detail.rated_by_name,
            thumbnails={t.size_name: ThumbnailOut(thumbnail_url(detail.id, t.size_name), t.width, t.height)
                        for t in detail.thumbnails},
            original_url=f"/photos/{detail.id}/original", original_available=problem is None,
            original_problem=problem, tags=[TagOut.of(tag) for tag in detail.tags],
            steps=[StepOut.of(step) for step in detail.steps],
            original_path=detail.original_path if show_path else None,
        )


class ReprocessRequest(msgspec.Struct):
    steps: list[str] | None = None      # None: the whole pipeline


class ReprocessStarted(msgspec.Struct):
    photo_id: int
    version: int
    steps: list[str]
