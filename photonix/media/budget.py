"""How much memory one decoded image may take in this process, checked before a pixel is decoded."""

from __future__ import annotations

from pathlib import Path

from photonix.errors import TooLargeToDecode

MIB = 1024 * 1024
DEFAULT_DECODE_BUDGET_MB = 1024
_decode_budget = DEFAULT_DECODE_BUDGET_MB * MIB


def set_decode_budget(megabytes: int) -> None:
    """Set this process's budget (the pool initializer does, from PHOTONIX_DECODE_BUDGET_MB)."""
    global _decode_budget
    _decode_budget = megabytes * MIB


def decode_budget() -> int:
    """This process's decode budget, in bytes."""
    return _decode_budget


def pillow_bytes_per_pixel(mode: str) -> int:
    """What Pillow stores per pixel of mode: 1 for 1/L/P, 2 for 16-bit grey, else 4 (even LA)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16") or mode in ("BGR;15", "BGR;16"):
        return 2
    return 4


def check_decode_budget(path: Path, width: int, height: int, per_pixel: int) -> None:
    """Refuse an image whose decode would take more than the budget, naming the file and both sizes."""
    needed = width * height * per_pixel
    if needed > _decode_budget:
        raise TooLargeToDecode(
            f"{path.name}: needs {memory_size(needed)} to decode ({width}x{height} pixels), "
            f"over the {memory_size(_decode_budget)} limit"
        )


def memory_size(size: int) -> str:
    """A byte count for people: 3.2 GB, 850 MB (binary units, as the settings are)."""
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / MIB:.0f} MB"


def check_file_budget(path: Path, size: int) -> None:
    """Refuse a file read whole into memory (a RAW, for LibRaw) that alone is over the budget."""
    if size > _decode_budget:
        raise TooLargeToDecode(f"{path.name}: needs {memory_size(size)} just to read the file, "
                               f"over the {memory_size(_decode_budget)} limit")
