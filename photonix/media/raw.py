"""Camera RAW through LibRaw (rawpy): check it can be read, and develop it into an upright JPEG."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rawpy
from PIL import Image

from photonix.errors import CorruptRaw, PhotonixError, TooLargeToDecode
from photonix.media.budget import check_decode_budget, check_file_budget
from photonix.media.failures import DECODER_ERRORS, file_errors, reason
from photonix.media.photofile import PhotoFile
from photonix.media.storage import atomic_output

JPEG_QUALITY = 90
# What developing takes per sensor pixel: the file itself, which LibRaw reads from memory (2 at most,
# an uncompressed 16-bit mosaic), the 16-bit mosaic (2), LibRaw's 4 x 16-bit working image (8, a quarter
# of it at half size) and our 8-bit RGB copy (3, a quarter at half size).
HALF_SIZE_BYTES_PER_PIXEL = 7
FULL_SIZE_BYTES_PER_PIXEL = 15

# What reading a file LibRaw cannot make sense of raises besides LibRawError, caught as one tuple.
_READ_ERRORS: tuple[type[Exception], ...] = (OSError, *DECODER_ERRORS)

# LibRaw's flip (sizes.flip) as the EXIF orientation it stands for.
ORIENTATION_OF_FLIP: dict[int, int] = {0: 1, 3: 3, 5: 8, 6: 6}


@dataclass(frozen=True, slots=True)
class RawInfo:
    """What LibRaw reports about a RAW file without developing it."""

    width: int          # as stored, before LibRaw's flip
    height: int
    orientation: int    # EXIF 1..8 derived from LibRaw's flip


def read_raw_info(source: PhotoFile) -> RawInfo:
    """Size and orientation of a RAW file; unpacks the sensor data so a damaged file fails here."""
    with libraw_errors(source.path), libraw_opened(source) as raw:
        sizes = raw.sizes
        raw.unpack()
        return RawInfo(sizes.width, sizes.height, ORIENTATION_OF_FLIP.get(sizes.flip, 1))


def render_raw(source: PhotoFile, dest: Path, *, half_size: bool = True) -> tuple[int, int]:
    """Develop source (camera white balance, LibRaw's own flip) into a JPEG at dest; returns its size."""
    with libraw_errors(source.path), libraw_opened(source) as raw:
        sizes = raw.sizes
        check_decode_budget(source.path, sizes.raw_width, sizes.raw_height,
                            HALF_SIZE_BYTES_PER_PIXEL if half_size else FULL_SIZE_BYTES_PER_PIXEL)
        rgb = raw.postprocess(use_camera_wb=True, output_bps=8, half_size=half_size)
    image = Image.fromarray(rgb, "RGB")
    with atomic_output(dest) as temp:
        image.save(temp, format="JPEG", quality=JPEG_QUALITY)
    return image.size


@contextmanager
def libraw_opened(source: PhotoFile) -> Iterator[rawpy.RawPy]:
    """source opened by LibRaw from the held descriptor: rawpy reads a file object whole into memory, so a
    file that alone is over the decode budget is refused before it is read."""
    check_file_budget(source.path, source.stat().st_size)
    with source.open() as f, rawpy.imread(f) as raw:
        yield raw


@contextmanager
def libraw_errors(path: Path) -> Iterator[None]:
    """Translate LibRaw's exceptions into CorruptRaw (and OS errors into ours) naming the file."""
    try:
        with file_errors(path):
            yield
    except PhotonixError:
        raise
    except rawpy.LibRawError as exc:
        raise CorruptRaw(f"{path.name}: LibRaw cannot read this RAW file ({libraw_reason(exc)})") from exc
    except MemoryError as exc:
        raise TooLargeToDecode(f"{path.name}: ran out of memory developing this RAW file") from exc
    except _READ_ERRORS as exc:
        raise CorruptRaw(f"{path.name}: LibRaw cannot read this RAW file ({reason(exc, path)})") from exc


def libraw_reason(exc: rawpy.LibRawError) -> str:
    """LibRaw's message as text (rawpy often passes it as bytes)."""
    reason = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return str(reason) or type(exc).__name__
