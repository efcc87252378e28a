"""XMP sidecars in a library: never photos themselves, read with their photo, and re-read when they change."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PIL import Image

from photonix.db import tags
from photonix.db.tables import Photo, PhotoFile, StepRun
from photonix.jobs.importer import import_folder, rerun_metadata
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.recovery import requeue_unfinished
from photonix.jobs.watcher import rescan_all
from photonix.jobs.worker import build_worker

DEADLINE_S = 60
EMBEDDED = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>'
    '<rdf:li xml:lang="x-default">Embedded title</rdf:li></rdf:Alt></dc:title></rdf:Description>'
    "</rdf:RDF></x:xmpmeta>"
)


def sidecar(title: str, keyword: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:subject><rdf:Bag><rdf:li>{keyword}</rdf:li></rdf:Bag></dc:subject>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def placed_sidecar(lat: str, lon: str, taken: str) -> str:
    """A sidecar giving a position (XMP's "DDD,MM.mmk" form) and a capture date, as darktable writes them."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}" exif:DateTimeOriginal="{taken}"/>'
        "</rdf:RDF></x:xmpmeta>"
    )


# Vernier, by Genève (tests/classifiers/test_location.py), on Christmas Day 2015.
GENEVA_AT_CHRISTMAS = placed_sidecar("46,13.02N", "6,5.1E", "2015-12-25T10:00:00")


async def until_settled(deadline: float) -> None:
    """Wait until every recorded step has finished."""
    while await StepRun.count().where(StepRun.state.not_in(["done", "skipped", "failed"])):
        assert time.monotonic() < deadline, "recorded steps did not finish"
        await asyncio.sleep(0.1)


def photo_in(folder: Path) -> Path:
    path = folder / "IMG_1.jpg"
    Image.new("RGB", (32, 24), (120, 60, 30)).save(path, xmp=EMBEDDED.encode())
    return path


async def title_and_keywords() -> tuple[str | None, set[str]]:
    row = await Photo.select(Photo.id, Photo.title).first()
    assert row is not None
    found = {tag.name for tag in await tags.tags_of(row["id"]) if tag.source == tags.XMP_SOURCE}
    return row["title"], found


async def test_sidecar_is_no_photo_and_its_values_win(library, redis, worker) -> None:
    folder = library.folders[0]
    photo_in(folder)
    (folder / "IMG_1.jpg.xmp").write_text(sidecar("Sidecar title", "harbour"))
    report = await import_folder(redis, PIPELINE, library.id, folder)
    await worker().main()
    assert (report.found, len(report.new_photo_ids), await Photo.count()) == (1, 1, 1)
    assert await title_and_keywords() == ("Sidecar title", {"harbour"})
    assert (await Photo.select(Photo.rating).first() or {}).get("rating") == 3


async def test_rescan_rereads_metadata_when_a_sidecar_appears_changes_or_goes(library, redis, worker) -> None:
    folder = library.folders[0]
    photo_in(folder)
    await rescan_all(redis, PIPELINE)
    await worker().main()
    assert await title_and_keywords() == ("Embedded title", set())

    written = folder / "IMG_1.xmp"
    written.write_text(sidecar("First edit", "boat"))
    assert len((await import_folder(redis, PIPELINE, library.id, folder)).sidecar_rereads) == 1
    await worker().main()
    assert await title_and_keywords() == ("First edit", {"boat"})
    assert (await import_folder(redis, PIPELINE, library.id, folder)).sidecar_rereads == []

    written.write_text(sidecar("Second edit", "sail"))
    await rescan_all(redis, PIPELINE)
    await worker().main()
    assert await title_and_keywords() == ("Second edit", {"sail"})

    written.unlink()
    await rescan_all(redis, PIPELINE)
    await worker().main()
    assert await title_and_keywords() == ("Embedded title", set())


async def test_watcher_rereads_metadata_when_a_sidecar_is_written(library, redis, settings, pool) -> None:
    folder = library.folders[0]
    photo_in(folder)
    await import_folder(redis, PIPELINE, library.id, folder)        # queued; the watching worker runs it
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(running.async_run())
    try:
        deadline = time.monotonic() + DEADLINE_S
        while await Photo.count().where(Photo.title.is_not_null()) == 0:
            assert time.monotonic() < deadline, "the photo was not processed"
            await asyncio.sleep(0.1)
        written_at = 0.0
        while await title_and_keywords() != ("Edited in darktable", {"river"}):
            assert time.monotonic() < deadline + DEADLINE_S, "the watcher did not re-read the sidecar"
            if time.monotonic() - written_at > 5:   # the watcher may not be listening yet: write again
                (folder / "IMG_1.jpg.xmp").write_text(sidecar("Edited in darktable", "river"))
                written_at = time.monotonic()
            await asyncio.sleep(0.1)
        assert await Photo.count() == 1
        await until_settled(deadline + 2 * DEADLINE_S)     # no job may still be running at close
    finally:
        await running.close()
        task.cancel()


