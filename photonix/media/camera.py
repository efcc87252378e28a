"""Camera names as people say them: "NIKON CORPORATION" is Nikon, and "Canon Canon EOS 5D" is a Canon EOS 5D.

EXIF's Make is often the company's legal name and Model often repeats the make. Like PhotoPrism and
Immich, we store a short brand and a model without the brand in front of it."""

from __future__ import annotations

# Legal names (upper case) cameras write as Make, and the brand people know.
BRANDS: dict[str, str] = {
    "NIKON CORPORATION": "Nikon",
    "NIKON": "Nikon",
    "OLYMPUS IMAGING CORP.": "Olympus",
    "OLYMPUS CORPORATION": "Olympus",
    "OLYMPUS OPTICAL CO.,LTD": "Olympus",
    "OM DIGITAL SOLUTIONS": "OM System",
    "EASTMAN KODAK COMPANY": "Kodak",
    "PENTAX CORPORATION": "Pentax",
    "RICOH IMAGING COMPANY, LTD.": "Ricoh",
    "PENTAX RICOH IMAGING": "Pentax",
    "ASAHI OPTICAL CO.,LTD": "Pentax",
    "SEIKO EPSON CORP.": "Epson",
    "MINOLTA CO.,LTD": "Minolta",
    "KONICA MINOLTA CAMERA, INC.": "Konica Minolta",
    "CASIO COMPUTER CO.,LTD.": "Casio",
    "CASIO COMPUTER CO.,LTD": "Casio",
    "SANYO ELECTRIC CO.,LTD": "Sanyo",
    "SAMSUNG TECHWIN": "Samsung",
    "SAMSUNG": "Samsung",
    "FUJIFILM": "Fujifilm",
    "FUJI PHOTO FILM CO., LTD.": "Fujifilm",
    "SONY": "Sony",
    "LEICA CAMERA AG": "Leica",
    "HEWLETT-PACKARD": "HP",
    "LG ELECTRONICS": "LG",
    "HUAWEI": "Huawei",
    "XIAOMI": "Xiaomi",
    "MOTOROLA": "Motorola",
    "GOPRO": "GoPro",
    "DJI": "DJI",
}


def brand(make: str | None) -> str | None:
    """The brand for a Make as cameras write it; an unknown make is kept as written."""
    if make is None:
        return None
    return BRANDS.get(" ".join(make.split()).upper(), make)


def model_name(make: str | None, model: str | None) -> str | None:
    """The model without a repeated make in front ("Canon EOS 5D" -> "EOS 5D", "NIKON D70" -> "D70")."""
    if model is None:
        return None
    for prefix in (make, brand(make)):
        if prefix and model.upper().startswith((prefix.upper() + " ", prefix.upper() + "_")):
            rest = model[len(prefix) + 1:].strip()
            if rest:
                return rest
    return model


def camera_name(make: str | None, model: str | None) -> tuple[str | None, str | None]:
    """(brand, model) ready to store and show side by side."""
    return brand(make), model_name(make, model)
