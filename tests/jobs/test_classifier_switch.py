"""The admin's classifier switch reaches the pipeline: a classifier turned off is skipped, its siblings
run."""

from __future__ import annotations

from photonix.db import classifier_settings, tags
from tests.jobs.conftest import step_runs, step_states
from tests.jobs.test_pipeline import GPS_PHOTO


async def test_classifier_turned_off_is_skipped_and_its_siblings_run(import_files, worker) -> None:
    await classifier_settings.set_enabled("color", False)
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await worker().main()
    [color] = [run for run in await step_runs(photo_id) if run["step"] == "classify_color"]
    assert color["state"] == "skipped" and color["error"] == "turned off in settings"
    states = await step_states(photo_id)
    assert states["classify_location"] == states["classify_event"] == "done"
    assert states["make_thumbnails"] == "done"
    kinds = {tag.kind for tag in await tags.tags_of(photo_id)}
    assert "color" not in kinds and {"location", "event"} <= kinds
