"""Piccolo tables: users and libraries, photos and their files, tags, and the per-step run record.

Multi-column unique keys are unique indexes created by the migrations (SQLite cannot add table
constraints after creation); UNIQUE_KEYS lists them so upserts name the same columns."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Serial,
    Text,
    Timestamp,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamp import TimestampCustom
from piccolo.table import Table


# Each table declares the `id` Piccolo would add by itself (same column), so type checkers see it.
class User(Table, tablename="photonix_user"):
    """A person who signs in; admins manage users and libraries."""

    id = Serial(primary_key=True)

    username = Varchar(length=150, unique=True)
    password_hash = Text()
    is_admin = Boolean(default=False)
    disabled = Boolean(default=False)       # signs nobody in; sessions and tokens stop at once
    created_at = Timestamptz()


class Library(Table):
    """A named collection of photos fed by source folders and uploads."""

    id = Serial(primary_key=True)

    name = Varchar(length=200, unique=True)
    created_at = Timestamptz()


class LibraryFolder(Table):
    """A folder on disk (or shared storage) that a library scans and watches."""

    id = Serial(primary_key=True)

    library = ForeignKey(Library, on_delete=OnDelete.cascade, index=True)
    path = Text()


class Membership(Table):
    """Who may see a library, and whether they own it."""

    id = Serial(primary_key=True)

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    library = ForeignKey(Library, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=20, default="member")      # "owner" | "member"


class ApiToken(Table):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id = Serial(primary_key=True)

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)


class Photo(Table):
    """One distinct picture in a library (deduplicated by content hash) and what its EXIF says."""

    id = Serial(primary_key=True)

    library = ForeignKey(Library, on_delete=OnDelete.cascade, index=True)
    content_hash = Varchar(length=64, index=True)
    original_path = Text()
    original_name = Text(null=True, default=None)       # the name an upload came with (None: the path's)
    file_size = Integer(default=0)
    imported_at = Timestamptz(index=True)
    # The grid's order: capture time (camera-local) when known, else import time. Keyset pages on it.
    sort_at = Timestamp(default=TimestampCustom(year=1970, month=1, day=1, hour=0, second=0, microsecond=0),
                        index=True)
    version = Integer(default=1)                        # bumped by a full reprocess: new job ids
    format = Varchar(length=20, null=True, default=None)
    width = Integer(null=True, default=None)            # as stored, before orientation
    height = Integer(null=True, default=None)
    orientation = Integer(default=1)
    taken_at = Timestamp(null=True, default=None, index=True)   # camera-local time
    taken_at_offset = Varchar(length=8, null=True, default=None)
    camera_make = Varchar(length=100, null=True, default=None)
    camera_model = Varchar(length=100, null=True, default=None)
    lens = Varchar(length=200, null=True, default=None)
    exposure_time = Real(null=True, default=None)
    f_number = Real(null=True, default=None)
    iso = Integer(null=True, default=None)
    focal_length = Real(null=True, default=None)
    flash = Boolean(null=True, default=None)
    gps_lat = Float(null=True, default=None)
    gps_lon = Float(null=True, default=None)
    gps_altitude = Float(null=True, default=None)
    rating = Integer(default=0)
    # who set the rating (ratings are the photo's, shared by the library's members); NULL: nobody yet
    rated_by: ForeignKey[User] = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    histogram = JSON(null=True, default=None)
    date_source = Varchar(length=20, null=True, default=None)   # media.dates.DateSource of taken_at
    date_uncertain = Boolean(default=False)             # a better source held an impossible date
    title = Text(null=True, default=None)               # XMP dc:title
    description = Text(null=True, default=None)         # XMP dc:description
    sidecar_signature = Text(default="")                # the XMP sidecar last read ("" = none)
    archived_at = Timestamptz(null=True, default=None)  # archived: out of the main grid, in its own view
    trashed_at = Timestamptz(null=True, default=None, index=True)   # in the trash since; purged later


class PhotoFile(Table):
    """A file that belongs to a photo: its original, a RAW render or a thumbnail (with its size name)."""

    id = Serial(primary_key=True)

    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20)                           # "original" | "raw_render" | "thumbnail"
    size_name = Varchar(length=20, default="")          # thumbnails: "square" | "medium" | "large"
    path = Text()
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)


class Tag(Table):
    """A tag of one kind; places form a hierarchy (city under country) through `parent`."""

    id = Serial(primary_key=True)

    kind = Varchar(length=20, index=True)       # color/location/event/object/person/generic/album
    name = Varchar(length=200)
    parent: ForeignKey[Tag] = ForeignKey("self", null=True, default=None, on_delete=OnDelete.cascade)
    key = Text(unique=True)                     # "kind/parent name/name": unique even where parent is NULL


class PhotoTag(Table):
    """A tag on a photo, with its score and source ("classifier@version", or "user")."""

    id = Serial(primary_key=True)

    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    tag = ForeignKey(Tag, on_delete=OnDelete.cascade, index=True)
    score = Real(default=1.0)
    source = Varchar(length=60)
    # who added a person's tag (source "user"); NULL for classifier and file tags
    added_by: ForeignKey[User] = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)


class StepRun(Table):
    """What happened to one pipeline step of one photo at one version: the record, never the queue."""

    id = Serial(primary_key=True)

    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    step = Varchar(length=60, index=True)
    version = Integer()
    state = Varchar(length=20, index=True)      # queued/running/retrying/done/failed/skipped
    tries = Integer(default=0)
    job_id = Varchar(length=120, default="")
    error = Text(default="")
    error_kind = Varchar(length=60, default="")
    traceback = Text(default="")
    queued_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    step_version = Integer(default=1)           # the step's code version when queued (a classifier's)
    worker = Varchar(length=200, default="")    # the worker of the latest try ("" before workers had ids)
    # The error without the file it names (media.failures.failure_reason): failures group by it.
    reason = Text(default="")
    is_latest = Boolean(default=True)           # the newest version of this (photo, step); triggers keep it
    # The photo's library, copied when the run is queued (a photo never moves): per-library and per-user
    # filters test a column rather than joining every run to its photo.
    library = ForeignKey(Library, on_delete=OnDelete.cascade, null=True, default=None)


class StepTry(Table):
    """One try of a step run: who ran it, when, for how long, and how it ended (the run keeps only its last).

    A try that never got an outcome (its worker died) is closed as "lost" when the next try starts."""

    id = Serial(primary_key=True)

    step_run = ForeignKey(StepRun, on_delete=OnDelete.cascade, index=True)
    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    step = Varchar(length=60)
    version = Integer()
    try_number = Integer(default=1)             # 1, 2, ... per run, also across a retry of a failed run
    worker = Varchar(length=200, default="")
    state = Varchar(length=20)                  # running/retrying/done/failed/skipped/lost
    error = Text(default="")
    error_kind = Varchar(length=60, default="")
    traceback = Text(default="")
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    duration_ms = Integer(null=True, default=None)


class StepTally(Table):
    """How many latest runs each step has in each state (db/step_tally.py; kept by triggers on step_run)."""

    id = Serial(primary_key=True)

    step = Varchar(length=60)
    state = Varchar(length=20)
    n = Integer(default=0)


class PhotoProgress(Table):
    """Per photo: its latest runs still to finish and failed (kept by triggers on step_run)."""

    photo = Integer(primary_key=True)           # no foreign key: the triggers remove the row with its runs
    library = Integer(null=True, default=None)
    unfinished = Integer(default=0)
    failed = Integer(default=0)


class LibraryTally(Table):
    """Per library: photos with work still to do, photos with a failed step (kept by triggers)."""

    library = Integer(primary_key=True)
    processing = Integer(default=0)
    failed = Integer(default=0)


class ClassifierSetting(Table):
    """An admin's on/off switch for one classifier; a classifier without a row is on."""

    id = Serial(primary_key=True)

    name = Varchar(length=60, unique=True)
    enabled = Boolean(default=True)


