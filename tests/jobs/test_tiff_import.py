"""A TIFF only tifffile can decode imports like any photo: metadata read, thumbnails made, classified."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile

from photonix.db import photos
from tests.jobs.conftest import step_states


async def test_cmyk_alpha_tiff_runs_every_step_to_done_or_skipped(import_files, worker,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    pixels = np.zeros((300, 400, 5), np.uint8)
    pixels[..., 0] = 255
    tifffile.imwrite(path, pixels, photometric="separated", extrasamples=["unassalpha"], compression="lzw",
                     extratags=[(271, "s", 0, "Scanner Co", True)])
    report = await import_files([path])
    await worker().main()
    photo_id = report.new_photo_ids[0]
    states = await step_states(photo_id)
    assert set(states.values()) <= {"done", "skipped"}, states
    assert states["extract_metadata"] == states["make_thumbnails"] == "done"
    assert (await photos.file_of(photo_id, "thumbnail", "medium")) is not None
    metadata = await photos.metadata_of(photo_id)
    assert (metadata.format, metadata.width, metadata.camera_make) == ("TIFF", 400, "Scanner Co")
