"""What a public share link shows, through the read model (db/photo_reads.py with Scope.share): its photos
as tiles, one of them for the viewer, and one of their files.

Scope.share holds only the photos the link names (its own list, or its album's), never one in the trash
and nothing once the link is revoked; any other id finds nothing and the page answers 404. Values leave
this module without paths, library names or owner: only what the page may show, with location and camera
fields only when the link allows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from photonix.config import Settings
from photonix.db.keyset import Cursor
from photonix.db.photo_filter import PhotoFilter
from photonix.db.photo_reads import MAX_PAGE_SIZE, permitted_file, photo_detail, tile_page
from photonix.db.photo_values import PermittedFile, PhotoDetail, Tile
from photonix.db.scope import Scope
from photonix.db.share_links import ShareLinkInfo
from photonix.db.tables import Album, AlbumPhoto

MAX_PHOTOS = 5000           # one page holds the share; past this the rest is not listed
THUMBNAIL_SIZES = ("square", "medium", "large")


@dataclass(frozen=True, slots=True)
class SharedTile:
    """A tile of the share page. Its shape class, sizes and alt text are worked out once here: a page of
    hundreds of tiles otherwise spends most of its time in template filters."""

    id: int
    taken_at: datetime | None
    width: int              # the medium thumbnail's, as displayed; square until it exists
    height: int
    has_thumbnail: bool
    shape: int = 100        # ratio x 100, clamped to 50..300: the rNNN class of static/css/ratios.css
    alt: str = "Photo"

    @classmethod
    def of(cls, photo_id: int, taken_at: datetime | None, width: int, height: int,
           has_thumbnail: bool) -> SharedTile:
        ratio = min(3.0, max(0.5, width / height)) if height else 1.0
        alt = f"Photo taken {taken_at:%-d %B %Y}" if taken_at else "Photo"
        return cls(photo_id, taken_at, width, height, has_thumbnail, round(ratio * 100), alt)

    @property
    def ratio(self) -> float:
        return self.shape / 100

    @property
    def sizes(self) -> int:
        return self.shape * 3


@dataclass(frozen=True, slots=True)
class SharedPhoto:
    """One shared photo as the viewer shows it: no path, no library; camera and place only if allowed."""

    id: int
    taken_at: datetime | None
    width: int | None           # the large thumbnail's, when there is one
    height: int | None
    camera: str | None = None
    exposure: dict[str, Any] | None = None
    place: str | None = None
    gps: tuple[float, float] | None = None


def scope_of(link: ShareLinkInfo) -> Scope:
    return Scope.share(link.id)


# A shared album keeps its archived photos; the trash is the scope's to leave out.
_ALL_BUT_TRASH = PhotoFilter(archived=None)


async def _album_order(album_id: int) -> str:
    row = await Album.select(Album.sort_order).where(Album.id == album_id).first()
    return str(row["sort_order"]) if row else "date_desc"


async def tiles_of(link: ShareLinkInfo) -> list[SharedTile]:
    """The link's photos in the album's order (date, or manual), a selection newest first."""
    order = await _album_order(link.album_id) if link.album_id is not None else "date_desc"
    narrowed = _ALL_BUT_TRASH.narrowed(oldest_first=order == "date_asc")
    tiles: list[Tile] = []
    before: Cursor | None = None
    while len(tiles) < MAX_PHOTOS:
        page = await tile_page(scope_of(link), narrowed, before=before, limit=MAX_PAGE_SIZE)
        tiles.extend(page.tiles)
        if page.next is None:
            break
        before = page.next
    if order == "manual" and link.album_id is not None:
        positions = {r["photo"]: r["position"] for r in await AlbumPhoto.select(
            AlbumPhoto.photo, AlbumPhoto.position).where(AlbumPhoto.album == link.album_id)}
        tiles.sort(key=lambda tile: (positions.get(tile.id, 0), tile.id))
    return [SharedTile.of(t.id, t.taken_at, t.width, t.height, t.has_thumbnail) for t in tiles[:MAX_PHOTOS]]


def _place(detail: PhotoDetail) -> str | None:
    """"City, Country" from the offline geocoder's tags, or the country alone."""
    places = sorted((t for t in detail.tags if t.kind == "location"), key=lambda t: -t.score)
    cities = [f"{t.name}, {t.parent}" for t in places if t.parent]
    if cities:
        return cities[0]
    return places[0].name if places else None


async def shared_photo(link: ShareLinkInfo, photo_id: int, settings: Settings) -> SharedPhoto | None:
    """The photo when the link shows it, else None (the page answers 404)."""
    detail = await photo_detail(scope_of(link), photo_id, settings, _ALL_BUT_TRASH)
    if detail is None:
        return None
    large = next((t for t in detail.thumbnails if t.size_name == "large"), None)
    camera = exposure = place = gps = None
    if link.show_metadata:
        camera = " ".join(filter(None, (detail.camera_make, detail.camera_model))) or None
        exposure = {name: getattr(detail, name)
                    for name in ("lens", "exposure_time", "f_number", "iso", "focal_length")
                    if getattr(detail, name)}
    if link.show_location:
        place = _place(detail)
        if detail.gps_lat is not None and detail.gps_lon is not None:
            gps = (detail.gps_lat, detail.gps_lon)
    return SharedPhoto(detail.id, detail.taken_at, large.width if large else None,
                       large.height if large else None, camera, exposure, place, gps)


async def neighbours(link: ShareLinkInfo, photo_id: int) -> tuple[int | None, int | None]:
    """(previous, next) in the page's order: the viewer's arrows."""
    ids = [tile.id for tile in await tiles_of(link)]
    if photo_id not in ids:
        return None, None
    at = ids.index(photo_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


async def shared_file(link: ShareLinkInfo, photo_id: int, kind: str, size_name: str,
                      settings: Settings) -> PermittedFile | None:
    """The stored file of a photo the link shows (one query: the read model's permitted_file)."""
    return await permitted_file(scope_of(link), photo_id, kind, size_name, settings)


async def shared_files(link: ShareLinkInfo, kind: str, size_name: str,
                       settings: Settings) -> list[PermittedFile]:
    """The file of every photo the link shows, in the page's order, for the zip."""
    found = []
    for tile in await tiles_of(link):
        permitted = await shared_file(link, tile.id, kind, size_name, settings)
        if permitted is not None:
            found.append(permitted)
    return found


def is_thumbnail_size(size: str) -> bool:
    return size in THUMBNAIL_SIZES
