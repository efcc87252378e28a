"""Render a photo's thumbnails (square and medium WebP, large JPEG) and its RGB histogram, from one decode."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from photonix.media.opening import open_oriented
from photonix.media.photofile import PhotoFile
from photonix.media.storage import atomic_output

WEBP_QUALITY = 80
WEBP_METHOD = 2                  # 0 (fast) .. 6 (small): 2 is 2.5x faster than 4 for 5% more bytes
JPEG_QUALITY = 85
# The grid loads many small thumbnails, so they are WebP (a third of JPEG's bytes). The large preview
# is opened one at a time, and WebP costs ~10x JPEG's encode time at 1920 px (78 vs 8 ms): JPEG, as
# Immich does for its previews.
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "WEBP": {"quality": WEBP_QUALITY, "method": WEBP_METHOD},
    "JPEG": {"quality": JPEG_QUALITY},
}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg"}
HISTOGRAM_BINS = 64
HISTOGRAM_SOURCE = "medium"
KEY_PATTERN = re.compile(r"[0-9a-f]{2,128}")


@dataclass(frozen=True, slots=True)
class ThumbnailSpec:
    """One thumbnail size: its name, its long edge in pixels, and whether it is cropped square."""

    name: str
    long_edge: int
    is_square: bool = False
    format: str = "WEBP"


THUMBNAIL_SIZES: tuple[ThumbnailSpec, ...] = (
    ThumbnailSpec("square", 256, is_square=True),
    ThumbnailSpec("medium", 720),
    ThumbnailSpec("large", 1920, format="JPEG"),
)


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """One rendered thumbnail file."""

    size: str
    path: Path
    width: int
    height: int


Histogram = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class RenderedThumbnails:
    """Every thumbnail of one photo (in THUMBNAIL_SIZES order) and its 64-bin R, G, B histograms."""

    thumbnails: tuple[Thumbnail, ...]
    histogram: Histogram        # each channel scaled so its fullest bin is 255


def thumbnail_path(out_dir: Path, key: str, size: str) -> Path:
    """Where the size thumbnail of the photo with content hash key lives."""
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"thumbnail key must be a lower-case hex content hash, got {key!r}")
    spec = next(spec for spec in THUMBNAIL_SIZES if spec.name == size)
    return out_dir / key[:2] / f"{key}_{size}.{EXTENSIONS[spec.format]}"


def render_thumbnails(source: PhotoFile, out_dir: Path, key: str) -> RenderedThumbnails:
    """Decode source once, scale it down largest size first, and write each thumbnail atomically."""
    destinations = {spec.name: thumbnail_path(out_dir, key, spec.name) for spec in THUMBNAIL_SIZES}
    image = open_oriented(source, min_size=max(spec.long_edge for spec in THUMBNAIL_SIZES))
    rendered: dict[str, Image.Image] = {}
    scaled = [image]                                   # each scaled from the previous, largest first
    for spec in sorted(THUMBNAIL_SIZES, key=lambda spec: spec.long_edge, reverse=True):
        if spec.is_square:
            rendered[spec.name] = square_crop(covering(scaled, spec.long_edge), spec.long_edge)
        else:
            scaled.append(fit_within(scaled[-1], spec.long_edge))
            rendered[spec.name] = scaled[-1]
    thumbnails = tuple(
        write_thumbnail(rendered[spec.name], destinations[spec.name], spec)
        for spec in THUMBNAIL_SIZES
    )
    return RenderedThumbnails(thumbnails, histogram_of(rendered.get(HISTOGRAM_SOURCE, image)))


def fit_within(im: Image.Image, long_edge: int) -> Image.Image:
    """im scaled so its long edge is at most long_edge; never upscaled."""
    scale = long_edge / max(im.size)
    if scale >= 1:
        return im
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    # What Image.thumbnail does: a fast integer reduce first, then bicubic; visually the same as
    # Lanczos at thumbnail sizes and about twice as fast.
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def covering(scaled: list[Image.Image], side: int) -> Image.Image:
    """The smallest of the scaled images whose short edge still covers side (else the first, the decode)."""
    return next((im for im in reversed(scaled) if min(im.size) >= side), scaled[0])


def square_crop(im: Image.Image, side: int) -> Image.Image:
    """The centred square of im, scaled to side pixels (or less, if im is smaller)."""
    edge = min(im.size)
    left, top = (im.width - edge) // 2, (im.height - edge) // 2
    square = im.crop((left, top, left + edge, top + edge))
    return fit_within(square, side)


def write_thumbnail(im: Image.Image, dest: Path, spec: ThumbnailSpec) -> Thumbnail:
    """Save im in the spec's format at dest via a temp file, and describe it."""
    with atomic_output(dest) as temp:
        im.save(temp, format=spec.format, **SAVE_OPTIONS[spec.format])
    return Thumbnail(spec.name, dest, im.width, im.height)


def histogram_of(im: Image.Image) -> Histogram:
    """64-bin histograms of R, G and B, each scaled so its fullest bin is 255."""
    counts = im.histogram()                      # 3 x 256 counts for an RGB image
    per_bin = 256 // HISTOGRAM_BINS
    channels = []
    for channel in range(3):
        values = counts[channel * 256:(channel + 1) * 256]
        bins = [sum(values[start:start + per_bin]) for start in range(0, 256, per_bin)]
        peak = max(bins) or 1
        channels.append(tuple(round(count * 255 / peak) for count in bins))
    return channels[0], channels[1], channels[2]
