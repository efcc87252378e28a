"""What every classifier is: a name, a version, an availability, and classify() from inputs to scored tags."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from photonix.media.metadata import Metadata


@dataclass(frozen=True, slots=True)
class ScoredTag:
    """One tag a classifier proposes. `parent` names the enclosing tag of the same kind (a city's country)."""

    kind: str            # "color" | "location" | "event" | "object" | "person"
    name: str
    score: float         # 0..1, how strongly the tag applies
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class ClassifierInput:
    """What a classifier may look at: the photo's metadata and, once rendered, a small oriented thumbnail."""

    metadata: Metadata
    thumbnail: Path | None


class Classifier(Protocol):
    """A classifier is pure: no DB, no Redis. It runs inside the worker's process pool."""

    name: str            # short, stable: the pipeline step is f"classify_{name}"
    version: int         # bump to have photos reclassified
    needs_thumbnail: bool

    def unavailable_reason(self) -> str | None:
        """None when ready; otherwise why not (e.g. "model not installed: …")."""

    def skip_reason(self, given: ClassifierInput) -> str | None:
        """Why classify() would skip this photo (no GPS, no date…), or None. Cheap, no pixels: the worker
        asks before sending the photo to its process pool."""

    def classify(self, given: ClassifierInput) -> list[ScoredTag]:
        """Scored tags for one photo; raises StepSkipped when its input is missing (no GPS, no date)."""
