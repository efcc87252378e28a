"""The whole app's memory, idle and while importing, against a bare Python process in the same run (a
benchmark, not a test).

Starts `photonix up` (web, worker and its pool, the embedded Redis) on a fresh data dir with an admin and a
library, then sums the resident memory of every process of its session:
  idle         after start-up has settled (nothing to do)
  importing    the peak while `photonix import --wait` brings in N photos (corpus JPEGs, else fixtures)
  after        idle again once the import is done (what the pool processes keep)
RSS counts a page shared by two processes twice; PSS (from /proc/<pid>/smaps_rollup) shares it out, so the
PSS total is what the app really costs the machine. The floor is one bare Python process that imports the
stack's libraries (Litestar, Piccolo, ARQ): the ratio says how many such processes the app weighs.
Target (issue #13): idle <= 400 MB with the default settings.

Usage: .venv/bin/python bench/memory.py [--photos 24] [--settle 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.serving import free_port

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"
IDLE_TARGET_MB = 400
MIB = 1024 * 1024
FLOOR = "import litestar, piccolo.engine.sqlite, arq, time; print('ready', flush=True); time.sleep(60)"


@dataclass(frozen=True)
class Sample:
    """One moment's memory of a set of processes, MB."""

    rss: float
    pss: float
    by_process: dict[str, float]          # label -> RSS MB


def kib(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def label(pid: int) -> str:
    args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    for word in ("up", "web", "worker"):
        if args.endswith(f"photonix {word}"):
            return word
    if "valkey" in args or "redis" in args:
        return "redis"
    return "pool" if "multiprocessing" in args or " -c " in args else args[:40]


def sample(session: int) -> Sample:
    pids = [int(pid) for pid in subprocess.run(["pgrep", "-s", str(session)], capture_output=True,
                                               text=True, check=False).stdout.split()]
    rss = pss = 0.0
    by_process: dict[str, float] = {}
    for pid in pids:
        try:
            resident = kib(Path(f"/proc/{pid}/status"), "VmRSS") / 1024
            proportional = kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss") / 1024
            name = label(pid)
        except OSError:                      # gone meanwhile
            continue
        rss += resident
        pss += proportional
        by_process[name] = by_process.get(name, 0.0) + resident
    return Sample(rss, pss, by_process)


def floor_mb() -> float:
    """A bare Python process with the stack's libraries imported."""
    process = subprocess.Popen([sys.executable, "-c", FLOOR], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        return kib(Path(f"/proc/{process.pid}/status"), "VmRSS") / 1024
    finally:
        process.kill()
        process.wait()


def photonix(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "photonix", *args], env=env, input=stdin, text=True,
                          capture_output=True, check=False, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"photonix {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def photos_to_import(folder: Path, count: int) -> int:
    source = CORPUS / "good" / "jpeg" if (CORPUS / "good" / "jpeg").is_dir() else FIXTURES
    files = sorted(path for path in source.rglob("*") if path.suffix.lower() in (".jpg", ".jpeg"))[:count]
    for number, path in enumerate(files):
        shutil.copy(path, folder / f"{number:04d}{path.suffix.lower()}")
    return len(files)


def show(name: str, measured: Sample, floor: float) -> None:
    parts = ", ".join(f"{label} {mb:.0f}" for label, mb in sorted(measured.by_process.items()))
    print(f"  {name:<10} RSS {measured.rss:6.0f} MB  PSS {measured.pss:6.0f} MB  "
          f"({measured.pss / floor:.1f}x floor)   by process (RSS MB): {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--settle", type=int, default=15, help="seconds to wait before an idle sample")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-memory-"))
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PHOTONIX_")}
    env.update({"PHOTONIX_DATA_DIR": str(work / "data"), "PHOTONIX_PORT": str(port),
                "PHOTONIX_LOG_LEVEL": "warning"})
    folder = work / "photos"
    folder.mkdir()
    up: subprocess.Popen[str] | None = None
    try:
        floor = floor_mb()
        print(f"floor: a bare Python process with Litestar, Piccolo and ARQ imported: {floor:.0f} MB RSS; "
              f"{os.cpu_count()} cores, default settings")
        photonix(env, "migrate")
        photonix(env, "user", "create", "admin", "--admin", stdin="a long enough password\n" * 2)
        photonix(env, "library", "create", "Photos", "--folder", str(folder), "--owner", "admin")
        up = subprocess.Popen([sys.executable, "-m", "photonix", "up"], env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or up.poll() is not None:
                raise SystemExit("photonix up did not become healthy")
            time.sleep(0.5)
        time.sleep(args.settle)
        idle = sample(up.pid)
        show("idle", idle, floor)

        count = photos_to_import(folder, args.photos)
        importing = subprocess.Popen([sys.executable, "-m", "photonix", "import", str(folder), "--library",
                                      "Photos", "--wait"], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        peak = sample(up.pid)
        while importing.poll() is None:
            now = sample(up.pid)
            if now.pss > peak.pss:
                peak = now
            time.sleep(0.25)
        show("importing", peak, floor)
        print(f"             (peak while importing {count} photos)")
        time.sleep(args.settle)
        after = sample(up.pid)
        show("after", after, floor)
        word = "meets" if idle.pss <= IDLE_TARGET_MB else "MISSES"
        print(f"idle PSS {idle.pss:.0f} MB {word} the {IDLE_TARGET_MB} MB target "
              f"(RSS {idle.rss:.0f} MB; after an import {after.pss:.0f} MB PSS)")
    finally:
        if up is not None:
            subprocess.run(["pkill", "-INT", "-s", str(up.pid)], check=False)
            try:
                up.wait(timeout=60)
            except subprocess.TimeoutExpired:
                subprocess.run(["pkill", "-KILL", "-s", str(up.pid)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
