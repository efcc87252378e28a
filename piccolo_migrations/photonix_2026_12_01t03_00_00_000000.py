"""Counts for the job dashboard kept by triggers, so reading them costs a few rows at any size.

- step_run.is_latest: TRUE on the newest version of each (photo, step), the run that says what the
  photo's step looks like now; a reprocess at a new version makes the older rows stop counting.
- step_tally (step, state, n): how many latest runs each step has in each state.
- photo_progress (photo, library, unfinished, failed): per photo, how many of its latest runs are still
  to finish (queued, running, retrying) and how many failed.
- library_tally (library, processing, failed): per library, the photos with work still to do and the
  photos with a failed step (the header's "Processing 1,234 · 3 failed").
- an index for the dashboard's recent failures (step_run (state, finished_at)).

Triggers on step_run keep all of it. SQLite gets row triggers (a write there is a few microseconds and
there is one writer). PostgreSQL gets STATEMENT triggers with transition tables: one set-based pass per
statement, so a 600k-row seed or a retry of 30k failures stays one statement's work; row triggers made a
large seed crawl. Tally rows are upserted in key order so concurrent statements lock them in the same
order. Updates of other columns (tries, worker, step_version, …) change no count: on SQLite the update
trigger watches only state and is_latest; on PostgreSQL (where a trigger with transition tables cannot
name columns) such updates net to zero and write nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql
from photonix.db.step_tally import recount

ID = "2026-12-01T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "step_run.is_latest and the dashboard's tallies, kept by triggers"

UNFINISHED = "('queued', 'running', 'retrying')"

INDEXES = (
    ("step_run_state_finished", "step_run", '"state", "finished_at"'),
    ("photo_progress_library", "photo_progress", '"library"'),
)


def tables_sql(postgres: bool) -> list[str]:
    serial = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    return [
        f'CREATE TABLE "step_tally" ("id" {serial}, "step" VARCHAR(60) NOT NULL, '
        '"state" VARCHAR(20) NOT NULL, "n" INTEGER NOT NULL DEFAULT 0)',
        'CREATE UNIQUE INDEX "uq_step_tally_step_state" ON "step_tally" ("step", "state")',
        'CREATE TABLE "photo_progress" ("photo" INTEGER PRIMARY KEY, "library" INTEGER NULL, '
        '"unfinished" INTEGER NOT NULL DEFAULT 0, "failed" INTEGER NOT NULL DEFAULT 0)',
        'CREATE TABLE "library_tally" ("library" INTEGER PRIMARY KEY, '
        '"processing" INTEGER NOT NULL DEFAULT 0, "failed" INTEGER NOT NULL DEFAULT 0)',
    ]


# SQLite: one trigger per event, each a fixed sequence of statements (several AFTER triggers on one
# event run in no promised order, and the clean-up of photo_progress must come after its update).
def _sqlite_step_delta(row: str, sign: str) -> str:
    """Statements adding (sign '+') or removing (sign '-') one run's row to the step and photo counts."""
    return f"""
  INSERT INTO step_tally (step, state, n) SELECT {row}.step, {row}.state, {sign}1 WHERE {row}.is_latest
    ON CONFLICT (step, state) DO UPDATE SET n = n + excluded.n;
  INSERT INTO photo_progress (photo, library, unfinished, failed)
    SELECT {row}.photo, (SELECT library FROM photo WHERE id = {row}.photo),
           {sign}({row}.state IN {UNFINISHED}), {sign}({row}.state = 'failed')
    WHERE {row}.is_latest
    ON CONFLICT (photo) DO UPDATE SET unfinished = unfinished + excluded.unfinished,
                                      failed = failed + excluded.failed;"""


def _sqlite_library_delta(row: str, sign: str) -> str:
    return f"""
  INSERT INTO library_tally (library, processing, failed)
    SELECT {row}.library, {sign}({row}.unfinished > 0), {sign}({row}.failed > 0)
    WHERE {row}.library IS NOT NULL
    ON CONFLICT (library) DO UPDATE SET processing = processing + excluded.processing,
                                        failed = failed + excluded.failed;"""


_UNFINISHED_CHANGE = (f"((NEW.is_latest AND NEW.state IN {UNFINISHED}) "
                      f"- (OLD.is_latest AND OLD.state IN {UNFINISHED}))")
_FAILED_CHANGE = "((NEW.is_latest AND NEW.state = 'failed') - (OLD.is_latest AND OLD.state = 'failed'))"

