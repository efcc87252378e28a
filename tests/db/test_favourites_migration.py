"""The per-user favourites migration: a photo flagged favourite before it stays a favourite of every member
of its library, and the shared flag is gone."""

from __future__ import annotations

import importlib
from pathlib import Path

from photonix.db import accounts, photos
from photonix.db.tables import Photo, PhotoFavourite

MIGRATION = importlib.import_module("piccolo_migrations.photonix_2026_12_01t13_00_00_000000")


async def _columns() -> set[str]:
    row = (await Photo.raw('SELECT * FROM photo LIMIT 1'))[0]
    return set(row)


async def test_a_flagged_photo_stays_a_favourite_of_every_member_of_its_library(clean: None,
                                                                                tmp_path: Path) -> None:
    alice = await accounts.create_user("alice", "correct horse battery")
    carol = await accounts.create_user("carol", "correct horse battery")
    bob = await accounts.create_user("bob", "correct horse battery")
    family = await accounts.create_library("Family", [tmp_path], alice)
    await accounts.add_member(family, carol, role="member")
    await accounts.create_library("Bob's", [], bob)
    loved, _ = await photos.register(family, "a" * 64, tmp_path / "loved.jpg", 1)
    plain, _ = await photos.register(family, "b" * 64, tmp_path / "plain.jpg", 1)

    await MIGRATION.undo()                  # the schema before it, with the shared flag
    try:
        assert "favourite" in await _columns()
        await Photo.raw('UPDATE photo SET favourite = {} WHERE id = {}', True, loved)
    finally:
        await MIGRATION.apply()

    hearts = await PhotoFavourite.select(PhotoFavourite.user, PhotoFavourite.photo).order_by(
        PhotoFavourite.user)
    assert [(row["user"], row["photo"]) for row in hearts] == [(alice, loved), (carol, loved)]
    assert plain not in {row["photo"] for row in hearts}
    assert "favourite" not in await _columns()
