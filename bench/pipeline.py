"""Pipeline throughput against the Pillow floor, measured in the same run (a benchmark, not a test).

Generates N distinct 24 MP JPEGs, then measures photos/s of:
  floor        a bare Pillow loop (draft decode, thumbnail 1920/720/256) in a pool of P processes
  floor+encode the same loop also encoding the three thumbnails in memory, in our formats
  pipeline     `photonix import` into a fresh SQLite (or PHOTONIX_BENCH_DATABASE_URL) with W real
               `photonix worker` processes on an embedded Redis, timed from enqueue to the last step
and prints pipeline ÷ floor, the median over rounds (this machine is shared and noisy).
Usage: .venv/bin/python bench/pipeline.py [--photos 120] [--workers 2] [--pool N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from photonix.config import Settings
from photonix.db import accounts, engine, stepruns
from photonix.db.tables import StepRun
from photonix.jobs.embedded_redis import start_embedded_redis
from photonix.jobs.importer import import_folder
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.logs import configure_logging
from photonix.media.thumbnails import SAVE_OPTIONS, THUMBNAIL_SIZES

WIDTH, HEIGHT = 6000, 4000          # 24 MP


def make_photos(folder: Path, count: int) -> None:
    """One photo-like 24 MP JPEG, then copies made distinct by trailing bytes (decoders ignore them)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    base = np.stack([(x / WIDTH) * 200, (y / HEIGHT) * 180, ((x + y) / (WIDTH + HEIGHT)) * 220], axis=-1)
    noisy = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    for index in range(count):
        (folder / f"photo_{index:04d}.jpg").write_bytes(data + f"copy {index}".encode())


def floor_one(path: str, encode: bool) -> None:
    with Image.open(path) as im:
        im.draft("RGB", (1920, 1920))
        im.load()
        large = im.copy()
    large.thumbnail((1920, 1920))
    medium = large.copy()
    medium.thumbnail((720, 720))
    side = min(medium.size)
    square = medium.crop((0, 0, side, side)).resize((256, 256))
    if encode:
        for thumb, spec in zip((square, medium, large), THUMBNAIL_SIZES, strict=True):
            thumb.save(io.BytesIO(), spec.format, **SAVE_OPTIONS[spec.format])


def floor_rate(paths: list[Path], processes: int, encode: bool) -> float:
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(floor_one, [str(paths[0])] * processes, [encode] * processes))   # warm up
        started = time.perf_counter()
        list(pool.map(floor_one, [str(p) for p in paths], [encode] * len(paths)))
        return len(paths) / (time.perf_counter() - started)


def wait_until_started(proc: subprocess.Popen[str]) -> None:
    """Read the worker's log until it says it started; then keep draining it so it never blocks."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if '"worker_started"' in line:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return
    raise SystemExit("a worker exited before it started")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def pipeline_rate(folder: Path, data_dir: Path, workers: int, pool_processes: int) -> float:
    cpu_before = children_cpu_seconds()
    embedded = start_embedded_redis(data_dir)
    env = {**os.environ, "PHOTONIX_DATA_DIR": str(data_dir), "PHOTONIX_REDIS_URL": embedded.url,
           "PHOTONIX_POOL_PROCESSES": str(pool_processes), "PHOTONIX_LOG_LEVEL": "info",
           "PHOTONIX_RESCAN_SECONDS": "0"}
    if os.environ.get("PHOTONIX_BENCH_DATABASE_URL"):
        env["PHOTONIX_DATABASE_URL"] = os.environ["PHOTONIX_BENCH_DATABASE_URL"]
    settings = Settings.from_env(env)
    bound = engine.bind(settings)
    await engine.migrate(settings)
    await engine.open_pool(bound)
    procs = [subprocess.Popen([sys.executable, "-m", "photonix", "worker"], env=env, text=True,
                              stderr=subprocess.PIPE) for _ in range(workers)]
    try:
        # The clock starts once every worker has started its pool and loaded classifier data.
        await asyncio.gather(*(asyncio.to_thread(wait_until_started, proc) for proc in procs))
        redis = await connect(settings)
        library_id = await accounts.create_library(f"bench-{time.time_ns()}", [folder])
        started = time.perf_counter()
        report = await import_folder(redis, PIPELINE, library_id, folder)
        total = len(report.new_photo_ids) * len(PIPELINE.step_names())
        while await StepRun.count().where(StepRun.state.is_in(["done", "skipped", "failed"])) < total:
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - started
        failed = await StepRun.count().where(StepRun.state == "failed")
        if failed:
            raise SystemExit(f"{failed} steps failed during the benchmark")
        await redis.aclose()
        for step, seconds in sorted((await stepruns.mean_durations()).items()):
            print(f"  mean {step:<20} {seconds * 1000:7.1f} ms")
        return len(report.new_photo_ids) / elapsed
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        print(f"  worker + redis CPU (incl. pools): {children_cpu_seconds() - cpu_before:.1f} s")
        await engine.close_pool(bound)
        embedded.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2, help="photonix worker processes")
    parser.add_argument("--pool", type=int, default=os.cpu_count() or 1,
                        help="pool processes per worker (default: cores, as PHOTONIX_POOL_PROCESSES)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="floor and pipeline measured this many times; the median ratio is the result")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-"))
    try:
        folder = work / "photos"
        folder.mkdir()
        make_photos(folder, args.photos)
        paths = sorted(folder.iterdir())
        cpu = args.workers * args.pool
        print(f"photos: {args.photos} x 24 MP JPEG; {args.workers} workers x {args.pool} pool processes; "
              f"{os.cpu_count()} cores; {args.rounds} rounds")
        ratios, encode_ratios = [], []
        for round_number in range(1, args.rounds + 1):
            floor = floor_rate(paths, cpu, encode=False)
            floor_encode = floor_rate(paths, cpu, encode=True)
            # A fresh data dir (database, Redis, derivatives) each round: nothing carries over.
            pipeline = asyncio.run(pipeline_rate(folder, work / f"data-{round_number}", args.workers,
                                                 args.pool))
            ratios.append(pipeline / floor)
            encode_ratios.append(pipeline / floor_encode)
            print(f"round {round_number}: floor (decode+resize, {cpu} processes) {floor:5.2f}/s, "
                  f"floor+encode {floor_encode:5.2f}/s, pipeline {pipeline:5.2f}/s -> "
                  f"ratio {ratios[-1]:.2f} (vs floor+encode {encode_ratios[-1]:.2f})")
        print(f"ratio pipeline / floor, median of {args.rounds}:        {statistics.median(ratios):.2f}")
        print(f"ratio pipeline / floor+encode, median of {args.rounds}: "
              f"{statistics.median(encode_ratios):.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
