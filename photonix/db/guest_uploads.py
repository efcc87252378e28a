"""Guest uploads through an album's share link: which library a guest's photo goes into, and adding it to
the album under the guest's name.

A guest's photo goes into the album owner's first library they own (else the first they belong to), as
if the owner had uploaded it; the album records the guest's name (album_photo.guest_name) and no user."""

from __future__ import annotations

from datetime import UTC, datetime

from photonix.db.tables import AlbumPhoto, Membership

MAX_NAME = 100


async def library_for_guests(owner_id: int) -> int | None:
    rows = await Membership.select(Membership.library, Membership.role).where(
        Membership.user == owner_id).order_by(Membership.library)
    owned = [row["library"] for row in rows if row["role"] == "owner"]
    chosen = owned or [row["library"] for row in rows]
    return int(chosen[0]) if chosen else None


async def add_to_album(album_id: int, photo_id: int, guest_name: str) -> None:
    """At the end of the album's manual order; a photo already in it keeps its place and its adder."""
    last = await AlbumPhoto.select(AlbumPhoto.position).where(AlbumPhoto.album == album_id).order_by(
        AlbumPhoto.position, ascending=False).first()
    await AlbumPhoto.insert(AlbumPhoto(
        album=album_id, photo=photo_id, position=(last["position"] + 1) if last else 0, added_by=None,
        guest_name=guest_name[:MAX_NAME], added_at=datetime.now(UTC),
    )).on_conflict(target=(AlbumPhoto.album, AlbumPhoto.photo), action="DO NOTHING")
