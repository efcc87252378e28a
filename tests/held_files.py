"""Run a media reader on a file the way the pipeline does: held open without following a link (its folder
the only root), every decoder reading that descriptor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from photonix.media.contained import FileRoots, contained_file
from photonix.media.photofile import PhotoFile

P = ParamSpec("P")
T = TypeVar("T")


def read(reader: Callable[Concatenate[PhotoFile, P], T], path: Path, *args: P.args, **kwargs: P.kwargs) -> T:
    """reader(the file at path, held open, *args, **kwargs)."""
    with contained_file(path, FileRoots((path.parent,))) as source:
        return reader(source, *args, **kwargs)
