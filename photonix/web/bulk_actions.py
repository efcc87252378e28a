"""The grid selection's actions, one registry entry each: name -> what it needs and what it does.

Each action reads its own form fields first (BadInput: 422 with the sentence), then runs on the photos
the controller (web/selection.py) already narrowed to the viewer's scope, and answers one sentence.
Adding an action is one entry in ACTIONS; the bar shows a button for each registered name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from arq import ArqRedis
from litestar import Response
from litestar.response import Stream

from photonix.config import Settings
from photonix.db import album_photos, albums, photo_lifecycle, photos, selection, tags
from photonix.db.accounts import Viewer
from photonix.db.photo_filter import MAIN_GRID, PhotoFilter
from photonix.db.selection import Needs
from photonix.errors import PhotonixError
from photonix.jobs import bulk
from photonix.jobs.reprocess import reprocess
from photonix.web.filters import counted
from photonix.web.params import parse_id
from photonix.web.zip_download import zip_originals

TAG_MAX = 100


class BadInput(PhotonixError):
    """The action's own form fields are wrong (a rating of 7, an empty tag): 422 with this sentence."""


@dataclass(frozen=True, slots=True)
class Selected:
    """What an action may change: the viewer's photos among those asked for, and how many it must not;
    and the list the selection was made in (which tiles an archive or a trash takes off it)."""

    viewer: Viewer
    photo_ids: frozenset[int]
    not_yours: int
    redis: ArqRedis
    settings: Settings
    narrowed: PhotoFilter = MAIN_GRID

    def also_ignored(self, acted: Collection[int]) -> Selected:
        """With the photos another slice's function left alone (its own rule) counted as not yours too."""
        return replace(self, not_yours=self.not_yours + len(self.photo_ids - set(acted)))


@dataclass(frozen=True, slots=True)
class Done:
    """The sentence for the toast or flash, and the tiles that leave the grid it was asked from."""

    text: str
    removed: frozenset[int] = frozenset()
    rated: frozenset[int] = frozenset()         # tiles whose stars now show `rating`
    rating: int = 0
    hearts: frozenset[int] = frozenset()        # tiles whose heart now shows `favourite`
    favourite: bool = False


Parse = Callable[[Mapping[str, str]], Any]
Run = Callable[[Selected, Any], Awaitable["Done | Response[Any]"]]


@dataclass(frozen=True, slots=True)
class BulkAction:
    name: str
    needs: Needs
    parse: Parse
    run: Run


def count(n: int) -> str:
    return counted(n, "photo")


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
    await tags.add_user_tag_to_many(selected.photo_ids, name, added_by=selected.viewer.id)
    return Done(sentence(f"Tagged {count(len(selected.photo_ids))} “{name}”", selected))


async def remove_tag(selected: Selected, name: str) -> Done:
    removed = await tags.remove_user_tag_from_many(selected.photo_ids, name)
    if not removed:
        return Done(sentence(f"None of the {count(len(selected.photo_ids))} had the tag “{name}”", selected))
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


async def favourite(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.favourite_photos(selected.viewer.id, selected.photo_ids)
    return Done(sentence(f"Added {count(len(acted))} to your favourites", selected.also_ignored(acted)),
                hearts=frozenset(acted), favourite=True)


async def unfavourite(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.unfavourite_photos(selected.viewer.id, selected.photo_ids)
    gone = frozenset(acted) if selected.narrowed.favourite else frozenset()
    return Done(sentence(f"Took {count(len(acted))} out of your favourites", selected.also_ignored(acted)),
                removed=gone, hearts=frozenset(acted), favourite=False)


async def archive(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.archive_photos(selected.viewer.id, selected.photo_ids)
    gone = frozenset(acted) if selected.narrowed.archived is False else frozenset()
    return Done(sentence(f"Archived {count(len(acted))}", selected.also_ignored(acted)), removed=gone)


async def unarchive(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.unarchive_photos(selected.viewer.id, selected.photo_ids)
    gone = frozenset(acted) if selected.narrowed.archived is True else frozenset()
    return Done(sentence(f"Took {count(len(acted))} out of the archive", selected.also_ignored(acted)),
                removed=gone)


async def trash(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.trash_photos(selected.viewer.id, selected.photo_ids)
    gone = frozenset(acted) if selected.narrowed.trashed is False else frozenset()
    return Done(sentence(f"Moved {count(len(acted))} to the trash", selected.also_ignored(acted)),
                removed=gone)


async def restore(selected: Selected, _: None) -> Done:
    acted = await photo_lifecycle.restore_photos(selected.viewer.id, selected.photo_ids)
    gone = frozenset(acted) if selected.narrowed.trashed is True else frozenset()
    return Done(sentence(f"Restored {count(len(acted))} from the trash", selected.also_ignored(acted)),
                removed=gone)


@dataclass(frozen=True, slots=True)
class AlbumChoice:
    """An album of the viewer's by id, or the title of a new one."""

    album_id: int | None
    new_title: str | None


def album_choice(form: Mapping[str, str]) -> AlbumChoice:
    new_title = " ".join(form.get("new_album", "").split())
    if new_title:
        try:
            return AlbumChoice(None, albums.clean_title(new_title))
        except albums.AlbumError as exc:
            raise BadInput(str(exc)) from None
    album_id = parse_id(form.get("to_album", ""))
    if album_id is None:
        raise BadInput("Choose an album, or give a new one a title.")
    return AlbumChoice(album_id, None)


async def add_to_album(selected: Selected, choice: AlbumChoice) -> Done:
    """Into an album the viewer owns or contributes to (404/403 otherwise, from db/albums.py); photos in
    the trash, or seen only through someone else's album, are left out and counted."""
    album_id = choice.album_id
    if album_id is None:
        album_id = await albums.create_album(selected.viewer.id, choice.new_title or "")
    outcome = await album_photos.add_photos(selected.viewer.id, album_id, sorted(selected.photo_ids))
    title = (await albums.album_summary(selected.viewer.id, album_id)).title
    return Done(sentence(f"Added {count(len(outcome.acted))} to “{title}”",
                         selected.also_ignored(outcome.acted)))


ACTIONS: dict[str, BulkAction] = {action.name: action for action in (
    BulkAction("add-tag", Needs.EDIT, tag_name, add_tag),
    BulkAction("remove-tag", Needs.EDIT, tag_name, remove_tag),
    BulkAction("rate", Needs.EDIT, rating, rate),
    BulkAction("download", Needs.SEE, no_fields, download),
    BulkAction("reprocess", Needs.OWN, no_fields, reprocess_photos),
    # web/photo_lifecycle.py's rules, through db/photo_lifecycle.py: members of the photo's library.
    BulkAction("favourite", Needs.SEE, no_fields, favourite),
    BulkAction("unfavourite", Needs.SEE, no_fields, unfavourite),
    BulkAction("archive", Needs.EDIT, no_fields, archive),
    BulkAction("unarchive", Needs.EDIT, no_fields, unarchive),
    BulkAction("trash", Needs.EDIT, no_fields, trash),
    BulkAction("restore", Needs.EDIT, no_fields, restore),
    BulkAction("add-to-album", Needs.EDIT, album_choice, add_to_album),
)}
