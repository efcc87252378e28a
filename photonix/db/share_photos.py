"""What a public share link shows: its photos (tiles), one of them (the viewer), and one of their files.

Every photo query behind /s/ goes through `shared()`: the photos the link names and nothing else. A photo
or selection link shows its photos while its owner still sees them; an album link shows the album's
photos. Trashed photos drop out of both. (The read model's Scope.share takes this over once merged.)

Values leave this module without paths, library names or owner: only what the page may show, with
location and camera fields only when the link allows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.custom_types import Combinable

from photonix.db.photos import visible_to
from photonix.db.share_links import ShareLinkInfo, info_from_row
from photonix.db.tables import Album, AlbumPhoto, Photo, PhotoFile, PhotoTag, ShareLinkPhoto

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


@dataclass(frozen=True, slots=True)
class SharedFile:
    library_id: int
    path: Path


def shared(link: ShareLinkInfo) -> Combinable:
    """The where-clause of every photo query under this link."""
    if link.album_id is not None:
        return Photo.id.is_in(AlbumPhoto.select(AlbumPhoto.photo).where(AlbumPhoto.album == link.album_id)) \
            & Photo.trashed_at.is_null()
    return (Photo.id.is_in(ShareLinkPhoto.select(ShareLinkPhoto.photo).where(
        ShareLinkPhoto.share_link == link.id))
        & visible_to(link.owner_id) & Photo.trashed_at.is_null())


async def _album_order(album_id: int) -> str:
    row = await Album.select(Album.sort_order).where(Album.id == album_id).first()
    return str(row["sort_order"]) if row else "date_desc"


async def tiles_of(link: ShareLinkInfo) -> list[SharedTile]:
    """The link's photos in the album's order (date, or manual), a selection newest first."""
    order = await _album_order(link.album_id) if link.album_id is not None else "date_desc"
    query = Photo.select(Photo.id, Photo.taken_at, Photo.sort_at, Photo.width, Photo.height,
                         Photo.orientation).where(shared(link))
    if order == "date_asc":
        query = query.order_by(Photo.sort_at, Photo.id)
    else:
        query = query.order_by(Photo.sort_at, Photo.id, ascending=False)
    rows = await query.limit(MAX_PHOTOS)
    if order == "manual" and link.album_id is not None:
        positions = {r["photo"]: r["position"] for r in await AlbumPhoto.select(
            AlbumPhoto.photo, AlbumPhoto.position).where(AlbumPhoto.album == link.album_id)}
        rows.sort(key=lambda r: (positions.get(r["id"], 0), r["id"]))
    ids = [row["id"] for row in rows]
    shapes = {r["photo"]: (r["width"], r["height"]) for r in await PhotoFile.select(
        PhotoFile.photo, PhotoFile.width, PhotoFile.height).where(
        PhotoFile.photo.is_in(ids or [0]) & (PhotoFile.kind == "thumbnail")
        & (PhotoFile.size_name == "medium"))}
    tiles = []
    for row in rows:
        shape = shapes.get(row["id"])
        width, height = shape or (1, 1)
        tiles.append(SharedTile.of(row["id"], row["taken_at"], width or 1, height or 1, shape is not None))
    return tiles


async def _place(photo_id: int) -> str | None:
    """"City, Country" from the offline geocoder's tags, or the country alone."""
    rows = await PhotoTag.select(PhotoTag.tag._.name, PhotoTag.tag._.parent._.name).where(
        (PhotoTag.photo == photo_id) & (PhotoTag.tag._.kind == "location")
    ).order_by(PhotoTag.score, ascending=False)
    cities = [f"{r['tag.name']}, {r['tag.parent.name']}" for r in rows if r["tag.parent.name"]]
    if cities:
        return cities[0]
    return str(rows[0]["tag.name"]) if rows else None


