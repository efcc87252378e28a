"""The dashboard's counts, read from tallies that triggers on step_run keep current.

What they count is the latest run of every (photo, step): step_run.is_latest marks it, and a reprocess at
a new version moves the mark. step_tally holds per step and state how many such runs there are;
library_tally per library how many photos have work still to do ("processing") and how many have a
failed step. Reading them is a few rows at any size; the triggers (migration 2026-12-01T03:00) and
recount() below are the only writers."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Sum

from photonix.db.migration_sql import run_sql
from photonix.db.step_states import UNFINISHED_STATES
from photonix.db.tables import LibraryTally, Membership, StepTally

_UNFINISHED = "(" + ", ".join(f"'{state}'" for state in sorted(UNFINISHED_STATES)) + ")"


async def step_counts() -> dict[str, dict[str, int]]:
    """step -> state -> number of photos whose latest run of that step is in that state (zeros left out)."""
    rows = await StepTally.select(StepTally.step, StepTally.state, StepTally.n).where(StepTally.n != 0)
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["step"], {})[row["state"]] = int(row["n"])
    return counts


async def photo_totals(user_id: int | None = None) -> tuple[int, int]:
    """(photos with work still to do, photos with a failed step), over every library or a user's own.

    One statement: every page's header asks it."""
    query = LibraryTally.select(Sum(LibraryTally.processing, alias="processing"),
                                Sum(LibraryTally.failed, alias="failed"))
    if user_id is not None:
        query = query.where(LibraryTally.library.is_in(
            Membership.select(Membership.library).where(Membership.user == user_id)))
    rows = await query
    return (int(rows[0]["processing"] or 0), int(rows[0]["failed"] or 0)) if rows else (0, 0)


async def recount() -> None:
    """Rebuild every tally from step_run (the migration's first fill; a repair should one ever drift).

    Set-based: a few statements whatever the size."""
    for table in ("step_tally", "photo_progress", "library_tally"):
        await run_sql(f'DELETE FROM "{table}"')
    await run_sql('INSERT INTO "step_tally" ("step", "state", "n") SELECT "step", "state", COUNT(*) '
                  'FROM "step_run" WHERE "is_latest" GROUP BY "step", "state"')
    await run_sql(
        'INSERT INTO "photo_progress" ("photo", "library", "unfinished", "failed") '
        f'SELECT s."photo", p."library", SUM(CASE WHEN s."state" IN {_UNFINISHED} THEN 1 ELSE 0 END), '
        """SUM(CASE WHEN s."state" = 'failed' THEN 1 ELSE 0 END) """
        'FROM "step_run" s JOIN "photo" p ON p."id" = s."photo" WHERE s."is_latest" '
        'GROUP BY s."photo", p."library"')
    # On SQLite the photo_progress trigger has just counted the libraries too: count them once, here.
    await run_sql('DELETE FROM "library_tally"')
    await run_sql(
        'INSERT INTO "library_tally" ("library", "processing", "failed") '
        'SELECT "library", SUM(CASE WHEN "unfinished" > 0 THEN 1 ELSE 0 END), '
        'SUM(CASE WHEN "failed" > 0 THEN 1 ELSE 0 END) FROM "photo_progress" GROUP BY "library"')
