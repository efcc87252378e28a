"""Pure classifiers: an image and its metadata in, scored tags out. CLASSIFIERS is the registry."""

from __future__ import annotations

from photonix.classifiers.base import Classifier
from photonix.classifiers.color import ColorClassifier
from photonix.classifiers.event import EventClassifier
from photonix.classifiers.location import LocationClassifier

# The pipeline runs one step per entry (f"classify_{name}") and never names a classifier itself.
CLASSIFIERS: tuple[Classifier, ...] = (ColorClassifier(), LocationClassifier(), EventClassifier())


def classifier_named(name: str) -> Classifier:
    """The registered classifier with this name; KeyError when there is none."""
    for classifier in CLASSIFIERS:
        if classifier.name == name:
            return classifier
    raise KeyError(name)
