"""The second TIFF decoder: tifffile reads the TIFFs Pillow cannot (CMYK + alpha, float, 16-bit
multi-channel).

Its pixels become an 8-bit Pillow image (L, RGB or CMYK; alpha and other extra samples dropped), scaled
sanely: 16 bits keep their high byte, floats in 0..1 are multiplied by 255 and other floats stretched
from their minimum to their maximum. What we cannot show fails with a sentence that says what the file
is ("TIFF with 5 channels (CMYK + alpha), 32-bit float: ...").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tifffile
from PIL import Image

from photonix.errors import DecompressionBomb, UndecodableImage
from photonix.media.budget import check_decode_budget
from photonix.media.failures import file_errors, pillow_errors
from photonix.media.photofile import PhotoFile

TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")   # classic and BigTIFF, both byte orders
ORIENTATION_TAG = 274
ROWS_PER_STRIP = 256        # convert this many rows at a time, so float temporaries stay small
P = tifffile.PHOTOMETRIC
COLOUR_CHANNELS = {P.MINISBLACK: 1, P.MINISWHITE: 1, P.PALETTE: 1, P.RGB: 3, P.SEPARATED: 4}
MODEL_NAMES = {P.MINISBLACK: "grey", P.MINISWHITE: "grey", P.PALETTE: "palette", P.RGB: "RGB",
               P.SEPARATED: "CMYK"}
PILLOW_MODE = {1: "L", 3: "RGB", 4: "CMYK"}


@dataclass(frozen=True, slots=True)
class TiffLayout:
    """What the first page of a TIFF holds, read from its tags without decoding a pixel."""

    width: int
    height: int
    axes: str                   # tifffile's: Y, X, S (samples) and others for volumes and stacks
    channels: int
    dtype: np.dtype
    photometric: P
    has_alpha: bool
    orientation: int

    def describe(self) -> str:
        """e.g. 'TIFF with 5 channels (CMYK + alpha), 8-bit'."""
        model = MODEL_NAMES.get(self.photometric, self.photometric.name)
        extras = self.channels - COLOUR_CHANNELS.get(self.photometric, self.channels)
        if extras > 0:
            model += " + alpha" if self.has_alpha and extras == 1 else f" + {extras} extra"
        kind = "float" if self.dtype.kind == "f" else "bit"
        bits = self.dtype.itemsize * 8
        depth = f"{bits}-bit float" if kind == "float" else f"{bits}-bit"
        plural = "s" if self.channels != 1 else ""
        return f"TIFF with {self.channels} channel{plural} ({model}), {depth}"


def is_tiff(source: PhotoFile) -> bool:
    """Whether source starts like a TIFF (what it is named does not matter)."""
    with file_errors(source.path), source.open() as f:
        return f.read(4) in TIFF_SIGNATURES


def tiff_layout(source: PhotoFile) -> TiffLayout:
    """The first page's layout; raises UndecodableImage naming the file when tifffile cannot parse it."""
    with pillow_errors(source), source.open() as f, tifffile.TiffFile(f) as tif:
        page = tif.pages.first
        shape = dict(zip(page.axes, page.shape, strict=True))   # one axis letter per dimension
        orientation = page.tags.valueof(ORIENTATION_TAG, 1)
        return TiffLayout(
            width=int(page.imagewidth),
            height=int(page.imagelength),
            axes=page.axes,
            channels=int(shape.get("S", 1)),
            dtype=np.dtype(page.dtype) if page.dtype is not None else np.dtype("V1"),
            photometric=P(page.photometric),
            has_alpha=any(int(extra) in (1, 2) for extra in page.extrasamples or ()),
            orientation=orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1,
        )


def open_tiff(source: PhotoFile, max_pixels: int | None) -> tuple[Image.Image, int]:
    """The first page as an 8-bit L, RGB or CMYK image, and its EXIF orientation."""
    path = source.path
    layout = tiff_layout(source)
    if max_pixels is not None and layout.width * layout.height > max_pixels:
        raise DecompressionBomb(f"{path.name}: {layout.width}x{layout.height} is "
                                f"{layout.width * layout.height} pixels, over the limit of {max_pixels}")
    colour = COLOUR_CHANNELS.get(layout.photometric)
    refusal = why_not_shown(layout, colour)
    if refusal:
        raise UndecodableImage(f"{path.name}: {layout.describe()}: {refusal}")
    # The decoded array, plus the 8-bit copy we make of it.
    check_decode_budget(path, layout.width, layout.height,
                        layout.channels * layout.dtype.itemsize + max(colour or 1, 1))
    try:
        with pillow_errors(source):
            return pixels_as_image(source, layout, colour or 1), layout.orientation
    except UndecodableImage as exc:
        raise UndecodableImage(f"{path.name}: {layout.describe()}: "
                               f"{str(exc).removeprefix(path.name + ': ')}") from exc


