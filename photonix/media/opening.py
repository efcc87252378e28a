"""Open a photo with Pillow (HEIF/AVIF included), decode it fully, orient it upright, make it RGB."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageOps, features

from photonix.media.failures import check_pixel_limit, pillow_errors

# Set explicitly rather than trusting Pillow's default; anything larger is refused as a bomb.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

pillow_heif.register_heif_opener()
if not features.check("avif") and hasattr(pillow_heif, "register_avif_opener"):
    pillow_heif.register_avif_opener()

# What Image.getexif / ImageOps.exif_transpose raise on a corrupt EXIF block.
EXIF_ERRORS: tuple[type[Exception], ...] = (
    OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, KeyError, TypeError,
    ZeroDivisionError,
)

WHITE = (255, 255, 255)


def open_oriented(path: Path, *, min_size: int | None = None) -> Image.Image:
    """The decoded first frame of path, upright, in RGB; min_size lets a JPEG decode at a reduced scale."""
    with pillow_errors(path), Image.open(path) as im:
        check_pixel_limit(im, path)
        if min_size is not None:
            im.draft("RGB", (min_size, min_size))   # JPEG only: decode at 1/2, 1/4 or 1/8 scale
        im.load()                                    # a truncated file fails here, as it should
        upright = upright_or_as_stored(im)
        return as_rgb(upright)


def upright_or_as_stored(im: Image.Image) -> Image.Image:
    """The image turned by its EXIF orientation; a corrupt EXIF block leaves it as stored."""
    try:
        return ImageOps.exif_transpose(im)
    except EXIF_ERRORS:
        return im.copy()


def as_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is flattened onto white."""
    if im.mode == "RGB":
        return im
    if im.mode.startswith(("I;16", "I", "F")):
        return sixteen_bit_as_rgb(im)
    if im.mode in ("RGBA", "LA", "La", "RGBa", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, WHITE + (255,))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return im.convert("RGB")


def sixteen_bit_as_rgb(im: Image.Image) -> Image.Image:
    """A 16-bit (or 32-bit integer/float) grayscale image scaled down to 8 bits, as RGB."""
    pixels = np.asarray(im)
    if im.mode == "F":
        low, high = float(pixels.min()), float(pixels.max())
        scaled = (pixels - low) * (255.0 / (high - low)) if high > low else np.zeros_like(pixels)
    else:
        scaled = np.clip(pixels.astype(np.int64), 0, 65535) >> 8
    return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
