"""service_outage rows: which service a worker found unreachable, since when, and when it last looked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from photonix.db.tables import ServiceOutage


@dataclass(frozen=True, slots=True)
class RecordedOutage:
    service: str
    since: datetime
    seen_at: datetime
    noticed_by: str
    error: str


async def record_outage(service: str, noticed_by: str, error: str, since: datetime | None = None) -> None:
    """Note that `service` is unreachable: a new outage starts now (or at `since`); a known one is
    marked as still seen."""
    now = datetime.now(UTC)
    await ServiceOutage.insert(
        ServiceOutage(service=service, since=since or now, seen_at=now, noticed_by=noticed_by, error=error)
    ).on_conflict(target=ServiceOutage.service, action="DO UPDATE", values=[ServiceOutage.seen_at])


async def end_outage(service: str) -> None:
    await ServiceOutage.delete().where(ServiceOutage.service == service)


async def recorded_outages() -> list[RecordedOutage]:
    rows = await ServiceOutage.select(ServiceOutage.service, ServiceOutage.since, ServiceOutage.seen_at,
                                      ServiceOutage.noticed_by, ServiceOutage.error)
    return [RecordedOutage(row["service"], row["since"], row["seen_at"], row["noticed_by"], row["error"])
            for row in rows]