def pixels_as_image(source: PhotoFile, layout: TiffLayout, colour: int) -> Image.Image:
    """Decode the first page with tifffile and keep its colour channels as an 8-bit Pillow image."""
    with source.open() as f, tifffile.TiffFile(f) as tif:
        page = tif.pages.first
        pixels = samples_last(page.asarray(), layout.axes)
        colormap = page.colormap if layout.photometric == P.PALETTE else None
    if pixels.shape[:2] != (layout.height, layout.width) or pixels.ndim != 3:
        # tifffile reshapes what it can of a damaged file; we only show what matches the header.
        raise UndecodableImage(f"its pixel data ({'x'.join(map(str, pixels.shape))}) "
                               "does not match its header")
    eight_bit = to_8_bit(pixels[..., :colour], layout)
    del pixels
    if colormap is not None:
        return palette_image(eight_bit[..., 0], colormap)
    mode = PILLOW_MODE[eight_bit.shape[2]]
    image = Image.frombuffer(mode, (layout.width, layout.height), np.ascontiguousarray(eight_bit), "raw",
                             mode, 0, 1)
    return image.convert("RGB") if mode == "CMYK" else image


def why_not_shown(layout: TiffLayout, colour: int | None) -> str | None:
    """Why we cannot turn this layout into a picture, or None when we can."""
    if colour is None:
        return f"{layout.photometric.name} colour is not one we convert"
    if set(layout.axes) - {"Y", "X", "S"}:
        return f"a stack or volume (axes {layout.axes}), not a single picture"
    if layout.channels < colour:
        return f"{colour} colour channels expected"
    if layout.dtype.kind not in "uifb":
        return f"samples of type {layout.dtype} are not numbers we convert"
    if layout.photometric == P.PALETTE and layout.dtype.kind != "u":
        return "a palette indexed by non-integers"
    return None


def samples_last(pixels: np.ndarray, axes: str) -> np.ndarray:
    """The array as (rows, columns, samples), a view whatever the planar configuration."""
    if "S" not in axes:
        return pixels.reshape(*pixels.shape, 1)
    return np.moveaxis(pixels, axes.index("S"), -1)


def to_8_bit(pixels: np.ndarray, layout: TiffLayout) -> np.ndarray:
    """pixels (rows, columns, channels) as uint8, a strip of rows at a time; palette indexes are kept."""
    out = np.empty(pixels.shape, dtype=np.uint8)
    if layout.photometric == P.PALETTE:
        if pixels.dtype.itemsize > 1:
            raise UndecodableImage("a palette of more than 256 colours")
        out[...] = pixels
        return out
    low, high = value_range(pixels)
    for start in range(0, pixels.shape[0], ROWS_PER_STRIP):
        strip = pixels[start:start + ROWS_PER_STRIP]
        out[start:start + ROWS_PER_STRIP] = scaled_strip(strip, low, high)
    if layout.photometric == P.MINISWHITE:
        np.subtract(255, out, out=out)
    return out


def value_range(pixels: np.ndarray) -> tuple[float, float]:
    """The range that maps onto 0..255: the type's for integers; for floats 0..1 when they fit, else their
    own."""
    if pixels.dtype.kind == "b":
        return 0.0, 1.0
    if pixels.dtype.kind in "ui":
        return 0.0, float(np.iinfo(pixels.dtype).max)
    low, high = np.inf, -np.inf
    for start in range(0, pixels.shape[0], ROWS_PER_STRIP):     # NaN and infinities do not count
        strip = pixels[start:start + ROWS_PER_STRIP]
        finite = strip[np.isfinite(strip)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    if low > high:
        return 0.0, 1.0
    return (0.0, 1.0) if low >= 0.0 and high <= 1.0 else (low, high)


def scaled_strip(strip: np.ndarray, low: float, high: float) -> np.ndarray:
    """One strip of samples mapped from low..high onto 0..255, clipped."""
    if strip.dtype == np.uint8:
        return strip
    if strip.dtype == np.uint16:
        return (strip >> 8).astype(np.uint8)
    values = strip.astype(np.float32)
    span = high - low
    values -= low
    values *= 255.0 / span if span > 0 else 0.0
    np.nan_to_num(values, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(values, 0, 255, out=values)
    return values.astype(np.uint8)


def palette_image(indexes: np.ndarray, colormap: np.ndarray) -> Image.Image:
    """A palette TIFF as a Pillow P image, its 16-bit colour map cut to 8 bits."""
    height, width = indexes.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(indexes).tobytes())
    entries = (np.asarray(colormap[:, :256]) >> 8).astype(np.uint8)
    image.putpalette(entries.T.ravel().tobytes())
    return image
