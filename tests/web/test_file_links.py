"""File routes and steps at serve time: a link swapped in for a file (or a folder on its way) is never
followed, the original answers 404 and the photo says "original missing or moved"; members never
see a server folder, in the API or on the pages."""

from __future__ import annotations

import io
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from arq import ArqRedis

from photonix.config import Settings
from photonix.db import photos, stepruns
from photonix.jobs import flow
from photonix.jobs.importer import ingest_upload
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member, make_member, sign_in

PHOTOS = corpus.rows(expected="ok", folder="orientation")
MISSING = "original missing or moved"


class Text(HTMLParser):
    """The text of a page, by element class, for asserting on what a reader sees."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.by_class: dict[str, list[str]] = {}
        self.chunks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.classes.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.classes:
            self.classes.pop()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        for names in self.classes:
            for name in names.split():
                self.by_class.setdefault(name, []).append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(self.chunks)


async def imported(redis: ArqRedis, member: Member, worker: Any,
                   source: Path = PHOTOS[0].file) -> tuple[int, Path]:
    report = await import_into(redis, member.library_id, [source])
    await worker().main()
    [photo_id] = report.new_photo_ids
    stored = await photos.file_of(photo_id, photos.ORIGINAL)
    assert stored is not None
    return photo_id, stored.path


def secret(tmp_path: Path) -> Path:
    """A file outside every library, as the data dir's secret_key would be."""
    (tmp_path / "outside").mkdir(exist_ok=True)
    target = tmp_path / "outside" / "secret_key"
    target.write_text("SECRET-KEY-DO-NOT-SERVE")
    return target


def replace_by_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


async def test_an_original_replaced_by_a_link_answers_404_and_the_photo_says_so(
    client, alice, redis, worker, tmp_path
) -> None:
    photo_id, original = await imported(redis, alice, worker)
    served = await client.get(f"/photos/{photo_id}/original", headers=alice.auth)
    assert served.status_code == 200 and served.content == PHOTOS[0].file.read_bytes()
    replace_by_link(original, secret(tmp_path))
    response = await client.get(f"/photos/{photo_id}/original", headers=alice.auth)
    assert response.status_code == 404 and b"SECRET" not in response.content
    detail = (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()
    assert detail["original_available"] is False and detail["original_problem"] == MISSING
    await sign_in(client, "alice")
    page = Text((await client.get(f"/photos/{photo_id}")).text)
    assert MISSING in page.by_class["original-missing"]


async def test_a_folder_on_the_way_replaced_by_a_link_answers_404(
    client, alice, redis, worker, tmp_path
) -> None:
    album = alice.folder / "2020"
    album.mkdir()
    photo_id, original = await imported(redis, alice, worker, shutil.copy(PHOTOS[0].file, album / "a.jpg"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(PHOTOS[1].file, elsewhere / original.name)     # same name, a photo the library never had
    shutil.rmtree(album)
    album.symlink_to(elsewhere, target_is_directory=True)
    response = await client.get(f"/photos/{photo_id}/original", headers=alice.auth)
    assert response.status_code == 404 and response.content != PHOTOS[1].file.read_bytes()


async def test_a_thumbnail_replaced_by_a_link_answers_404(client, alice, redis, worker, tmp_path) -> None:
    photo_id, _ = await imported(redis, alice, worker)
    thumb = await photos.file_of(photo_id, "thumbnail", "square")
    assert thumb is not None
    kept = thumb.path.read_bytes()               # derivatives are shared by content hash: put it back after
    try:
        replace_by_link(thumb.path, secret(tmp_path))
        response = await client.get(f"/photos/{photo_id}/thumbnail/square", headers=alice.auth)
        assert response.status_code == 404 and b"SECRET" not in response.content
    finally:
        thumb.path.unlink()
        thumb.path.write_bytes(kept)


async def test_reprocessing_never_reads_through_a_link(alice, redis, worker, tmp_path) -> None:
    photo_id, original = await imported(redis, alice, worker)
    before = await photos.metadata_of(photo_id)
    elsewhere = tmp_path / "elsewhere.jpg"
    shutil.copy(PHOTOS[1].file, elsewhere)
    replace_by_link(original, elsewhere)
    version = await photos.bump_version(photo_id)
    await flow.start(redis, PIPELINE, photo_id, version)
    await worker().main()
    steps = {s.step: s for s in await stepruns.current_steps(photo_id)}
    assert steps["extract_metadata"].state == "failed" and MISSING in steps["extract_metadata"].error
    assert steps["make_thumbnails"].state != "done"
    assert await photos.metadata_of(photo_id) == before


async def test_the_data_dir_stays_private_even_inside_a_library_folder(
    client, clean, redis, worker, settings: Settings, tmp_path
) -> None:
    home = await make_member("carol", settings.data_dir.parent)     # a folder that holds the data dir
    planted = settings.data_dir / "planted.jpg"                      # as photonix.sqlite or secret_key would
    shutil.copy(PHOTOS[0].file, planted)
    try:
        (tmp_path / "holiday.jpg").symlink_to(planted)
        [photo_id] = (await import_into(redis, home.library_id, [tmp_path / "holiday.jpg"])).new_photo_ids
        await worker().main()
        steps = {s.step: s for s in await stepruns.current_steps(photo_id)}
        assert steps["extract_metadata"].state == "failed" and MISSING in steps["extract_metadata"].error
        response = await client.get(f"/photos/{photo_id}/original", headers=home.auth)
        assert response.status_code == 404
    finally:
        planted.unlink()


async def test_uploaded_originals_are_still_served(client, alice, redis, settings: Settings, worker) -> None:
    photo_id, _ = await ingest_upload(settings, redis, PIPELINE, alice.library_id, "up.jpg",
                                      io.BytesIO(PHOTOS[2].file.read_bytes()))
    response = await client.get(f"/photos/{photo_id}/original", headers=alice.auth)
    assert response.status_code == 200 and response.content == PHOTOS[2].file.read_bytes()


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


async def test_a_member_never_sees_a_server_folder(client, alice, redis, worker, settings: Settings) -> None:
    photo_id, _ = await imported(redis, alice, worker)
    doomed = alice.folder / "gone.jpg"
    shutil.copy(PHOTOS[1].file, doomed)
    [gone_id] = (await import_into(redis, alice.library_id, [doomed])).new_photo_ids
    doomed.unlink()
    await worker().main()
    folders = (str(alice.folder), str(alice.folder.resolve()), str(settings.data_dir))
    answers = [(await client.get(url, headers=alice.auth)).json() for url in (
        f"/api/v1/photos/{photo_id}", f"/api/v1/photos/{gone_id}", "/api/v1/photos")]
    leaked = [s for s in strings(answers) if any(folder in s for folder in folders)]
    assert not leaked
    gone = answers[1]
    assert gone["file_name"] == "gone.jpg" and any("gone.jpg" in step["error"] for step in gone["steps"])
    await sign_in(client, "alice")
    for url in (f"/photos/{photo_id}", f"/photos/{gone_id}", "/photos/"):
        text = Text((await client.get(url)).text).text
        assert not [folder for folder in folders if folder in text], url
