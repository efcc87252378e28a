"""The metadata migration: camera names imported before it are shortened the way new imports store them."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

from photonix.db import accounts
from photonix.db.tables import Photo

MIGRATION = importlib.import_module("piccolo_migrations.photonix_2026_11_30t18_20_00_000000")


async def test_camera_names_stored_before_are_shortened(clean: None, tmp_path: Path) -> None:
    owner = await accounts.create_user("alice", "correct horse battery")
    library_id = await accounts.create_library("old photos", [tmp_path], owner)
    now = datetime.now(UTC)
    stored = [("NIKON CORPORATION", "NIKON D70"), ("Canon", "Canon EOS 5D"), ("Apple", "iPhone 8"),
              ("OLYMPUS IMAGING CORP.", None), (None, "Model X")]
    for index, (make, model) in enumerate(stored):
        await Photo.insert(Photo(library=library_id, content_hash=f"{index:064d}",
                                 original_path=f"/p/{index}.jpg", imported_at=now,
                                 camera_make=make, camera_model=model))
    await MIGRATION.shorten_camera_names()
    rows = await Photo.select(Photo.camera_make, Photo.camera_model).order_by(Photo.content_hash)
    assert [(row["camera_make"], row["camera_model"]) for row in rows] == [
        ("Nikon", "D70"), ("Canon", "EOS 5D"), ("Apple", "iPhone 8"), ("Olympus", None), (None, "Model X")]
