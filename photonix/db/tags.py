"""Tags and photo tags: upsert a classifier's tags for a photo, keep user tags apart, read a photo's tags.

A generic tag (people's own tags, file keywords) is one tag whatever its case: "Holiday 2008" and
"holiday 2008" share a key, and the first spelling stays the tag's name. A person's tag records who added
it: tags and ratings belong to the photo and every member of its library shares them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from piccolo.columns.combination import WhereRaw

from photonix.classifiers.base import ScoredTag
from photonix.db.tables import PhotoTag, Tag

USER_SOURCE = "user"
GENERIC = "generic"         # the kind of people's own tags and of file keywords
CHUNK = 500                 # rows per bulk statement: parameter limits stay far away
XMP_SOURCE = "xmp"          # keywords the file (or its XMP sidecar) carries; replaced on every metadata read


@dataclass(frozen=True, slots=True)
class PhotoTagView:
    tag_id: int
    kind: str
    name: str
    parent: str | None
    score: float
    source: str
    added_by: int | None = None             # who added a person's tag (None: a classifier's, or unknown)
    added_by_name: str | None = None


def tag_key(kind: str, name: str, parent: str | None) -> str:
    """The unique key of a tag: generic tags by their lower-case name, so case never makes a second one."""
    return f"{kind}/{parent or ''}/{name.lower() if kind == GENERIC else name}"


async def tag_id(kind: str, name: str, parent: str | None = None) -> int:
    """The id of the tag, created (with its parent) the first time it is named: one statement each."""
    parent_id = await tag_id(kind, parent) if parent else None
    # DO UPDATE (of the key, a value that does not change) rather than DO NOTHING, so RETURNING gives the
    # id whether the row is new or not; the name is left alone, so the first spelling is kept.
    rows = await Tag.insert(
        Tag(kind=kind, name=name, parent=parent_id, key=tag_key(kind, name, parent))
    ).on_conflict(target=Tag.key, action="DO UPDATE", values=[Tag.key]).returning(Tag.id)
    return int(rows[0]["id"])


async def replace_classifier_tags(photo_id: int, classifier: str, version: int,
                                  tags: Sequence[ScoredTag]) -> None:
    """This classifier's tags on the photo become exactly `tags`; every other source's tags stay."""
    source = f"{classifier}@{version}"
    ids = [(await tag_id(tag.kind, tag.name, tag.parent), tag.score) for tag in tags]
    async with PhotoTag._meta.db.transaction():
        await PhotoTag.delete().where(
            (PhotoTag.photo == photo_id) & PhotoTag.source.like(f"{classifier}@%")
        )
        if ids:
            await PhotoTag.insert(
                *(PhotoTag(photo=photo_id, tag=tid, score=score, source=source) for tid, score in ids)
            ).on_conflict(
                target=(PhotoTag.photo, PhotoTag.tag, PhotoTag.source), action="DO UPDATE",
                values=[PhotoTag.score],
            )


async def replace_keyword_tags(photo_id: int, keywords: Sequence[str], source: str = XMP_SOURCE) -> None:
    """The photo's keywords from its file become exactly these generic tags; other sources' tags stay."""
    ids = [await tag_id("generic", name) for name in dict.fromkeys(keywords)]
    async with PhotoTag._meta.db.transaction():
        await PhotoTag.delete().where((PhotoTag.photo == photo_id) & (PhotoTag.source == source))
        if ids:
            await PhotoTag.insert(
                *(PhotoTag(photo=photo_id, tag=tid, score=1.0, source=source) for tid in ids)
            ).on_conflict(target=(PhotoTag.photo, PhotoTag.tag, PhotoTag.source), action="DO NOTHING")


async def add_user_tag(photo_id: int, name: str, kind: str = GENERIC, *, added_by: int | None = None) -> int:
    """The tag (the existing one whatever its case) on the photo, as `added_by`'s: the tag's id."""
    tid = await tag_id(kind, name)
    await PhotoTag.insert(PhotoTag(photo=photo_id, tag=tid, score=1.0, source=USER_SOURCE,
                                   added_by=added_by)).on_conflict(
        target=(PhotoTag.photo, PhotoTag.tag, PhotoTag.source), action="DO NOTHING"
    )
    return tid


async def add_user_tag_to_many(photo_ids: Collection[int], name: str, kind: str = GENERIC, *,
                               added_by: int | None = None) -> int:
    """add_user_tag for many photos (the caller passes only photos the viewer may change): the tag's id."""
    tid = await tag_id(kind, name)
    ids = sorted(set(photo_ids))
    for start in range(0, len(ids), CHUNK):
        await PhotoTag.insert(
            *(PhotoTag(photo=photo_id, tag=tid, score=1.0, source=USER_SOURCE, added_by=added_by)
              for photo_id in ids[start:start + CHUNK])
        ).on_conflict(target=(PhotoTag.photo, PhotoTag.tag, PhotoTag.source), action="DO NOTHING")
    return tid


async def remove_user_tag_from_many(photo_ids: Collection[int], name: str, kind: str = GENERIC) -> set[int]:
    """A person's tag of this name (any case) off these photos: the photos that had it."""
    tag_ids = [row["id"] for row in await Tag.select(Tag.id).where(
        (Tag.kind == kind) & WhereRaw("LOWER(name) = LOWER({})", name))]
    ids = sorted(set(photo_ids))
    removed: set[int] = set()
    if not tag_ids:
        return removed
    for start in range(0, len(ids), CHUNK):
        rows = await PhotoTag.delete().where(
            PhotoTag.photo.is_in(ids[start:start + CHUNK]) & PhotoTag.tag.is_in(tag_ids)
            & (PhotoTag.source == USER_SOURCE)
        ).returning(PhotoTag.photo)
        removed.update(int(row["photo"]) for row in rows)
    return removed


async def tags_of(photo_id: int) -> list[PhotoTagView]:
    rows = await PhotoTag.select(
        # `._.` is `.` to Piccolo, and tells mypy which table each join reaches.
        PhotoTag.tag._.id, PhotoTag.tag._.kind, PhotoTag.tag._.name, PhotoTag.tag._.parent._.name,
        PhotoTag.score, PhotoTag.source, PhotoTag.added_by._.id, PhotoTag.added_by._.username,
    ).where(PhotoTag.photo == photo_id).order_by(PhotoTag.score, ascending=False)
    return [
        PhotoTagView(r["tag.id"], r["tag.kind"], r["tag.name"], r["tag.parent.name"], r["score"], r["source"],
                     r["added_by.id"], r["added_by.username"])
        for r in rows
    ]


async def remove_user_tag(photo_id: int, tag_id: int) -> None:
    """Only a person's own tags are removed here; classifier tags come and go with reprocessing."""
    await PhotoTag.delete().where(
        (PhotoTag.photo == photo_id) & (PhotoTag.tag == tag_id) & (PhotoTag.source == USER_SOURCE)
    )
