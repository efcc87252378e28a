"""A mutation fuzzer for the decoders: flip bytes in and cut corpus files, then read and thumbnail them.

Each case is (corpus file, seed); the mutated bytes are rebuilt from the seed in the process that runs
the case, so a finding is reproducible from its case alone. Cases run in spawned processes: a native
decoder that crashes kills its process, not pytest, and the case is reported as a crash.

    python -m tests.fuzzing --cases 5000 [--seed 10] [--workers 2]   # a long run over the corpus
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from tests import corpus

MUTATIONS = ("flip", "cut", "both")
MAX_FLIPS = 16
HEADER_BYTES = 4096           # half the flips land here, where parsers make their decisions
BATCH = 8
MEMORY_MB = 3072              # PHOTONIX_WORKER_MEMORY_MB's smallest default


@dataclass(frozen=True, slots=True)
class Case:
    """One fuzz case: which corpus file to mutate, and the seed that decides how."""

    number: int
    source: str                # path of the original, absolute
    seed: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A case that raised something other than our error types, or killed its process."""

    case: Case
    mutation: str
    function: str
    error: str

    def __str__(self) -> str:
        return (f"case {self.case.number} ({Path(self.case.source).name}, seed {self.case.seed}, "
                f"{self.mutation}) in {self.function}: {self.error}")


def mutated(data: bytes, seed: int) -> tuple[str, bytes]:
    """The bytes of data with some flipped, a tail cut off, or both; and a word saying which."""
    rng = random.Random(seed)
    kind = rng.choice(MUTATIONS)
    out = bytearray(data)
    if kind in ("flip", "both") and out:
        for _ in range(rng.randint(1, MAX_FLIPS)):
            span = min(len(out), HEADER_BYTES) if rng.random() < 0.5 else len(out)
            out[rng.randrange(span)] ^= rng.randrange(1, 256)
    if kind in ("cut", "both") and len(out) > 1:
        del out[rng.randrange(1, len(out)):]
    return kind, bytes(out)


def make_cases(count: int, seed: int, files: Sequence[Path]) -> list[Case]:
    """count cases spread over files, deterministic for a given seed."""
    rng = random.Random(seed)
    return [Case(number, str(rng.choice(files)), rng.randrange(2**32)) for number in range(count)]


def corpus_files() -> list[Path]:
    """Every file of the corpus manifest, good and bad."""
    return sorted({row.file for row in corpus.all_rows() if row.file.is_file()})


def run_case(case: Case, work_dir: Path) -> list[Finding]:
    """Read the metadata of and thumbnail one mutated file; what escapes our error types is a finding."""
    from photonix.errors import PhotonixError
    from photonix.media.exif import read_metadata
    from photonix.media.formats import is_raw_path
    from photonix.media.raw import render_raw
    from photonix.media.thumbnails import render_thumbnails
    from tests.held_files import read

    source = Path(case.source)
    kind, data = mutated(source.read_bytes(), case.seed)
    folder = work_dir / f"case{case.number}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    target.write_bytes(data)

    def pixels() -> object:
        if is_raw_path(target):
            render = folder / "render.jpg"
            read(render_raw, target, render)
            return read(render_thumbnails, render, folder / "thumbs", "ab12")
        return read(render_thumbnails, target, folder / "thumbs", "ab12")

    findings = []
    for name, function in (("read_metadata", lambda: read(read_metadata, target)), ("thumbnails", pixels)):
        try:
            function()
        except PhotonixError as exc:
            message = str(exc)
            if not message.startswith(f"{target.name}: ") or str(folder) in message:
                findings.append(Finding(case, kind, name,
                                        f"message does not name just the file: {message!r}"))
        except BaseException as exc:  # everything that is not ours is the finding
            findings.append(Finding(case, kind, name,
                                    f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"))
    return findings


def run_batch(cases: Sequence[Case], work_dir: str) -> list[Finding]:
    """Run cases one after the other in this process, cleaning each one's files afterwards."""
    import shutil

    findings = []
    for case in cases:
        findings.extend(run_case(case, Path(work_dir)))
        shutil.rmtree(Path(work_dir) / f"case{case.number}", ignore_errors=True)
    return findings


def new_executor(workers: int) -> ProcessPoolExecutor:
    """Processes like the worker's pool: spawned, their memory capped as PHOTONIX_WORKER_MEMORY_MB does."""
    from photonix.jobs.pool import new_pool

    return new_pool(workers, memory_mb=MEMORY_MB)


def run_cases(cases: Sequence[Case], work_dir: Path, workers: int = 2) -> list[Finding]:
    """Every finding of cases, run in batches in worker processes; a dead process is a crash finding.

    Only `workers` batches are in flight at a time, so a process that dies takes down only those;
    their cases then run one by one, each in a fresh process, to name the case that killed it."""
    pending = [list(cases[start:start + BATCH]) for start in range(0, len(cases), BATCH)]
    pending.reverse()
    findings: list[Finding] = []
    suspects: list[Case] = []
    executor = new_executor(workers)
    in_flight: dict[Future[list[Finding]], list[Case]] = {}
    try:
        while pending or in_flight:
            while pending and len(in_flight) < workers:
                batch = pending.pop()
                in_flight[executor.submit(run_batch, batch, str(work_dir))] = batch
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            if any(isinstance(future.exception(), BrokenProcessPool) for future in done):
                for future, batch in in_flight.items():
                    if future.done() and not isinstance(future.exception(), BrokenProcessPool):
                        findings.extend(future.result())
                    else:
                        suspects.extend(batch)
                in_flight.clear()
                executor.shutdown(wait=True, cancel_futures=True)
                executor = new_executor(workers)
                continue
            for future in done:
                findings.extend(future.result())
                del in_flight[future]
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for case in suspects:
        findings.extend(run_alone(case, work_dir))
    return sorted(findings, key=lambda finding: finding.case.number)


def run_alone(case: Case, work_dir: Path) -> list[Finding]:
    executor = new_executor(1)
    try:
        return executor.submit(run_batch, [case], str(work_dir)).result()
    except BrokenProcessPool as exc:
        kind, _ = mutated(Path(case.source).read_bytes(), case.seed)
        return [Finding(case, kind, "process", f"the decoding process died ({exc})")]
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def summary(findings: Iterable[Finding]) -> str:
    return "\n".join(str(finding) for finding in findings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    files = corpus_files()
    cases = make_cases(args.cases, args.seed, files)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        findings = run_cases(cases, Path(work), args.workers)
    print(summary(findings))
    print(f"{len(cases)} cases over {len(files)} files of {corpus.CORPUS}: {len(findings)} findings "
          f"in {len({f.case.number for f in findings})} cases, {time.perf_counter() - started:.0f} s")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
