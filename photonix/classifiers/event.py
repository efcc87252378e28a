"""Event and date tags from the capture date: holidays (Easter computed), year, month and season."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from dateutil.easter import easter

from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.errors import StepSkipped
from photonix.media.dates import DateSource

# Holidays on the same day every year, by (month, day).
FIXED_HOLIDAYS: Mapping[tuple[int, int], str] = {
    (1, 1): "New Year's Day",
    (2, 14): "Valentine's Day",
    (3, 17): "St Patrick's Day",
    (10, 31): "Halloween",
    (12, 24): "Christmas Eve",
    (12, 25): "Christmas Day",
    (12, 26): "Boxing Day",
    (12, 31): "New Year's Eve",
}
# Holidays that move with Easter Sunday (western, Gregorian), by days from it.
EASTER_HOLIDAYS: Mapping[int, str] = {
    -2: "Good Friday",
    0: "Easter",
    1: "Easter Monday",
}
MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# Meteorological seasons: whole months, so every photo of a month lands in the same season.
NORTHERN_SEASONS: tuple[str, ...] = (
    "Winter", "Winter", "Spring", "Spring", "Spring", "Summer",
    "Summer", "Summer", "Autumn", "Autumn", "Autumn", "Winter",
)
OPPOSITE_SEASON: Mapping[str, str] = {
    "Winter": "Summer", "Spring": "Autumn", "Summer": "Winter", "Autumn": "Spring",
}


def holidays_on(day: date) -> list[str]:
    """The holidays that fall on this day, fixed ones first."""
    found = [FIXED_HOLIDAYS[(day.month, day.day)]] if (day.month, day.day) in FIXED_HOLIDAYS else []
    offset = (day - easter(day.year)).days
    if offset in EASTER_HOLIDAYS:
        found.append(EASTER_HOLIDAYS[offset])
    return found


def season_of(day: date, latitude: float | None) -> str:
    """The meteorological season; a photo known to be south of the equator gets the southern one."""
    northern = NORTHERN_SEASONS[day.month - 1]
    return OPPOSITE_SEASON[northern] if latitude is not None and latitude < 0 else northern


class EventClassifier:
    """Tags a photo with the holidays on its capture date, and with its year, month and season."""

    name: str = "event"
    version: int = 2
    needs_thumbnail: bool = False

    def unavailable_reason(self) -> str | None:
        """Always ready: it needs only the calendar."""
        return None

    def skip_reason(self, given: ClassifierInput) -> str | None:
        if given.metadata.taken_at is None:
            return "no capture date in this photo"
        # A file's time is when it was copied or saved, not when the photo was taken: it sorts the grid,
        # but "Christmas" or "2019" from it would be a guess dressed up as a fact.
        if given.metadata.date_source == DateSource.FILE_TIME:
            return "only the file's time is known, not when the photo was taken"
        return None

    def classify(self, given: ClassifierInput) -> list[ScoredTag]:
        """Holidays first, then year, month and season; all of kind "event" with score 1.0."""
        reason = self.skip_reason(given)
        if reason is not None:
            raise StepSkipped(reason)
        taken_at = given.metadata.taken_at
        assert taken_at is not None
        # taken_at is camera-local time, which is the calendar the holiday was celebrated by.
        day = taken_at.date()
        names = [*holidays_on(day), str(day.year), MONTH_NAMES[day.month - 1],
                 season_of(day, given.metadata.gps_lat)]
        return [ScoredTag(kind="event", name=name, score=1.0) for name in names]