class JobPause(Table):
    """An admin's pause of queued work: everything ("global"), one step, or one library's photos.

    One row per scope (a unique index over scope, step and library); resuming deletes it."""

    id = Serial(primary_key=True)

    scope = Varchar(length=20)                  # "global" | "step" | "library"
    step = Varchar(length=60, default="")       # scope "step": the step's name
    library = ForeignKey(Library, null=True, default=None, on_delete=OnDelete.cascade)
    created_by = Varchar(length=150, default="")
    created_at = Timestamptz()


class JobSetting(Table):
    """One number that steers the workers, by name: `limit:<step>` (most runs of that step at once per
    worker) and `history_days` (finished history kept that long; 0 keeps it all)."""

    id = Serial(primary_key=True)

    name = Varchar(length=100, unique=True)
    value = Integer(default=0)


class ServiceOutage(Table):
    """Redis or the database unreachable, as a worker saw it: written where the web can still read it
    (a Redis outage here, in the database), and refreshed while the outage lasts."""

    id = Serial(primary_key=True)

    service = Varchar(length=20, unique=True)   # "redis" | "database"
    since = Timestamptz()
    seen_at = Timestamptz()                     # the last time a worker found it still unreachable
    noticed_by = Varchar(length=120, default="")  # the worker id that first noticed
    error = Text(default="")