async def tags_of_kind(kind: str) -> set[str]:
    row = await Photo.select(Photo.id).first()
    assert row is not None
    return {tag.name for tag in await tags.tags_of(row["id"]) if tag.kind == kind}


async def derivatives() -> dict[str, int]:
    """Each derivative file of the (one) photo and the time it was last written."""
    rows = await PhotoFile.select(PhotoFile.path).where(PhotoFile.kind != "original")
    return {row["path"]: Path(row["path"]).stat().st_mtime_ns for row in rows}


async def runs_by_step() -> dict[str, list[tuple[int, str]]]:
    """step -> [(version, state)] for every run of every step of the (one) photo."""
    found: dict[str, list[tuple[int, str]]] = {}
    for row in await StepRun.select(StepRun.step, StepRun.version, StepRun.state).order_by(StepRun.version):
        found.setdefault(row["step"], []).append((row["version"], row["state"]))
    return found


async def test_sidecar_with_a_position_tags_the_place_without_remaking_thumbnails(library, redis,
                                                                                  worker) -> None:
    folder = library.folders[0]
    photo_in(folder)
    await rescan_all(redis, PIPELINE)
    await worker().main()
    assert await tags_of_kind("location") == set()
    made = await derivatives()
    assert made, "the first run made no thumbnails"

    (folder / "IMG_1.jpg.xmp").write_text(GENEVA_AT_CHRISTMAS)
    await rescan_all(redis, PIPELINE)
    await worker().main()

    assert await tags_of_kind("location") == {"Switzerland", "Genève"}
    assert {"2015", "December"} <= await tags_of_kind("event")
    assert await derivatives() == made
    runs = await runs_by_step()
    assert runs["convert_raw"] == [(1, "skipped")] and runs["make_thumbnails"] == [(1, "done")]
    assert runs["classify_color"] == [(1, "done")]
    assert runs["extract_metadata"] == [(1, "done"), (2, "done")]
    assert runs["classify_location"] == [(1, "skipped"), (2, "done")]
    assert runs["classify_event"][1] == (2, "done")


async def test_metadata_rerun_lost_from_the_queue_resumes_with_its_own_steps(library, redis,
                                                                            worker) -> None:
    folder = library.folders[0]
    photo_in(folder)
    await import_folder(redis, PIPELINE, library.id, folder)
    await worker().main()
    made = await derivatives()
    (folder / "IMG_1.jpg.xmp").write_text(GENEVA_AT_CHRISTMAS)
    row = await Photo.select(Photo.id).first()
    assert row is not None
    await rerun_metadata(redis, PIPELINE, row["id"])
    await redis.flushdb()                   # Redis lost the queue; the record still holds the run

    assert await requeue_unfinished(redis, PIPELINE) == 1       # extract_metadata, its first link
    await worker().main()

    assert await tags_of_kind("location") == {"Switzerland", "Genève"}
    assert await derivatives() == made
    runs = await runs_by_step()
    assert {step for step, found in runs.items() if (2, "done") in found} == {
        "extract_metadata", "classify_location", "classify_event"}


async def test_watcher_tags_the_place_a_new_sidecar_gives(library, redis, settings, pool) -> None:
    folder = library.folders[0]
    photo_in(folder)
    await import_folder(redis, PIPELINE, library.id, folder)        # queued; the watching worker runs it
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(running.async_run())
    try:
        deadline = time.monotonic() + DEADLINE_S
        finished = StepRun.state.is_in(["done", "skipped"])
        while await StepRun.count().where(finished) < len(PIPELINE.step_names()):
            assert time.monotonic() < deadline, "the photo was not processed"
            await asyncio.sleep(0.1)
        made = await derivatives()
        written_at = 0.0
        while await tags_of_kind("location") != {"Switzerland", "Genève"}:
            assert time.monotonic() < deadline + DEADLINE_S, "the watcher did not tag the sidecar's place"
            if time.monotonic() - written_at > 5:   # the watcher may not be listening yet: write again
                (folder / "IMG_1.jpg.xmp").write_text(GENEVA_AT_CHRISTMAS)
                written_at = time.monotonic()
            await asyncio.sleep(0.1)
        await until_settled(deadline + 2 * DEADLINE_S)
        assert await derivatives() == made
        assert (await runs_by_step())["make_thumbnails"] == [(1, "done")]
    finally:
        await running.close()
        task.cancel()
