"""Colour tags: the old Photonix's 17 colour names, scored by the share of the thumbnail each covers."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.errors import DecompressionBomb, MissingFile, StepSkipped, StorageUnavailable, UndecodableImage

# The old Photonix's names, in its order, so people moving over keep their colour searches.
COLOR_NAMES: tuple[str, ...] = (
    "Red", "Orange", "Amber", "Yellow", "Lime", "Green", "Teal", "Turquoise", "Aqua", "Azure",
    "Blue", "Purple", "Orchid", "Magenta", "White", "Gray", "Black",
)
SAMPLE_SIZE = (64, 64)                 # 4,096 pixels: enough for shares, cheap on any thumbnail
MIN_SHARE = 0.10                       # a colour must cover a tenth of the photo to be worth a tag
MAX_TAGS = 5
STORAGE_ERRNOS = frozenset({errno.EIO, errno.ESTALE, errno.ETIMEDOUT})

# Hue bands (HSV degrees, start inclusive) for saturated pixels; Red wraps round 0°.
# The cyan band splits by brightness further down, as Teal is the dark kin of Turquoise and Aqua.
HUE_BANDS: tuple[tuple[float, str], ...] = (
    (15.0, "Orange"), (40.0, "Amber"), (52.0, "Yellow"), (70.0, "Lime"), (100.0, "Green"),
    (150.0, "Turquoise"), (175.0, "Aqua"), (195.0, "Azure"), (220.0, "Blue"), (260.0, "Purple"),
    (285.0, "Magenta"), (345.0, "Red"),
)
BLACK_BELOW_VALUE = 0.18               # too dark to see a hue in
GRAY_BELOW_SATURATION = 0.18           # washed out: reads as white/gray/black whatever its hue
GRAY_BELOW_CHROMA = 0.10
WHITE_ABOVE_VALUE = 0.82
GRAY_ABOVE_VALUE = 0.30                # achromatic pixels between this and WHITE_ABOVE_VALUE are Gray
TEAL_BELOW_VALUE = 0.60                # a cyan this dark is Teal
PURPLE_BELOW_VALUE = 0.55              # a magenta this dark is Purple (#800080 is Purple, #FF00FF Magenta)
ORCHID_BELOW_SATURATION = 0.60         # a light, soft magenta is Orchid (#DA70D6)


def sample_pixels(path: Path) -> NDArray[np.float64]:
    """The thumbnail shrunk to SAMPLE_SIZE as an (n, 3) array of RGB in 0..1; transparent pixels dropped."""
    try:
        with Image.open(path) as im:
            im.draft("RGB", SAMPLE_SIZE)             # JPEG: let libjpeg decode at 1/8 scale
            has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            small = im.convert("RGBA" if has_alpha else "RGB").resize(SAMPLE_SIZE, Image.Resampling.BOX)
    except FileNotFoundError as exc:
        raise MissingFile(f"thumbnail {path.name} is missing; render thumbnails again") from exc
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"{path.name}: too many pixels") from exc
    except OSError as exc:                           # UnidentifiedImageError is an OSError too
        if exc.errno in STORAGE_ERRNOS:              # the disk, not the file
            raise StorageUnavailable(f"{path.name}: {exc.strerror}") from exc
        raise UndecodableImage(f"thumbnail {path.name} cannot be decoded: {exc}") from exc
    pixels = np.asarray(small, dtype=np.float64).reshape(-1, len(small.getbands())) / 255.0
    if has_alpha:
        pixels = pixels[pixels[:, 3] >= 0.5, :3]    # what is not there has no colour
    return pixels


def color_indices(rgb: NDArray[np.float64]) -> NDArray[np.intp]:
    """Each pixel's index into COLOR_NAMES, decided in HSV: lightness for the grays, hue for the rest."""
    value = rgb.max(axis=1)
    chroma = value - rgb.min(axis=1)
    saturation = np.divide(chroma, value, out=np.zeros_like(value), where=value > 0)
    hue = hue_degrees(rgb, value, chroma)

    index = {name: i for i, name in enumerate(COLOR_NAMES)}
    colors = np.full(len(rgb), index["Red"], dtype=np.intp)     # below the first band: Red, past 0°
    for start, name in HUE_BANDS:
        colors[hue >= start] = index[name]
    is_cyan = (colors == index["Turquoise"]) | (colors == index["Aqua"])
    colors[is_cyan & (value < TEAL_BELOW_VALUE)] = index["Teal"]
    is_magenta = colors == index["Magenta"]
    colors[is_magenta & (saturation < ORCHID_BELOW_SATURATION)] = index["Orchid"]
    colors[is_magenta & (value < PURPLE_BELOW_VALUE)] = index["Purple"]

    is_achromatic = (saturation < GRAY_BELOW_SATURATION) | (chroma < GRAY_BELOW_CHROMA)
    colors[is_achromatic] = index["Gray"]
    colors[is_achromatic & (value >= WHITE_ABOVE_VALUE)] = index["White"]
    colors[is_achromatic & (value < GRAY_ABOVE_VALUE)] = index["Black"]
    colors[value < BLACK_BELOW_VALUE] = index["Black"]
    return colors


def hue_degrees(rgb: NDArray[np.float64], value: NDArray[np.float64],
                chroma: NDArray[np.float64]) -> NDArray[np.float64]:
    """HSV hue in [0, 360); 0 where there is no chroma (those pixels are gray anyway)."""
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    safe = np.where(chroma > 0, chroma, 1.0)
    hue = np.where(value == r, ((g - b) / safe) % 6.0,
                   np.where(value == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    return np.where(chroma > 0, hue * 60.0, 0.0) % 360.0


def color_shares(rgb: NDArray[np.float64]) -> dict[str, float]:
    """Each colour name's share of the pixels; names that cover nothing are left out."""
    if len(rgb) == 0:
        return {}
    counts = np.bincount(color_indices(rgb), minlength=len(COLOR_NAMES))
    return {COLOR_NAMES[i]: float(n) / len(rgb) for i, n in enumerate(counts) if n}


class ColorClassifier:
    """Tags the few named colours that cover a photo, each scored by the share it covers."""

    name: str = "color"
    version: int = 1
    needs_thumbnail: bool = True

    def unavailable_reason(self) -> str | None:
        """Always ready: it needs no model."""
        return None

    def skip_reason(self, given: ClassifierInput) -> str | None:
        return "no thumbnail to read colours from" if given.thumbnail is None else None

    def classify(self, given: ClassifierInput) -> list[ScoredTag]:
        """Up to MAX_TAGS colours covering at least MIN_SHARE each, largest share first."""
        reason = self.skip_reason(given)
        if reason is not None:
            raise StepSkipped(reason)
        assert given.thumbnail is not None
        shares = color_shares(sample_pixels(given.thumbnail))
        # Ties keep the old Photonix order, so the same photo always gets the same tags.
        ranked = sorted(shares.items(), key=lambda item: (-item[1], COLOR_NAMES.index(item[0])))
        return [ScoredTag(kind="color", name=name, score=round(share, 4))
                for name, share in ranked[:MAX_TAGS] if share >= MIN_SHARE]
