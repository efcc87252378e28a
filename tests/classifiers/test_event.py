"""Event classifier: holidays by date, Easter computed, year, month and hemisphere-aware season."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from photonix.classifiers.base import ClassifierInput
from photonix.classifiers.event import EventClassifier
from photonix.errors import StepSkipped
from photonix.media.metadata import Metadata

MakeMetadata = Callable[..., Metadata]             # the conftest `metadata` fixture


def event_names(metadata: Metadata) -> list[str]:
    return [tag.name for tag in EventClassifier().classify(ClassifierInput(metadata, thumbnail=None))]


def test_easter_2024_is_tagged_easter(metadata: MakeMetadata) -> None:
    assert "Easter" in event_names(metadata(taken_at=datetime(2024, 3, 31, 11, 0)))


@pytest.mark.parametrize(("taken_at", "holiday"), [
    (datetime(2024, 3, 29, 15, 0), "Good Friday"),
    (datetime(2024, 4, 1, 10, 0), "Easter Monday"),
    (datetime(2019, 4, 21, 9, 0), "Easter"),         # a year when Easter falls in April
])
def test_days_around_easter_follow_the_computed_date(metadata: MakeMetadata,
                                                      taken_at: datetime, holiday: str) -> None:
    assert holiday in event_names(metadata(taken_at=taken_at))


def test_easter_is_not_a_fixed_date(metadata: MakeMetadata) -> None:
    # 31 March was Easter in 2024 but an ordinary Monday in 2025.
    assert not {"Easter", "Good Friday", "Easter Monday"} & set(
        event_names(metadata(taken_at=datetime(2025, 3, 31, 12, 0))))


@pytest.mark.parametrize(("taken_at", "holiday"), [
    (datetime(2020, 1, 1, 0, 30), "New Year's Day"),
    (datetime(2020, 2, 14, 20, 0), "Valentine's Day"),
    (datetime(2020, 3, 17, 12, 0), "St Patrick's Day"),
    (datetime(2020, 10, 31, 19, 0), "Halloween"),
    (datetime(2020, 12, 24, 18, 0), "Christmas Eve"),
    (datetime(2020, 12, 25, 9, 0), "Christmas Day"),
    (datetime(2020, 12, 26, 9, 0), "Boxing Day"),
    (datetime(2020, 12, 31, 23, 59), "New Year's Eve"),
])
def test_fixed_date_holiday_is_tagged(metadata: MakeMetadata, taken_at: datetime, holiday: str) -> None:
    assert holiday in event_names(metadata(taken_at=taken_at))


def test_ordinary_day_gets_year_month_and_season_only(metadata: MakeMetadata) -> None:
    assert event_names(metadata(taken_at=datetime(2019, 3, 12, 14, 5))) == ["2019", "March", "Spring"]


def test_all_tags_are_events_scored_one_without_parent(metadata: MakeMetadata) -> None:
    tags = EventClassifier().classify(ClassifierInput(metadata(taken_at=datetime(2021, 12, 25)), None))
    assert tags and all(t.kind == "event" and t.score == 1.0 and t.parent is None for t in tags)


@pytest.mark.parametrize(("month", "season"), [
    (12, "Winter"), (1, "Winter"), (2, "Winter"), (3, "Spring"), (5, "Spring"),
    (6, "Summer"), (8, "Summer"), (9, "Autumn"), (11, "Autumn"),
])
def test_northern_meteorological_season_by_month(metadata: MakeMetadata, month: int, season: str) -> None:
    assert season in event_names(metadata(taken_at=datetime(2022, month, 10)))


def test_photo_without_gps_gets_northern_season(metadata: MakeMetadata) -> None:
    assert "Summer" in event_names(metadata(taken_at=datetime(2022, 7, 10)))


def test_southern_hemisphere_photo_gets_flipped_season(metadata: MakeMetadata) -> None:
    sydney_in_july = metadata(taken_at=datetime(2022, 7, 10), gps_lat=-33.87, gps_lon=151.21)
    names = event_names(sydney_in_july)
    assert "Winter" in names and "Summer" not in names


def test_christmas_in_sydney_is_summer(metadata: MakeMetadata) -> None:
    names = event_names(metadata(taken_at=datetime(2022, 12, 25, 12), gps_lat=-33.87, gps_lon=151.21))
    assert {"Christmas Day", "Summer"} <= set(names)


def test_photo_without_date_is_skipped_with_reason(metadata: MakeMetadata) -> None:
    with pytest.raises(StepSkipped, match="no capture date"):
        EventClassifier().classify(ClassifierInput(metadata(), thumbnail=None))


def test_a_date_known_only_from_the_file_time_gets_no_event_tags(metadata: MakeMetadata) -> None:
    copied = metadata(taken_at=datetime(2024, 12, 25, 9, 0), date_source="file_time")
    with pytest.raises(StepSkipped, match="only the file's time"):
        EventClassifier().classify(ClassifierInput(copied, thumbnail=None))


def test_a_date_from_the_file_name_still_gets_event_tags(metadata: MakeMetadata) -> None:
    assert "Christmas Day" in event_names(metadata(taken_at=datetime(2024, 12, 25, 9, 0),
                                                   date_source="file_name"))