SQLITE_TRIGGERS = {
    "step_run_counted_insert": f"""
CREATE TRIGGER step_run_counted_insert AFTER INSERT ON step_run BEGIN{_sqlite_step_delta("NEW", "+")}
  -- a newer version supersedes the older runs of the same photo and step (their update uncounts them)
  UPDATE step_run SET is_latest = 0
    WHERE photo = NEW.photo AND step = NEW.step AND version < NEW.version AND is_latest;
  UPDATE step_run SET is_latest = 0
    WHERE id = NEW.id AND is_latest AND EXISTS (SELECT 1 FROM step_run s WHERE s.photo = NEW.photo
                                                AND s.step = NEW.step AND s.version > NEW.version);
END""",
    "step_run_counted_update": f"""
CREATE TRIGGER step_run_counted_update AFTER UPDATE OF state, is_latest ON step_run
WHEN OLD.state IS NOT NEW.state OR OLD.is_latest IS NOT NEW.is_latest BEGIN
  INSERT INTO step_tally (step, state, n) SELECT OLD.step, OLD.state, -1 WHERE OLD.is_latest
    ON CONFLICT (step, state) DO UPDATE SET n = n + excluded.n;
  INSERT INTO step_tally (step, state, n) SELECT NEW.step, NEW.state, 1 WHERE NEW.is_latest
    ON CONFLICT (step, state) DO UPDATE SET n = n + excluded.n;
  -- one write of the photo's counts for both sides (queued -> running changes none of them)
  UPDATE photo_progress
    SET unfinished = unfinished + {_UNFINISHED_CHANGE}, failed = failed + {_FAILED_CHANGE}
    WHERE photo = NEW.photo AND ({_UNFINISHED_CHANGE} <> 0 OR {_FAILED_CHANGE} <> 0);
END""",
    "step_run_counted_delete": f"""
CREATE TRIGGER step_run_counted_delete AFTER DELETE ON step_run BEGIN{_sqlite_step_delta("OLD", "-")}
  -- the newest remaining version of the photo's step now says what that step looks like
  UPDATE step_run SET is_latest = 1
    WHERE OLD.is_latest AND id = (SELECT id FROM step_run WHERE photo = OLD.photo AND step = OLD.step
                                  ORDER BY version DESC LIMIT 1);
  DELETE FROM photo_progress
    WHERE photo = OLD.photo AND NOT EXISTS (SELECT 1 FROM step_run WHERE photo = OLD.photo);
END""",
    "photo_progress_counted_insert": f"""
CREATE TRIGGER photo_progress_counted_insert AFTER INSERT ON photo_progress
WHEN NEW.unfinished > 0 OR NEW.failed > 0 BEGIN{_sqlite_library_delta("NEW", "+")}
END""",
    "photo_progress_counted_update": f"""
CREATE TRIGGER photo_progress_counted_update AFTER UPDATE ON photo_progress
WHEN (OLD.unfinished > 0) <> (NEW.unfinished > 0) OR (OLD.failed > 0) <> (NEW.failed > 0)
BEGIN{_sqlite_library_delta("OLD", "-")}{_sqlite_library_delta("NEW", "+")}
END""",
    "photo_progress_counted_delete": f"""
CREATE TRIGGER photo_progress_counted_delete AFTER DELETE ON photo_progress
WHEN OLD.unfinished > 0 OR OLD.failed > 0 BEGIN{_sqlite_library_delta("OLD", "-")}
END""",
}


def _postgres_count(delta: str) -> str:
    """One statement applying `delta` (rows of photo, step, state, d = +1 or -1) to all three tallies.

    photo_progress returns its new counts; new minus delta is the old count, so the photos that crossed
    zero (started or finished having work, a failure) are known without reading them twice."""
    return f"""
  WITH delta (photo, step, state, d) AS ({delta}),
  counted_steps AS (
    INSERT INTO step_tally AS t (step, state, n)
    SELECT step, state, SUM(d) FROM delta GROUP BY step, state HAVING SUM(d) <> 0 ORDER BY step, state
    ON CONFLICT (step, state) DO UPDATE SET n = t.n + EXCLUDED.n),
  per_photo AS (
    SELECT photo, SUM(CASE WHEN state IN {UNFINISHED} THEN d ELSE 0 END) AS du,
                  SUM(CASE WHEN state = 'failed' THEN d ELSE 0 END) AS df
    FROM delta GROUP BY photo),
  changed AS (
    SELECT pp.* FROM per_photo pp
    WHERE pp.du <> 0 OR pp.df <> 0 OR NOT EXISTS (SELECT 1 FROM photo_progress g WHERE g.photo = pp.photo)),
  progressed AS (
    INSERT INTO photo_progress AS g (photo, library, unfinished, failed)
    SELECT c.photo, p.library, c.du, c.df FROM changed c LEFT JOIN photo p ON p.id = c.photo ORDER BY c.photo
    ON CONFLICT (photo) DO UPDATE SET unfinished = g.unfinished + EXCLUDED.unfinished,
                                      failed = g.failed + EXCLUDED.failed
    RETURNING g.photo, g.library, g.unfinished, g.failed),
  crossed AS (
    SELECT pr.library,
           SUM((pr.unfinished > 0)::int - (pr.unfinished - c.du > 0)::int) AS processing,
           SUM((pr.failed > 0)::int - (pr.failed - c.df > 0)::int) AS failed
    FROM progressed pr JOIN changed c ON c.photo = pr.photo
    WHERE pr.library IS NOT NULL GROUP BY pr.library)
  INSERT INTO library_tally AS l (library, processing, failed)
  SELECT library, processing, failed FROM crossed WHERE processing <> 0 OR failed <> 0 ORDER BY library
  ON CONFLICT (library) DO UPDATE SET processing = l.processing + EXCLUDED.processing,
                                      failed = l.failed + EXCLUDED.failed;"""


