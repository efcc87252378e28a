"""The one function the worker sends to its process pool to run a classifier."""

from __future__ import annotations

from photonix.classifiers import classifier_named
from photonix.classifiers.base import Classifier, ClassifierInput, ScoredTag
from photonix.errors import StepDisabled


def run_classifier(classifier: str | Classifier, given: ClassifierInput) -> list[ScoredTag]:
    """Tags from a classifier; module-level so ProcessPoolExecutor can pickle it.

    A registered classifier crosses the process boundary by name only: each pool process has its own
    registry instances, which load their data on first use and keep it for the life of that process.
    An unregistered one (a plug-in, or a test's) is pickled whole."""
    chosen = classifier_named(classifier) if isinstance(classifier, str) else classifier
    reason = chosen.unavailable_reason()
    if reason is not None:                  # e.g. a model file not installed: skip, saying which
        raise StepDisabled(reason)
    return chosen.classify(given)
