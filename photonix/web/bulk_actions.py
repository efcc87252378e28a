"""The grid selection's actions, one registry entry each: name -> what it needs and what it does.

Each action reads its own form fields first (BadInput: 422 with the sentence), then runs on the photos
the controller (web/selection.py) already narrowed to the viewer's scope, and answers one sentence.
Adding an action is one entry in ACTIONS; the bar shows a button for each registered name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from arq import ArqRedis
from litestar import Response
from litestar.response import Stream

from photonix.config import Settings
from photonix.db import photos, selection, tags
from photonix.db.accounts import Viewer
from photonix.db.selection import Needs
from photonix.errors import PhotonixError
from photonix.jobs import bulk
from photonix.jobs.reprocess import reprocess
from photonix.web.zip_download import zip_originals

TAG_MAX = 100


class BadInput(PhotonixError):
    """The action's own form fields are wrong (a rating of 7, an empty tag): 422 with this sentence."""


@dataclass(frozen=True, slots=True)
class Selected:
    """What an action may change: the viewer's photos among those asked for, and how many it must not."""

    viewer: Viewer
    photo_ids: frozenset[int]
    not_yours: int
    redis: ArqRedis
    settings: Settings


@dataclass(frozen=True, slots=True)
class Done:
    """The sentence for the toast or flash, and the tiles that leave the grid it was asked from."""

    text: str
    removed: frozenset[int] = frozenset()
    rated: frozenset[int] = frozenset()         # tiles whose stars now show `rating`
    rating: int = 0


Parse = Callable[[Mapping[str, str]], Any]
Run = Callable[[Selected, Any], Awaitable["Done | Response[Any]"]]


@dataclass(frozen=True, slots=True)
class BulkAction:
    name: str
    needs: Needs
    parse: Parse
    run: Run


def count(n: int) -> str:
    return f"{n:,} photo" if n == 1 else f"{n:,} photos"


def sentence(done: str, selected: Selected) -> str:
    """"Tagged 12 photos “Paris”" plus, when some ids were outside the scope, how many were left alone."""
    if not selected.not_yours:
        return f"{done}."
    were = "was" if selected.not_yours == 1 else "were"
    return f"{done}; {selected.not_yours:,} {were} not yours to change."


def no_fields(_: Mapping[str, str]) -> None:
    return None


def tag_name(form: Mapping[str, str]) -> str:
    name = " ".join(form.get("tag", "").split())
    if not name or len(name) > TAG_MAX:
        raise BadInput(f"A tag is 1 to {TAG_MAX} characters.")
    return name


def rating(form: Mapping[str, str]) -> int:
    try:
        value = int(form.get("rating", ""))
    except ValueError:
        value = -1
    if not 0 <= value <= 5:
        raise BadInput("A rating is 0 to 5 stars.")
    return value


async def add_tag(selected: Selected, name: str) -> Done:
    await tags.add_user_tag_to_many(selected.photo_ids, name)
    return Done(sentence(f"Tagged {count(len(selected.photo_ids))} “{name}”", selected))


async def remove_tag(selected: Selected, name: str) -> Done:
    removed = await tags.remove_user_tag_from_many(selected.photo_ids, name)
    if not removed:
        return Done(sentence(f"None of the {count(len(selected.photo_ids))} had your tag “{name}”", selected))
    return Done(sentence(f"Removed “{name}” from {count(len(removed))}", selected))


async def rate(selected: Selected, stars: int) -> Done:
    rated = await photos.set_ratings(selected.viewer.id, selected.photo_ids, stars)
    said = (f"Cleared the rating of {count(len(rated))}" if stars == 0
            else f"Rated {count(len(rated))} {'★' * stars}")
    return Done(sentence(said, selected), rated=frozenset(rated), rating=stars)


async def reprocess_photos(selected: Selected, _: None) -> Done:
    """A few photos are queued in the request; more than PHOTONIX_BULK_ACTION_PHOTOS are handed to a
    worker (jobs/bulk.py), so the answer comes at once either way."""
    many = len(selected.photo_ids) > selected.settings.bulk_action_photos
    if many:
        await bulk.enqueue_reprocess(selected.redis, selected.photo_ids)
    else:
        await reprocess(selected.redis, selected.photo_ids)
    return Done(sentence(f"Reprocessing {count(len(selected.photo_ids))}"
                         + (" (a worker queues them in batches)" if many else ""), selected))


async def download(selected: Selected, _: None) -> Response[Any]:
    originals = await selection.originals_of(selected.viewer, selected.photo_ids, selected.settings)
    name = f"photonix-{len(originals)}-photos.zip"
    return Stream(zip_originals(originals), media_type="application/zip",
                  headers={"content-disposition": f'attachment; filename="{name}"',
                           "x-photonix-not-yours": str(selected.not_yours)})


ACTIONS: dict[str, BulkAction] = {action.name: action for action in (
    BulkAction("add-tag", Needs.EDIT, tag_name, add_tag),
    BulkAction("remove-tag", Needs.EDIT, tag_name, remove_tag),
    BulkAction("rate", Needs.EDIT, rating, rate),
    BulkAction("download", Needs.SEE, no_fields, download),
    BulkAction("reprocess", Needs.OWN, no_fields, reprocess_photos),
)}
