"""One thin async function per pipeline step: load from the DB, run the pure function in the pool, save.

`pipeline_step` turns each into its ARQ function; the function's name is the step's name everywhere."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from photonix.classifiers import CLASSIFIERS
from photonix.classifiers.base import Classifier, ClassifierInput
from photonix.classifiers.running import run_classifier
from photonix.db import classifier_settings, photos, tags
from photonix.errors import StepDisabled, StepSkipped
from photonix.jobs.flow import Step, step
from photonix.jobs.pool import in_pool
from photonix.jobs.steprun import pipeline_step
from photonix.media.contained import read_contained
from photonix.media.exif import read_metadata
from photonix.media.formats import is_raw_path
from photonix.media.raw import render_raw
from photonix.media.sidecars import signature as sidecar_signature
from photonix.media.thumbnails import render_thumbnails

Context = dict[str, Any]


@pipeline_step
async def extract_metadata(ctx: Context, photo_id: int) -> None:
    source = await photos.source_for(photo_id)
    # The sidecar's state before reading: if it changes meanwhile, the next rescan reads it again.
    sidecar = await asyncio.to_thread(sidecar_signature, source.original_path)
    # In the pool, never a thread: exifread's HEIC reader is not thread-safe (it misread a HEIC's
    # box sizes when two ran at once in one process).
    roots = await photos.file_roots(source.library_id, photos.ORIGINAL, ctx["settings"])
    metadata = await in_pool(ctx, read_contained, read_metadata, source.original_path, roots)
    await photos.save_metadata(photo_id, metadata, sidecar)


@pipeline_step
async def convert_raw(ctx: Context, photo_id: int) -> None:
    source = await photos.source_for(photo_id)
    if not is_raw_path(source.original_path):
        raise StepSkipped("not a RAW file")
    settings = ctx["settings"]
    dest = settings.derivatives_dir / "raw" / source.content_hash[:2] / f"{source.content_hash}.jpg"
    develop = partial(render_raw, half_size=settings.raw_half_size)
    roots = await photos.file_roots(source.library_id, photos.ORIGINAL, settings)
    width, height = await in_pool(ctx, read_contained, develop, source.original_path, roots, dest)
    await photos.save_file(photo_id, "raw_render", dest, width=width, height=height)


@pipeline_step
async def make_thumbnails(ctx: Context, photo_id: int) -> None:
    source = await photos.source_for(photo_id)
    render = await photos.file_of(photo_id, "raw_render")
    if render is None and is_raw_path(source.original_path):
        raise StepSkipped("no RAW render to make thumbnails from (convert_raw has not succeeded)")
    pixels = render.path if render else source.original_path
    kind = render.kind if render else photos.ORIGINAL
    roots = await photos.file_roots(source.library_id, kind, ctx["settings"])
    out_dir = ctx["settings"].derivatives_dir / "thumbnails"
    rendered = await in_pool(ctx, read_contained, render_thumbnails, pixels, roots, out_dir,
                             source.content_hash)
    await photos.save_thumbnails(
        photo_id, [(thumb.size, thumb.path, thumb.width, thumb.height) for thumb in rendered.thumbnails]
    )
    await photos.save_histogram(photo_id, [list(channel) for channel in rendered.histogram])


def classifier_step_name(classifier: Classifier) -> str:
    return f"classify_{classifier.name}"


def classifier_step(classifier: Classifier) -> Step:
    """The pipeline step of one classifier: `classify_<name>`, skipped with the reason when unavailable."""

    async def classify(ctx: Context, photo_id: int) -> None:
        # Read per photo, not once per worker: an admin's switch applies to the very next photo.
        if not await classifier_settings.is_enabled(classifier.name):
            raise StepDisabled("turned off in settings")
        thumbnail = (await photos.file_of(photo_id, "thumbnail", "medium")
                     if classifier.needs_thumbnail else None)
        given = ClassifierInput(await photos.metadata_of(photo_id), thumbnail.path if thumbnail else None)
        reason = classifier.skip_reason(given)
        if reason is not None:                 # no need to ship the photo to the pool to learn that
            raise StepSkipped(reason)
        registered = classifier.name if classifier in CLASSIFIERS else classifier
        found = await in_pool(ctx, run_classifier, registered, given)
        await tags.replace_classifier_tags(photo_id, classifier.name, classifier.version, found)

    return step(pipeline_step(classify, name=classifier_step_name(classifier)), version=classifier.version)
