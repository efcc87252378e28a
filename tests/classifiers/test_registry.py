"""The classifier registry and the pool entry point: names, the Protocol, and a real process pool."""

from __future__ import annotations

import ast
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

import photonix.classifiers
from photonix.classifiers import CLASSIFIERS, classifier_named
from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.classifiers.running import run_classifier
from photonix.errors import StepSkipped
from photonix.media.metadata import Metadata

MakeMetadata = Callable[..., Metadata]             # the conftest `metadata` fixture

PACKAGE_DIR = Path(photonix.classifiers.__file__).parent


def test_registry_holds_color_location_and_event() -> None:
    assert [c.name for c in CLASSIFIERS] == ["color", "location", "event"]


def test_every_classifier_meets_the_protocol() -> None:
    for classifier in CLASSIFIERS:
        assert isinstance(classifier.name, str) and classifier.name.isidentifier()
        assert isinstance(classifier.version, int) and classifier.version >= 1
        assert isinstance(classifier.needs_thumbnail, bool)
        assert classifier.unavailable_reason() is None
        assert callable(classifier.classify)


def test_only_the_colour_classifier_needs_a_thumbnail() -> None:
    assert {c.name for c in CLASSIFIERS if c.needs_thumbnail} == {"color"}


def test_classifier_named_finds_the_registered_instance() -> None:
    assert classifier_named("event") is CLASSIFIERS[2]


def test_unknown_classifier_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        classifier_named("faces-from-the-future")


def test_classifiers_import_nothing_from_jobs_web_or_db() -> None:
    upward = ("photonix.jobs", "photonix.web", "photonix.db")
    for path in PACKAGE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.startswith(upward)], path.name


def test_run_classifier_works_across_a_process_pool(tmp_path: Path, metadata: MakeMetadata) -> None:
    thumbnail = tmp_path / "thumb.png"
    Image.new("RGB", (32, 32), (255, 0, 0)).save(thumbnail)
    easter_in_vernier = metadata(taken_at=datetime(2024, 3, 31), gps_lat=46.217, gps_lon=6.085)
    given = ClassifierInput(easter_in_vernier, thumbnail)
    with ProcessPoolExecutor(max_workers=1) as pool:
        results = {name: pool.submit(run_classifier, name, given).result()
                   for name in ("color", "location", "event")}
    assert results["color"] == [ScoredTag(kind="color", name="Red", score=1.0)]
    assert [t.name for t in results["location"]] == ["Switzerland", "Genève"]
    assert "Easter" in [t.name for t in results["event"]]


def test_skip_reason_survives_the_process_pool(metadata: MakeMetadata) -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(run_classifier, "location", ClassifierInput(metadata(), thumbnail=None))
        with pytest.raises(StepSkipped, match="no GPS position in this photo"):
            future.result()
