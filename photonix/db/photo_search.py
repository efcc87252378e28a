"""The search box's words as a clause of PhotoFilter (db/photo_filter.py): no second list query, only one
more narrowing of the one read model.

    parse_search("june 2019")   -> Search(text="june 2019", rest="", months=(6,), years=(2019,))
    search_clause(parse_search("rome"))   # a tag starting "rome" (any kind, any case), or the file
                                          # name, the camera or the lens holding "rome"

Date words: a year ("2019"), a month name or its three letters ("june", "jun"), a season ("summer" is
June to August; "winter 2019" is December 2019 to February 2020). The whole text is also tried as
text too when it holds other words (a tag may be called "Holiday 2008"); the date words narrow what the
rest of the text finds."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from piccolo.querystring import QueryString

from photonix.db.tables import Photo
from photonix.media.dates import UNDATED_SORT_AT

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# Meteorological seasons, as the event classifier names them (classifiers/event.py); winter runs into the
# next year, which the year-month pairs below follow.
SEASONS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11), "fall": (9, 10, 11),
           "winter": (12, 13, 14)}
# A year before the first photograph is not a date; nor is UNDATED_SORT_AT (1800), where undated photos sort.
FIRST_YEAR, LAST_YEAR = 1826, 2200

# LIKE patterns escape their wildcards with a backslash: SQLite needs the ESCAPE clause, PostgreSQL's is
# the same character.
# Not correlated: the matching tags' photos are found once per query, not looked up for every photo read
# (a search that matches little reads the whole library: 100k lookups were most of its time).
_TAG_PREFIX = ('"photo"."id" IN (SELECT pt.photo FROM photo_tag pt JOIN tag t ON t.id = pt.tag '
               "WHERE LOWER(t.name) LIKE {} ESCAPE '\\')")
# The file name, not the server folder: the text is in the path and not followed by a slash (a text found
# in both a folder's name and the file's name is missed); or in the name an upload came with.
_FILE_NAME = ("((LOWER(\"photo\".\"original_path\") LIKE {} ESCAPE '\\' "
              "AND LOWER(\"photo\".\"original_path\") NOT LIKE {} ESCAPE '\\') "
              "OR LOWER(\"photo\".\"original_name\") LIKE {} ESCAPE '\\')")
_CAMERA = ("LOWER(COALESCE(\"photo\".\"camera_make\", '') || ' ' "
           "|| COALESCE(\"photo\".\"camera_model\", '')) LIKE {} ESCAPE '\\'")
_LENS = "LOWER(\"photo\".\"lens\") LIKE {} ESCAPE '\\'"


@dataclass(frozen=True, slots=True)
class Search:
    """What the search box asked: the whole text, the text beside its date words, and those words."""

    text: str
    rest: str
    months: tuple[int, ...] = ()      # 1-12, and 13-14 for a winter's January and February (next year)
    years: tuple[int, ...] = ()

    @property
    def has_dates(self) -> bool:
        return bool(self.months or self.years)


def like_pattern(text: str) -> str:
    """The text, lower-cased, as a LIKE pattern that matches it literally (wildcards escaped)."""
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _is_year(word: str) -> bool:
    return word.isdigit() and len(word) == 4 and FIRST_YEAR <= int(word) <= LAST_YEAR


def parse_search(text: str) -> Search:
    """The words of the search box; date words are recognised whatever their case."""
    words = text.split()
    months: list[int] = []
    years: list[int] = []
    rest: list[str] = []
    for word in words:
        lower = word.lower().strip(",")
        if lower in MONTHS:
            months.append(MONTHS[lower])
        elif lower in SEASONS:
            months.extend(SEASONS[lower])
        elif _is_year(lower):
            years.append(int(lower))
        else:
            rest.append(word)
    return Search(" ".join(words), " ".join(rest), tuple(dict.fromkeys(months)), tuple(dict.fromkeys(years)))


def dates_named(text: str) -> str:
    """The date words of a search as people write them ("oct 2019" -> "October 2019"); "" if none."""
    named: list[str] = []
    for word in text.split():
        lower = word.lower().strip(",")
        if lower in MONTHS:
            named.append(calendar.month_name[MONTHS[lower]])
        elif lower in SEASONS or _is_year(lower):
            named.append(lower)
    return " ".join(named)


def _text_clause(text: str) -> QueryString:
    """A tag starting with the text, or the file name, the camera or the lens holding it."""
    like = like_pattern(text)
    contains = f"%{like}%"
    return QueryString(f"({_TAG_PREFIX} OR {_FILE_NAME} OR {_CAMERA} OR {_LENS})",
                       f"{like}%", contains, f"{contains}/%", contains, contains, contains)


def _month_start(year: int, month: int) -> datetime:
    """The first moment of a month; months past 12 run into the following years."""
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _month_of_year_sql() -> str:
    if Photo._meta.db.engine_type == "postgres":
        return 'CAST(EXTRACT(MONTH FROM "photo"."sort_at") AS INTEGER)'
    return "CAST(strftime('%m', \"photo\".\"sort_at\") AS INTEGER)"


def _date_clause(search: Search) -> QueryString:
    """The photos taken (on the grid's date) in those years, months or seasons. With a year the clause is
    ranges of sort_at (its index serves them); months of any year compare the month number."""
    if search.years:
        spans = ([(_month_start(year, 1), _month_start(year + 1, 1)) for year in search.years]
                 if not search.months else
                 [(_month_start(year, month), _month_start(year, month + 1))
                  for year in search.years for month in search.months])
        ranges = " OR ".join('("photo"."sort_at" >= {} AND "photo"."sort_at" < {})' for _ in spans)
        return QueryString(f"({ranges})", *(moment for span in spans for moment in span))
    months = sorted({(month - 1) % 12 + 1 for month in search.months})
    marks = ", ".join("{}" for _ in months)
    # undated photos sort on 1 January 1800: no month of theirs is a date
    return QueryString(f'({_month_of_year_sql()} IN ({marks}) AND "photo"."sort_at" > {{}})', *months,
                       UNDATED_SORT_AT)


def search_clause(search: Search) -> QueryString:
    """The whole text as text, or (with date words) the photos of those dates that the rest matches.
    Only date words ("2019", "june 2019") are a date search alone: ranges of sort_at that its index
    serves, where an OR with the text would read every photo (a tag named "2019" is an event tag of the
    same photos anyway)."""
    if not search.has_dates:
        return _text_clause(search.text)
    dated = _date_clause(search)
    if not search.rest:
        return dated
    return QueryString("({} OR ({} AND {}))", _text_clause(search.text), dated, _text_clause(search.rest))