LATEST_NEW = "SELECT photo, step, state, 1 FROM new_rows WHERE is_latest"
LATEST_OLD = "SELECT photo, step, state, -1 FROM old_rows WHERE is_latest"

POSTGRES_FUNCTIONS = {
    "step_run_counted_insert": f"""
CREATE FUNCTION step_run_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_postgres_count(LATEST_NEW)}
  -- a newer version supersedes the older runs of the same photo and step (their update uncounts them)
  UPDATE step_run s SET is_latest = FALSE
  FROM (SELECT photo, step, MAX(version) AS version FROM new_rows GROUP BY photo, step) n
  WHERE s.photo = n.photo AND s.step = n.step AND s.version < n.version AND s.is_latest;
  UPDATE step_run s SET is_latest = FALSE FROM new_rows n
  WHERE s.id = n.id AND s.is_latest AND EXISTS (SELECT 1 FROM step_run h WHERE h.photo = n.photo
                                                AND h.step = n.step AND h.version > n.version);
  RETURN NULL;
END $$""",
    "step_run_counted_update": f"""
CREATE FUNCTION step_run_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_postgres_count(LATEST_OLD + " UNION ALL " + LATEST_NEW)}
  RETURN NULL;
END $$""",
    "step_run_counted_delete": f"""
CREATE FUNCTION step_run_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_postgres_count(LATEST_OLD)}
  -- the newest remaining version of each photo's step now says what that step looks like
  UPDATE step_run s SET is_latest = TRUE
  FROM (SELECT DISTINCT ON (r.photo, r.step) r.id FROM step_run r
        JOIN (SELECT DISTINCT photo, step FROM old_rows WHERE is_latest) o
          ON r.photo = o.photo AND r.step = o.step
        ORDER BY r.photo, r.step, r.version DESC) newest
  WHERE s.id = newest.id AND NOT s.is_latest;
  DELETE FROM photo_progress g USING (SELECT DISTINCT photo FROM old_rows) o
  WHERE g.photo = o.photo AND NOT EXISTS (SELECT 1 FROM step_run s WHERE s.photo = o.photo);
  RETURN NULL;
END $$""",
}

POSTGRES_TRIGGERS = {
    "step_run_counted_insert": "AFTER INSERT ON step_run REFERENCING NEW TABLE AS new_rows",
    "step_run_counted_update": ("AFTER UPDATE ON step_run "
                                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "step_run_counted_delete": "AFTER DELETE ON step_run REFERENCING OLD TABLE AS old_rows",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create() -> None:
        postgres = is_postgres()
        await run_sql('ALTER TABLE "step_run" ADD COLUMN "is_latest" BOOLEAN NOT NULL DEFAULT TRUE')
        await run_sql('UPDATE "step_run" SET "is_latest" = FALSE WHERE EXISTS (SELECT 1 FROM "step_run" s2 '
                      'WHERE s2."photo" = "step_run"."photo" AND s2."step" = "step_run"."step" '
                      'AND s2."version" > "step_run"."version")')
        for statement in tables_sql(postgres):
            await run_sql(statement)
        for name, table, columns in INDEXES:
            await run_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
        await recount()
        if postgres:
            for name, function in POSTGRES_FUNCTIONS.items():
                await run_sql(function)
                await run_sql(f"CREATE TRIGGER {name} {POSTGRES_TRIGGERS[name]} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        else:
            for trigger in SQLITE_TRIGGERS.values():
                await run_sql(trigger)

    async def drop() -> None:
        postgres = is_postgres()
        for name in (POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS):
            await run_sql(f"DROP TRIGGER IF EXISTS {name}" + (" ON step_run" if postgres else ""))
        if postgres:
            for name in POSTGRES_FUNCTIONS:
                await run_sql(f"DROP FUNCTION IF EXISTS {name}()")
        for name, *_ in INDEXES:
            await run_sql(f'DROP INDEX IF EXISTS "{name}"')
        for table in ("library_tally", "photo_progress", "step_tally"):
            await run_sql(f'DROP TABLE IF EXISTS "{table}"')
        await run_sql('ALTER TABLE "step_run" DROP COLUMN "is_latest"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
