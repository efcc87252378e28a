"""XMP sidecars in a library: never photos themselves, read with their photo, and re-read when they change."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PIL import Image

from photonix.db import tags
from photonix.db.tables import Photo
from photonix.jobs.importer import import_folder
from photonix.jobs.pipeline import PIPELINE
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
    finally:
        await running.close()
        task.cancel()