class UserSession(Table):
    """A signed-in browser: only the SHA-256 of its cookie's random token is stored. In the database, not
    Redis, so pages still open (and show the outage) while Redis is away."""

    id = Serial(primary_key=True)

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()                  # sign-in: the absolute lifetime counts from here
    seen_at = Timestamptz(index=True)           # the last request, to within a minute: the idle timeout


class ForgottenFile(Table):
    """A library file whose photo was purged from the trash but left on disk: a rescan skips its path while
    its content hash is unchanged, so the trash does not bring it back."""

    id = Serial(primary_key=True)

    library = ForeignKey(Library, on_delete=OnDelete.cascade)
    original_path = Text()
    content_hash = Varchar(length=64)
    forgotten_at = Timestamptz()


class Album(Table):
    """A user's album: photos from any library they see, a cover, and how it sorts."""

    id = Serial(primary_key=True)

    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    cover = ForeignKey(Photo, null=True, default=None, on_delete=OnDelete.set_null)
    sort_order = Varchar(length=20, default="date_desc")    # "date_desc" | "date_asc" | "manual"
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AlbumPhoto(Table):
    """A photo in an album: its place in the manual order, and who added it (a user, or a guest by name)."""

    id = Serial(primary_key=True)

    album = ForeignKey(Album, on_delete=OnDelete.cascade)
    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)
    added_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    guest_name = Varchar(length=100, default="")
    added_at = Timestamptz()


class AlbumMember(Table):
    """A user of this instance an album is shared with: "viewer" sees it, "contributor" also adds photos."""

    id = Serial(primary_key=True)

    album = ForeignKey(Album, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=20, default="viewer")


class ShareLink(Table):
    """A public link to a photo, a selection (share_link_photo) or an album: what it lets a stranger do."""

    id = Serial(primary_key=True)

    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    token = Varchar(length=64, unique=True)     # secrets.token_urlsafe, or the owner's custom slug
    album = ForeignKey(Album, null=True, default=None, on_delete=OnDelete.cascade)
    title = Varchar(length=200, default="")
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)     # None: never, a deliberate choice
    password_hash = Text(null=True, default=None)         # argon2
    download = Varchar(length=20, default="none")         # "none" | "display" | "original"
    show_metadata = Boolean(default=False)
    show_location = Boolean(default=False)
    max_views = Integer(null=True, default=None)
    views = Integer(default=0)
    last_viewed_at = Timestamptz(null=True, default=None)
    allow_upload = Boolean(default=False)                 # guests add photos to the shared album
    revoked_at = Timestamptz(null=True, default=None)


class ShareLinkPhoto(Table):
    """A photo a photo or selection link shows."""

    id = Serial(primary_key=True)

    share_link = ForeignKey(ShareLink, on_delete=OnDelete.cascade)
    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)


class PhotoFavourite(Table):
    """A user's heart on a photo: favourites are each viewer's own, not the library's."""

    id = Serial(primary_key=True)

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()


# The tallies come first, so a test's clean-up (reversed order) empties them after the runs they count.
TABLES: tuple[type[Table], ...] = (
    StepTally, PhotoProgress, LibraryTally,
    User, Library, LibraryFolder, Membership, ApiToken, Photo, PhotoFile, Tag, PhotoTag, StepRun,
    StepTry, ClassifierSetting, JobPause, JobSetting, ServiceOutage, UserSession,
    ForgottenFile, Album, AlbumPhoto, AlbumMember, ShareLink, ShareLinkPhoto, PhotoFavourite,
)


# table -> the column tuples that are unique together (the migration creates one unique index each)
UNIQUE_KEYS: dict[type[Table], tuple[tuple[str, ...], ...]] = {
    LibraryFolder: (("library", "path"),),
    Membership: (("user", "library"),),
    Photo: (("library", "content_hash"),),
    PhotoFile: (("photo", "kind", "size_name"),),
    PhotoTag: (("photo", "tag", "source"),),
    StepRun: (("photo", "step", "version"),),
    ForgottenFile: (("library", "original_path"),),
    AlbumPhoto: (("album", "photo"),),
    AlbumMember: (("album", "user"),),
    ShareLinkPhoto: (("share_link", "photo"),),
    PhotoFavourite: (("user", "photo"),),
}
