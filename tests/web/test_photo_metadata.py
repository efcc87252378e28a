"""The photo page and the API say where a date came from, flag an impossible one, draw the map pin in SVG."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from arq import ArqRedis
from PIL import Image

from photonix.jobs.importer import import_paths
from photonix.jobs.pipeline import PIPELINE
from tests.web.conftest import Member, sign_in

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>'
    '<rdf:li xml:lang="x-default">Harbour at dusk</rdf:li></rdf:Alt></dc:title>'
    "<dc:subject><rdf:Bag><rdf:li>harbour</rdf:li></rdf:Bag></dc:subject></rdf:Description>"
    "</rdf:RDF></x:xmpmeta>"
)


class ClassText(HTMLParser):
    """The text inside each element with a class, and the tags found inside each, by class name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[list[str]] = []
        self.text: dict[str, str] = {}
        self.children: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for classes in self.open:
            for name in classes:
                self.children.setdefault(name, []).append(tag)
        if tag in ("br", "img", "path", "input", "link", "meta"):
            return
        self.open.append((dict(attrs).get("class") or "").split())

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "img", "path", "input", "link", "meta") and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for classes in self.open:
            for name in classes:
                self.text[name] = self.text.get(name, "") + data


def future_dated_photo(folder: Path) -> Path:
    """A photo whose camera clock said 2099, with GPS, named by the phone that took it."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2099:09:29 10:10:10"
    exif.get_ifd(0x8825).update({1: "N", 2: (46.0, 12.0, 0.0), 3: "E", 4: (6.0, 5.0, 0.0)})
    path = folder / "IMG_20090814_100000.jpg"
    Image.new("RGB", (64, 48), (40, 90, 160)).save(path, exif=exif, xmp=XMP.encode())
    return path


async def imported(redis: ArqRedis, member: Member, worker, tmp_path: Path) -> int:
    report = await import_paths(redis, PIPELINE, member.library_id, [future_dated_photo(member.folder)])
    await worker().main()
    return report.new_photo_ids[0]


async def test_api_detail_names_the_date_source_and_flags_an_impossible_date(
    client, alice, redis, worker, tmp_path
) -> None:
    photo_id = await imported(redis, alice, worker, tmp_path)
    detail = (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()
    assert datetime.fromisoformat(detail["taken_at"]) == datetime(2009, 8, 14, 10, 0, 0)
    assert (detail["date_source"], detail["date_uncertain"]) == ("file_name", True)
    assert detail["title"] == "Harbour at dusk"
    assert {(tag["name"], tag["source"]) for tag in detail["tags"]} >= {("harbour", "xmp")}


async def test_photo_2099_does_not_top_the_grid(client, alice, redis, worker, tmp_path) -> None:
    photo_id = await imported(redis, alice, worker, tmp_path)
    listed = (await client.get("/api/v1/photos", headers=alice.auth)).json()
    assert [item["id"] for item in listed["items"]] == [photo_id]
    assert not listed["items"][0]["taken_at"].startswith("2099")


async def test_photo_page_shows_the_date_source_and_an_svg_map_pin(
    client, alice, redis, worker, tmp_path
) -> None:
    photo_id = await imported(redis, alice, worker, tmp_path)
    await sign_in(client, "alice")
    page = ClassText((await client.get(f"/photos/{photo_id}")).text)
    assert "file name" in page.text["date-source"] and "uncertain" in page.text["date-source"]
    assert "svg" in page.children["map-card"]
    assert "\U0001F4CD" not in page.text["map-card"]
    assert "Harbour at dusk" in page.text["caption"]
