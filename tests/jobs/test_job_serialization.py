"""Jobs travel through Redis as msgpack: a pickle planted there is refused, never run."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import msgspec
from arq.constants import default_queue_name, job_key_prefix
from arq.jobs import Job

from photonix.jobs import flow
from photonix.jobs.queue import deserialize_job
from tests import corpus


class PlantedCode:
    """Unpickling this creates a file: proof that a Redis writer ran code in the worker."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.touch, (self.marker,))


async def test_pickled_job_planted_in_redis_is_refused_not_executed(redis, worker, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"t": 1, "f": "extract_metadata", "a": [PlantedCode(marker), 1, True], "k": {},
                            "et": int(time.time() * 1000)})
    await redis.set(job_key_prefix + "planted", payload)
    await redis.zadd(default_queue_name, {"planted": int(time.time() * 1000)})
    await worker().main()
    assert not marker.exists()
    result = await Job("planted", redis, _deserializer=deserialize_job).result_info()
    assert result is not None and result.success is False


async def test_enqueued_steps_are_msgpack(import_files, redis) -> None:
    report = await import_files([corpus.rows(expected="ok", folder="orientation")[0].file])
    job = flow.job_id("extract_metadata", report.new_photo_ids[0], 1)
    stored = msgspec.msgpack.decode(await redis.get(job_key_prefix + job))
    assert stored["f"] == "extract_metadata" and stored["a"] == [report.new_photo_ids[0], 1, True]
