"""Open a photo with Pillow (HEIF/AVIF included), decode it within a memory budget, orient it upright, make
it RGB.

Memory is the attack surface here: a 26 KB PNG can claim 200 megapixels of 16 bits. So the decoded size
is checked against the budget before a pixel is decoded, the image is reduced as early as the format
allows (JPEG draft mode before decoding, an integer reduce right after), and every conversion uses
Pillow's own modes, each step freeing the one before it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import pillow_heif
from PIL import ExifTags, Image, features

from photonix.errors import UndecodableImage
from photonix.media.budget import check_decode_budget, pillow_bytes_per_pixel
from photonix.media.failures import check_pixel_limit, pillow_errors
from photonix.media.photofile import PhotoFile
from photonix.media.tiff import is_tiff, open_tiff

# Set explicitly rather than trusting Pillow's default; anything larger is refused as a bomb.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

pillow_heif.register_heif_opener()
if not features.check("avif") and hasattr(pillow_heif, "register_avif_opener"):
    pillow_heif.register_avif_opener()

# What Image.getexif raises on a corrupt EXIF block.
EXIF_ERRORS: tuple[type[Exception], ...] = (
    OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, KeyError, TypeError,
    ZeroDivisionError,
)

WHITE = (255, 255, 255)
TRANSPOSE_FOR_ORIENTATION: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
TRANSPARENT_MODES = frozenset({"RGBA", "LA", "La", "RGBa", "PA"})


def open_oriented(source: PhotoFile, *, min_size: int | None = None) -> Image.Image:
    """The decoded first frame of source, upright, in RGB.

    With min_size, the image may come out smaller, its short edge never below min_size: JPEG decodes
    at 1/2, 1/4 or 1/8 scale, and any other format is reduced by an integer factor once decoded.
    A TIFF that Pillow cannot decode (CMYK + alpha, float, 16-bit multi-channel) goes to tifffile."""
    try:
        pixels, orientation = decoded_with_pillow(source, min_size)
    except UndecodableImage:
        if not is_tiff(source):
            raise
        tiff, orientation = open_tiff(source, MAX_PIXELS)
        pixels = reduced(reducible(tiff), min_size)
    return as_rgb(upright(pixels, orientation))


@contextmanager
def pillow_image(source: PhotoFile) -> Iterator[Image.Image]:
    """source opened by Pillow (from the held descriptor, never the path), its errors translated."""
    with pillow_errors(source), source.open() as file, Image.open(file) as im:
        yield im


def decoded_with_pillow(source: PhotoFile, min_size: int | None) -> tuple[Image.Image, int]:
    """The first frame decoded within the budget, in a reducible mode and reduced; and its orientation."""
    with pillow_image(source) as im:
        check_pixel_limit(im, source.path)
        if min_size is not None:
            im.draft("RGB", (min_size, min_size))   # JPEG only: decode at 1/2, 1/4 or 1/8 scale
        check_decode_budget(source.path, im.width, im.height, pillow_bytes_per_pixel(im.mode))
        im.load()                                    # a truncated file fails here, as it should
        orientation = exif_orientation(im)
        pixels = reduced(reducible(im), min_size)
        if pixels is not im:
            im.close()                               # free the decode now, not when the caller is done
        return pixels, orientation


def exif_orientation(im: Image.Image) -> int:
    """The EXIF orientation 1..8 (1 when absent or the EXIF block is corrupt); libheif has applied HEIF's."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except EXIF_ERRORS:
        return 1
    return value if isinstance(value, int) and value in TRANSPOSE_FOR_ORIENTATION else 1


def reducible(im: Image.Image) -> Image.Image:
    """im in a mode Image.reduce accepts, as few bytes per pixel as it allows; im itself when it is one."""
    if im.mode.startswith(("I;16", "I", "F")):
        return as_8_bit_grey(im)
    if im.mode == "1":
        return im.convert("L")
    if im.mode in ("P", "PA"):
        return im.convert("RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB")
    return im


def as_8_bit_grey(im: Image.Image) -> Image.Image:
    """A 16-bit (or 32-bit integer or float) grayscale image scaled to 8 bits, through Pillow's point tables.

    16 bits keep their high byte; 32-bit integers are clipped to 16 bits first; floats are stretched
    from their minimum to their maximum."""
    if im.mode == "F":
        # One band, so Pillow answers (min, max) numbers, not one pair per band.
        low, high = cast(tuple[float, float], im.getextrema())
        scale = 255.0 / (float(high) - float(low)) if high > low else 0.0
        return im.point(lambda value: (value - low) * scale).convert("L")
    if im.mode != "I;16":       # I;16B and friends have no point tables: widen to I (4 bytes) first
        im = im.convert("I") if im.mode != "I" else im
    return im.point(lambda value: value / 256).convert("L")


def reduced(im: Image.Image, min_size: int | None) -> Image.Image:
    """im shrunk by the largest integer factor that keeps its short edge at least min_size."""
    factor = min(im.size) // min_size if min_size else 1
    return im.reduce(factor) if factor >= 2 else im


def upright(im: Image.Image, orientation: int) -> Image.Image:
    """im turned by its EXIF orientation."""
    method = TRANSPOSE_FOR_ORIENTATION.get(orientation)
    return im if method is None else im.transpose(method)


def as_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is flattened onto white."""
    if im.mode == "RGB":
        return im
    if im.mode.startswith(("I;16", "I", "F")):
        return as_8_bit_grey(im).convert("RGB")
    if im.mode in TRANSPARENT_MODES or (im.mode == "P" and "transparency" in im.info):
        rgba = im if im.mode == "RGBA" else im.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")
