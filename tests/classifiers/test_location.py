"""Location classifier: country by Natural Earth polygon, city = most populous GeoNames place within 10 km."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from photonix.classifiers import classifier_named
from photonix.classifiers.base import Classifier, ClassifierInput, ScoredTag
from photonix.classifiers.location import LocationClassifier
from photonix.errors import StepSkipped
from photonix.media.metadata import Metadata

MakeMetadata = Callable[..., Metadata]             # the conftest `metadata` fixture
PlaceOf = Callable[[float, float], list[str]]      # GPS position → [country, city], [country] or []


@pytest.fixture(scope="module")
def location() -> Classifier:
    """The registry's instance, so the geodata loads once for the whole module, as in a pool process."""
    return classifier_named("location")


@pytest.fixture
def place_of(location: Classifier, metadata: MakeMetadata) -> PlaceOf:
    """Tag names for a GPS position: [country, city], [country], or []."""
    def names(lat: float, lon: float) -> list[str]:
        tags = location.classify(ClassifierInput(metadata(gps_lat=lat, gps_lon=lon), thumbnail=None))
        return [tag.name for tag in tags]
    return names


def test_point_in_vernier_is_switzerland_not_france(place_of: PlaceOf) -> None:
    # The nearest-place lookup said a French village here; Genève is within 10 km and far bigger.
    assert place_of(46.217, 6.085) == ["Switzerland", "Genève"]


def test_kings_cross_is_london_not_kings_cross(place_of: PlaceOf) -> None:
    assert place_of(51.5308, -0.1238) == ["United Kingdom", "London"]


def test_city_tag_has_its_country_as_parent(location: Classifier, metadata: MakeMetadata) -> None:
    tags = location.classify(ClassifierInput(metadata(gps_lat=35.6895, gps_lon=139.6917), thumbnail=None))
    assert tags == [ScoredTag(kind="location", name="Japan", score=1.0),
                    ScoredTag(kind="location", name="Tokyo", score=1.0, parent="Japan")]


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (40.758, -73.9855, ["United States of America", "New York City"]),      # Times Square
    (-33.8688, 151.2093, ["Australia", "Sydney"]),
    (43.4674, 11.8851, ["Italy", "Arezzo"]),
])
def test_big_cities_are_named_for_the_city(place_of: PlaceOf,
                                           lat: float, lon: float, expected: list[str]) -> None:
    assert place_of(lat, lon) == expected


def test_downtown_detroit_is_detroit_though_windsor_is_close(place_of: PlaceOf) -> None:
    assert place_of(42.3315, -83.0466) == ["United States of America", "Detroit"]


def test_downtown_windsor_is_canada_though_detroit_is_bigger(place_of: PlaceOf) -> None:
    assert place_of(42.3170, -83.0370) == ["Canada", "Windsor"]


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (47.5596, 7.5886, ["Switzerland", "Basel"]),
    (47.5900, 7.5600, ["France", "Saint-Louis"]),          # Basel's French suburb
    (47.5947, 7.6106, ["Germany", "Lörrach"]),             # Weil am Rhein: Lörrach is the bigger German place
])
def test_basel_corner_follows_the_borders(place_of: PlaceOf,
                                          lat: float, lon: float, expected: list[str]) -> None:
    assert place_of(lat, lon) == expected


def test_middle_of_the_atlantic_gets_no_tags(place_of: PlaceOf) -> None:
    assert place_of(30.0, -40.0) == []


def test_null_island_gets_no_tags(place_of: PlaceOf) -> None:
    # 0,0 is what broken GPS units write; it is open sea, so it must not invent a place.
    assert place_of(0.0, 0.0) == []


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (43.66, 7.25, ["France", "Nice"]),                      # Baie des Anges, off the beach
    (-33.85, 151.30, ["Australia", "Sydney"]),              # outside Sydney Heads
])
def test_at_sea_near_a_coast_gets_that_citys_country(place_of: PlaceOf,
                                                     lat: float, lon: float, expected: list[str]) -> None:
    assert place_of(lat, lon) == expected


def test_land_far_from_any_place_gets_country_only(place_of: PlaceOf) -> None:
    assert place_of(72.0, -40.0) == ["Greenland"]           # the Greenland ice sheet


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (78.2232, 15.6267, ["Norway", "Longyearbyen"]),         # GeoNames says SJ, Natural Earth says Norway
    (4.93, -52.33, ["France", "Cayenne"]),                  # GeoNames says GF
    (-20.88, 55.45, ["France", "Saint-Denis"]),             # Réunion; GeoNames says RE
    (-10.42, 105.68, ["Australian Indian Ocean Territories", "Flying Fish Cove"]),   # GeoNames says CX
])
def test_overseas_parts_keep_their_cities(place_of: PlaceOf,
                                          lat: float, lon: float, expected: list[str]) -> None:
    assert place_of(lat, lon) == expected


@pytest.mark.parametrize(("lat", "lon", "country"), [
    (48.8566, 2.3522, "France"),              # ISO_A2 is "-99" for France in Natural Earth
    (59.9139, 10.7522, "Norway"),             # and for Norway
    (42.6629, 21.1655, "Kosovo"),             # and for Kosovo
    (25.0330, 121.5654, "Taiwan"),            # ISO_A2 is "CN-TW"
])
def test_countries_without_plain_iso_a2_still_get_their_cities(place_of: PlaceOf,
                                                               lat: float, lon: float, country: str) -> None:
    names = place_of(lat, lon)
    assert names[0] == country and len(names) == 2


def test_area_without_iso_code_takes_its_city_from_any_country(place_of: PlaceOf) -> None:
    # Natural Earth gives the UK's Cyprus bases no ISO code; their towns are Cypriot in GeoNames.
    assert place_of(34.62, 32.96) == ["Akrotiri Sovereign Base Area", "Káto Polemídia"]


def test_photo_without_gps_is_skipped_with_reason(location: Classifier, metadata: MakeMetadata) -> None:
    with pytest.raises(StepSkipped, match="no GPS position"):
        location.classify(ClassifierInput(metadata(gps_lat=None, gps_lon=None), thumbnail=None))


def test_impossible_gps_position_is_skipped_with_reason(location: Classifier,
                                                        metadata: MakeMetadata) -> None:
    with pytest.raises(StepSkipped, match="out of range"):
        location.classify(ClassifierInput(metadata(gps_lat=123.0, gps_lon=6.0), thumbnail=None))


def test_geodata_is_installed() -> None:
    assert LocationClassifier().unavailable_reason() is None


def test_geodata_loads_once_per_instance(location: Classifier) -> None:
    assert isinstance(location, LocationClassifier)
    assert location.loaded() is location.loaded()
