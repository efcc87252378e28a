"""Photo rows turned into what the API and pages show: summaries, details with files, tags and steps."""

from __future__ import annotations

import dataclasses
from typing import Any

from photonix.config import Settings
from photonix.db import photos, stepruns, tags
from photonix.db.step_states import FINAL_STATES
from photonix.web.files import original_problem

SUMMARY_FIELDS = ("id", "library", "taken_at", "camera_make", "camera_model", "rating", "width", "height",
                  "orientation", "format")
# Members never see server paths: the file's name is shown, its folder only to admins (original_path).
DETAIL_FIELDS = (*SUMMARY_FIELDS, "content_hash", "file_size", "imported_at", "version",
                 "taken_at_offset", "lens", "exposure_time", "f_number", "iso", "focal_length", "flash",
                 "gps_lat", "gps_lon", "gps_altitude", "histogram", "date_source", "date_uncertain", "title",
                 "description")


def thumbnail_url(photo_id: int, size: str) -> str:
    return f"/photos/{photo_id}/thumbnail/{size}"


def file_name(row: dict[str, Any]) -> str:
    """The original's file name, without the server folder it lies in."""
    return str(row["original_path"]).replace("\\", "/").rsplit("/", 1)[-1]


def photo_summary(row: dict[str, Any], state: str) -> dict[str, Any]:
    summary = {name: row[name] for name in SUMMARY_FIELDS}
    summary["library_id"] = summary.pop("library")
    summary["state"] = state
    summary["thumbnail_url"] = thumbnail_url(row["id"], "square")
    return summary


async def photo_detail(row: dict[str, Any], settings: Settings, *, show_path: bool = False) -> dict[str, Any]:
    """The photo as the API shows it; `show_path` (admins) adds the original's server path."""
    photo_id = row["id"]
    detail = {name: row[name] for name in DETAIL_FIELDS}
    detail["library_id"] = detail.pop("library")
    detail["file_name"] = file_name(row)
    if show_path:
        detail["original_path"] = row["original_path"]
    files = await photos.files_of(photo_id)
    detail["thumbnails"] = {
        f.size_name: {"url": thumbnail_url(photo_id, f.size_name), "width": f.width, "height": f.height}
        for f in files if f.kind == "thumbnail"
    }
    detail["original_url"] = f"/photos/{photo_id}/original"
    problem = await original_problem(settings, row)
    detail["original_available"] = problem is None
    detail["original_problem"] = problem
    detail["tags"] = [dataclasses.asdict(t) for t in await tags.tags_of(photo_id)]
    steps = await stepruns.current_steps(photo_id)
    detail["steps"] = [dataclasses.asdict(s) for s in steps]
    states = {s.state for s in steps}
    detail["state"] = "failed" if "failed" in states else (
        "done" if states <= FINAL_STATES else "pending")
    return detail
