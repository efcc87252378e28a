"""The admin's on/off switch per classifier (a classifier without a row is on), and what each has tagged."""

from __future__ import annotations

from photonix.db.tables import ClassifierSetting, PhotoTag


async def disabled_classifiers() -> set[str]:
    """Names switched off; the settings page reads them all in one query rather than one per classifier."""
    rows = await ClassifierSetting.select(ClassifierSetting.name).where(ClassifierSetting.enabled.eq(False))
    return {row["name"] for row in rows}


async def is_enabled(name: str) -> bool:
    row = await ClassifierSetting.select(ClassifierSetting.enabled).where(
        ClassifierSetting.name == name
    ).first()
    return True if row is None else bool(row["enabled"])


async def set_enabled(name: str, enabled: bool) -> None:
    await ClassifierSetting.insert(ClassifierSetting(name=name, enabled=enabled)).on_conflict(
        target=ClassifierSetting.name, action="DO UPDATE", values=[ClassifierSetting.enabled]
    )


async def photos_tagged_by(name: str) -> int:
    """Distinct photos holding a tag from any version of this classifier (sources read `name@version`)."""
    return int(await PhotoTag.count(distinct=[PhotoTag.photo]).where(PhotoTag.source.like(f"{name}@%")))
