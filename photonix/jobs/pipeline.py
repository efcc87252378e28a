"""The whole per-photo pipeline, declared in one place. Adding a classifier to the registry adds its step."""

from __future__ import annotations

from photonix.classifiers import CLASSIFIERS
from photonix.jobs.flow import Chain, chain, group
from photonix.jobs.tasks import classifier_step, convert_raw, extract_metadata, make_thumbnails

PIPELINE: Chain = chain(
    extract_metadata,
    convert_raw,
    make_thumbnails,
    group(*(classifier_step(classifier) for classifier in CLASSIFIERS)),
)
