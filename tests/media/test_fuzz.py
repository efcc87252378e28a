"""Mutated corpus files (flipped bytes, cut tails, both) make the decoders raise only our error types.

A bounded, seeded run: 300 cases on the fixture subset, 600 on the full corpus, or
PHOTONIX_FUZZ_CASES. `python -m tests.fuzzing --cases 5000` runs a long one by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests import corpus, fuzzing

SEED = 10
CASES = int(os.environ.get("PHOTONIX_FUZZ_CASES") or (600 if corpus.is_full_corpus() else 300))


def test_mutated_photos_raise_only_our_errors_naming_the_file(tmp_path: Path) -> None:
    cases = fuzzing.make_cases(CASES, SEED, fuzzing.corpus_files())
    findings = fuzzing.run_cases(cases, tmp_path)
    assert not findings, (f"{len(findings)} of {len(cases)} cases escaped our errors:\n"
                          f"{fuzzing.summary(findings)}")


def test_mutation_is_deterministic_and_changes_the_file() -> None:
    data = bytes(range(256)) * 64
    assert fuzzing.mutated(data, 7) == fuzzing.mutated(data, 7)
    assert all(fuzzing.mutated(data, seed)[1] != data for seed in range(50))
    assert {fuzzing.mutated(data, seed)[0] for seed in range(50)} == set(fuzzing.MUTATIONS)
