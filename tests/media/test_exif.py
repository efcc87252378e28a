"""read_metadata agrees with MANIFEST.csv, reads each EXIF field, and raises only for unreadable files."""

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photonix.errors import CorruptRaw, DecompressionBomb, MissingFile, PermanentError, UndecodableImage
from photonix.media.exif import read_metadata
from photonix.media.formats import is_raw_path
from photonix.media.metadata import Metadata
from tests import corpus
from tests.held_files import read

OK = corpus.rows(expected="ok")

def expected_error(row: corpus.Row) -> type[PermanentError] | None:
    """What reading a failing row's metadata must raise; None when only its pixels are damaged."""
    if is_raw_path(row.file):
        return CorruptRaw
    if "DecompressionBombError" in row.note:
        return DecompressionBomb
    return UndecodableImage if not row.width else None


@pytest.fixture(scope="module")
def metadata() -> dict[str, Metadata]:
    return {row.path: read(read_metadata, row.file) for row in OK}


@pytest.mark.parametrize("row", OK, ids=lambda row: row.path)
def test_size_is_as_stored(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    meta = metadata[row.path]
    assert (meta.width, meta.height) == (int(row.width), int(row.height))


@pytest.mark.parametrize("row", OK, ids=lambda row: row.path)
def test_format_is_pillows_or_raw(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    assert metadata[row.path].format == ("RAW" if row.format.startswith("RAW") else row.format)


@pytest.mark.parametrize("row", OK, ids=lambda row: row.path)
def test_camera_make_and_model_match_manifest(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    """The manifest records Make and Model as written; we store them as camera_name() shortens them."""
    meta = metadata[row.path]
    assert (meta.camera_make, meta.camera_model) == corpus.expected_camera(row)


@pytest.mark.parametrize("row", OK, ids=lambda row: row.path)
def test_orientation_matches_manifest_and_defaults_to_1(
    row: corpus.Row, metadata: dict[str, Metadata]
) -> None:
    assert metadata[row.path].orientation == int(row.orientation or 1)


@pytest.mark.parametrize("row", [r for r in OK if r.datetime_original], ids=lambda row: row.path)
def test_taken_at_is_datetime_original_when_the_manifest_has_one(
    row: corpus.Row, metadata: dict[str, Metadata]
) -> None:
    """To the second (the manifest omits SubSecTimeOriginal); an impossible date is passed over, flagged."""
    meta = metadata[row.path]
    if row.has_plausible_date:
        assert meta.taken_at is not None and meta.taken_at.replace(microsecond=0) == row.expected_taken_at
        assert (meta.date_source, meta.date_uncertain) == ("exif_original", False)
    elif row.expected_taken_at is not None:     # 2099 or before photography: not used for sorting
        assert meta.taken_at != row.expected_taken_at and meta.date_uncertain


@pytest.mark.parametrize("row", [r for r in OK if r.gps_lat and not corpus.is_null_island(r)],
                         ids=lambda r: r.path)
def test_gps_matches_manifest_to_six_decimals(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    meta = metadata[row.path]
    assert meta.gps_lat is not None and meta.gps_lon is not None
    assert (f"{meta.gps_lat:.6f}", f"{meta.gps_lon:.6f}") == (row.gps_lat, row.gps_lon)


@pytest.mark.parametrize("row", [r for r in OK if corpus.is_null_island(r)], ids=lambda row: row.path)
def test_zero_zero_gps_reads_as_no_location(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    assert (metadata[row.path].gps_lat, metadata[row.path].gps_lon) == (None, None)


@pytest.mark.parametrize("row", [r for r in OK if not r.gps_lat], ids=lambda row: row.path)
def test_no_gps_when_the_manifest_has_none(row: corpus.Row, metadata: dict[str, Metadata]) -> None:
    meta = metadata[row.path]
    has_location = meta.gps_lat is not None and meta.gps_lon is not None
    assert has_location == (row.path in corpus.GPS_THE_MANIFEST_MISSED)


@pytest.mark.parametrize("row", corpus.rows(expected="fail"), ids=lambda row: row.path)
def test_failing_file_raises_only_when_its_metadata_is_unreadable(row: corpus.Row) -> None:
    error = expected_error(row)
    if error is None:               # damaged pixels: the metadata still reads; decoding fails later
        meta = read(read_metadata, row.file)
        assert (meta.width, meta.height) == (int(row.width), int(row.height))
        return
    with pytest.raises(error) as raised:
        read(read_metadata, row.file)
    assert str(raised.value).startswith(f"{row.file.name}: ")


@pytest.mark.parametrize("row", corpus.rows(expected="either"), ids=lambda row: row.path)
def test_file_of_uncertain_outcome_gives_metadata_or_a_permanent_error(row: corpus.Row) -> None:
    try:
        assert read(read_metadata, row.file).width > 0
    except PermanentError as exc:
        assert str(exc).startswith(f"{row.file.name}: ")


@pytest.mark.parametrize("name", ["gone.jpg", "gone.nef"])
def test_missing_file_raises_missing_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(MissingFile, match=name):
        read(read_metadata, tmp_path / name)


def photo_with_exif(tmp_path: Path, exif: Image.Exif, **save: object) -> Path:
    path = tmp_path / "made.jpg"
    Image.new("RGB", (32, 24), (200, 100, 50)).save(path, exif=exif, **save)  # type: ignore[arg-type]
    return path


def test_exposure_fields_are_typed(tmp_path: Path) -> None:
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x0110] = "  Model X  "
    exif.get_ifd(0x8769).update({
        0x829A: IFDRational(1, 250), 0x829D: IFDRational(28, 10), 0x8827: 400, 0x920A: IFDRational(50, 1),
        0x9209: 0x19, 0xA434: "EF50mm f/1.8", 0x9003: "2021:07:04 18:30:05", 0x9011: "+02:00",
    })
    meta = read(read_metadata, photo_with_exif(tmp_path, exif))
    assert meta.camera_model == "Model X"
    assert meta.exposure_time == pytest.approx(1 / 250)
    assert meta.f_number == pytest.approx(2.8)
    assert (meta.iso, meta.focal_length, meta.flash) == (400, 50.0, True)
    assert (meta.lens, meta.taken_at_offset) == ("EF50mm f/1.8", "+02:00")
    assert meta.taken_at == datetime(2021, 7, 4, 18, 30, 5)


def test_southern_and_western_coordinates_are_negative(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update(
        {1: "S", 2: (33.0, 51.0, 54.0), 3: "W", 4: (70.0, 30.0, 0.0), 5: b"\x01", 6: 12.5}
    )
    meta = read(read_metadata, photo_with_exif(tmp_path, exif))
    assert meta.gps_lat == pytest.approx(-33.865)
    assert meta.gps_lon == pytest.approx(-70.5)
    assert meta.gps_altitude == pytest.approx(-12.5)


def test_impossible_coordinates_read_as_no_location(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)})
    meta = read(read_metadata, photo_with_exif(tmp_path, exif))
    assert (meta.gps_lat, meta.gps_lon, meta.gps_altitude) == (None, None, None)


def test_taken_at_falls_back_to_the_file_datetime(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0132] = "2019:01:02 03:04:05"
    assert read(read_metadata, photo_with_exif(tmp_path, exif)).taken_at == datetime(2019, 1, 2, 3, 4, 5)


@pytest.mark.parametrize(("stored", "stars"), [(4, 4), (9, 5), (0, 0)])
def test_exif_rating_is_clamped_to_five_stars(tmp_path: Path, stored: int, stars: int) -> None:
    exif = Image.Exif()
    exif[0x4746] = stored
    assert read(read_metadata, photo_with_exif(tmp_path, exif)).rating == stars


RDF_OPEN = ('<x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xap="http://ns.adobe.com/xap/1.0/">')
RDF_CLOSE = "</rdf:RDF></x:xmpmeta>"


@pytest.mark.parametrize(
    ("description", "stars"),
    [
        ('<rdf:Description xmp:Rating="3"/>', 3),
        ("<rdf:Description><xap:Rating>-1</xap:Rating></rdf:Description>", 0),
        ("<rdf:Description/>", None),
    ],
)
def test_xmp_rating_is_read_when_exif_has_none(tmp_path: Path, description: str, stars: int | None) -> None:
    xmp = f"{RDF_OPEN}{description}{RDF_CLOSE}".encode()
    assert read(read_metadata, photo_with_exif(tmp_path, Image.Exif(), xmp=xmp)).rating == stars


def test_photo_without_exif_has_every_optional_field_none(tmp_path: Path) -> None:
    meta = read(read_metadata, photo_with_exif(tmp_path, Image.Exif()))
    assert meta.orientation == 1
    assert {meta.camera_make, meta.camera_model, meta.lens, meta.exposure_time, meta.f_number,
            meta.iso, meta.focal_length, meta.flash, meta.gps_lat, meta.gps_lon, meta.gps_altitude,
            meta.rating, meta.taken_at_offset, meta.title, meta.description} == {None}
    assert meta.date_source == "file_time" and meta.keywords == ()
