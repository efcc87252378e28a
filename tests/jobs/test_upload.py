"""Uploads: the original is kept under the data dir, deduplicated, and goes down the same pipeline."""

from __future__ import annotations

import io

from photonix.db import photos
from photonix.jobs.importer import ingest_upload
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.jobs.conftest import step_states

ROW = corpus.rows(expected="ok", folder="orientation")[0]


async def test_upload_is_stored_under_the_data_dir_and_processed(settings, redis, library, worker) -> None:
    photo_id, is_new = await ingest_upload(settings, redis, PIPELINE, library.id, "../../etc/My Photo.jpg",
                                           io.BytesIO(ROW.file.read_bytes()))
    assert is_new
    source = await photos.source_for(photo_id)
    assert source.original_path.is_relative_to(settings.originals_dir)
    assert ".." not in source.original_path.parts and source.original_path.name.endswith("My_Photo.jpg")
    assert source.original_path.read_bytes() == ROW.file.read_bytes()
    await worker().main()
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}


async def test_uploading_the_same_photo_twice_keeps_one(settings, redis, library) -> None:
    first, _ = await ingest_upload(settings, redis, PIPELINE, library.id, "a.jpg",
                                   io.BytesIO(ROW.file.read_bytes()))
    again, is_new = await ingest_upload(settings, redis, PIPELINE, library.id, "b.jpg",
                                        io.BytesIO(ROW.file.read_bytes()))
    assert (again, is_new) == (first, False)
    stored = [p for p in settings.originals_dir.rglob("*") if p.is_file()]
    assert [p.name for p in stored if p.name.endswith(("a.jpg", "b.jpg"))] == [
        (await photos.source_for(first)).original_path.name
    ]
