"""The whole per-photo pipeline, declared in one place. Adding a classifier to the registry adds its step."""

from __future__ import annotations

from photonix.classifiers import CLASSIFIERS
from photonix.jobs.flow import Chain, chain, group, step
from photonix.jobs.tasks import (
    classifier_step,
    classifier_step_name,
    convert_raw,
    extract_metadata,
    make_thumbnails,
)

PIPELINE: Chain = chain(
    extract_metadata,
    convert_raw,
    make_thumbnails,
    group(*(classifier_step(classifier) for classifier in CLASSIFIERS)),
)


def metadata_steps(pipeline: Chain) -> Chain:
    """extract_metadata and the steps that read nothing but metadata (classifiers without a thumbnail:
    place from GPS, events from the date), in the pipeline's order: what a changed sidecar runs again.

    RAW conversion, thumbnails and the classifiers that look at pixels do not depend on metadata, so
    they are not made again."""
    names = {step(extract_metadata).name}
    names.update(classifier_step_name(c) for c in CLASSIFIERS if not c.needs_thumbnail)
    return pipeline.restricted_to(names)