async def shared_photo(link: ShareLinkInfo, photo_id: int) -> SharedPhoto | None:
    """The photo when the link shows it, else None (the page answers 404)."""
    row = await Photo.select(
        Photo.id, Photo.taken_at, Photo.camera_make, Photo.camera_model, Photo.lens, Photo.exposure_time,
        Photo.f_number, Photo.iso, Photo.focal_length, Photo.gps_lat, Photo.gps_lon,
    ).where((Photo.id == photo_id) & shared(link)).first()
    if row is None:
        return None
    large = await PhotoFile.select(PhotoFile.width, PhotoFile.height).where(
        (PhotoFile.photo == photo_id) & (PhotoFile.kind == "thumbnail")
        & (PhotoFile.size_name == "large")).first()
    camera = exposure = place = gps = None
    if link.show_metadata:
        camera = " ".join(filter(None, (row["camera_make"], row["camera_model"]))) or None
        exposure = {name: row[name] for name in ("lens", "exposure_time", "f_number", "iso", "focal_length")
                    if row[name]}
    if link.show_location:
        place = await _place(photo_id)
        if row["gps_lat"] is not None and row["gps_lon"] is not None:
            gps = (row["gps_lat"], row["gps_lon"])
    return SharedPhoto(row["id"], row["taken_at"], large["width"] if large else None,
                       large["height"] if large else None, camera, exposure, place, gps)


async def neighbours(link: ShareLinkInfo, photo_id: int) -> tuple[int | None, int | None]:
    """(previous, next) in the page's order: the viewer's arrows."""
    ids = [tile.id for tile in await tiles_of(link)]
    if photo_id not in ids:
        return None, None
    at = ids.index(photo_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


async def shared_file(link: ShareLinkInfo, photo_id: int, kind: str,
                      size_name: str = "") -> SharedFile | None:
    """The stored file of a photo the link shows, in one query; None for anything else."""
    row = await PhotoFile.select(PhotoFile.path, PhotoFile.photo._.library).where(
        (PhotoFile.photo == photo_id) & (PhotoFile.kind == kind) & (PhotoFile.size_name == size_name)
        & PhotoFile.photo.is_in(Photo.select(Photo.id).where((Photo.id == photo_id) & shared(link)))
    ).first()
    if row is None:
        return None
    return SharedFile(int(row["photo.library"]), Path(row["path"]))


async def shared_files(link: ShareLinkInfo, kind: str, size_name: str = "") -> list[tuple[int, SharedFile]]:
    """(photo id, file) of every photo the link shows, for the zip."""
    ids = [tile.id for tile in await tiles_of(link)]
    if not ids:
        return []
    rows = await PhotoFile.select(PhotoFile.photo, PhotoFile.path, PhotoFile.photo._.library).where(
        PhotoFile.photo.is_in(ids) & (PhotoFile.kind == kind) & (PhotoFile.size_name == size_name))
    by_photo = {row["photo"]: SharedFile(int(row["photo.library"]), Path(row["path"])) for row in rows}
    return [(photo_id, by_photo[photo_id]) for photo_id in ids if photo_id in by_photo]


# The link, the photo's file and the rule of `shared()`, in one statement: a thumbnail is one query. The
# caller still checks the link's state (expired, revoked, password, used up) from the columns.
_FILE_OF_SHARED_PHOTO = """
SELECT l.id, l.owner, l.token, l.album, NULL AS "album.title", l.title, l.created_at, l.expires_at,
       l.password_hash, l.download, l.show_metadata, l.show_location, l.max_views, l.views,
       l.last_viewed_at, l.allow_upload, l.revoked_at, f.path AS file_path, p.library AS file_library
FROM share_link l
JOIN photo p ON p.id = {} AND p.trashed_at IS NULL
JOIN photo_file f ON f.photo = p.id AND f.kind = {} AND f.size_name = {}
WHERE l.token = {} AND (
  (l.album IS NOT NULL AND EXISTS (SELECT 1 FROM album_photo ap WHERE ap.album = l.album AND ap.photo = p.id))
  OR (l.album IS NULL
      AND EXISTS (SELECT 1 FROM share_link_photo sp WHERE sp.share_link = l.id AND sp.photo = p.id)
      AND EXISTS (SELECT 1 FROM membership m WHERE m.library = p.library AND m."user" = l.owner)))
"""


async def link_and_file(token: str, photo_id: int, kind: str,
                        size_name: str = "") -> tuple[ShareLinkInfo, SharedFile] | None:
    """The link a token names and the file of one of its photos, in one query; None when either is
    missing (the caller then looks the link up alone, to answer 404, 401 or 410 rightly)."""
    if not token or len(token) > 64:
        return None
    rows = await ShareLinkPhoto.raw(_FILE_OF_SHARED_PHOTO, photo_id, kind, size_name, token)
    if not rows:
        return None
    row = rows[0]
    return info_from_row(row), SharedFile(int(row["file_library"]), Path(row["file_path"]))


def is_thumbnail_size(size: str) -> bool:
    return size in THUMBNAIL_SIZES
