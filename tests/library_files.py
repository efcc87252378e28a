"""Put test files where import reads them: inside a library folder, as a person or a sync tool would."""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Iterable
from pathlib import Path

from arq import ArqRedis

from photonix.db import accounts
from photonix.jobs.flow import Chain
from photonix.jobs.importer import ImportReport, import_paths
from photonix.jobs.pipeline import PIPELINE


def placed(folder: Path, files: Iterable[Path]) -> list[Path]:
    """Each file as a copy inside folder (a file already inside stays where it is, and placing the same file
    twice gives the same copy, as a re-import expects); different files never share a name."""
    inside = []
    for file in files:
        if file.resolve().is_relative_to(folder.resolve()):
            inside.append(file)
            continue
        dest, n = folder / file.name, 1
        while dest.exists() and not filecmp.cmp(file, dest, shallow=False):
            dest, n = folder / f"{file.stem}-{n}{file.suffix}", n + 1
        if not dest.exists():
            shutil.copyfile(file, dest)
        inside.append(dest)
    return inside


async def import_into(redis: ArqRedis, library_id: int, files: Iterable[Path],
                      pipeline: Chain = PIPELINE) -> ImportReport:
    """Import files into the library the way a scan finds them: copied into its first folder."""
    library = await accounts.library_by_id(library_id)
    assert library is not None and library.folders, "the library needs a folder to import into"
    return await import_paths(redis, pipeline, library_id, placed(library.folders[0], files))
