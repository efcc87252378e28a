"""A step's error as a sentence for people: "IMG_1.JPG: image file is truncated (1 bytes not processed)"
becomes "The file ends early: it was cut off while copying or downloading".

The raw text stays what the record and the API keep (media/failures.py words it, naming the file); pages
show this sentence and put the raw text one click away. Patterns match the decoders' own wording (Pillow,
its HEIF/AVIF plugins, tifffile, LibRaw) and ours; an error no pattern knows is shown in its own words.
"""

from __future__ import annotations

import re

from photonix.media.failures import failure_reason

# (pattern on the reason without the file's name, the sentence), first match wins: specific before general.
_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), sentence) for
                                                            pattern, sentence in (
    (r"truncated|ends early|premature end|unexpected end|end of file|\beof\b|not enough data|"
     r"missing or empty image item",
     "The file ends early: it was cut off while copying or downloading"),
    (r"file is empty|0 bytes", "The file is empty: nothing was copied into it"),
    (r"file not found|no such file", "The file is no longer where the library says it is: it was moved or "
                                     "deleted"),
    (r"not an image format we can read|cannot identify image|unidentified|not a TIFF file",
     "This is not a photo Photonix can read: its content is not an image, whatever its name says"),
    (r"over the limit of|decompression bomb",
     "The image is too large to open safely: it claims more pixels than Photonix agrees to decode"),
    (r"ran out of memory|needs .* just to read",
     "The image needs more memory to open than this server allows for one photo"),
    (r"LibRaw cannot read", "The RAW file is damaged or from a camera this version cannot develop"),
    (r"storage unavailable|could not be reached",
     "The disk or server holding the file did not answer; it will be tried again"),
    (r"timed out", "Processing took too long and was stopped"),
    (r"crashed", "The processing process stopped unexpectedly"),
    (r"broken data stream|decoder error|failed to decode|corrupt|invalid|bad|damaged|unsupported",
     "The file is damaged: part of the image cannot be decoded"),
))

# "gave up after 3 tries: ..." prefixes a transient error that kept failing (jobs/retry).
_GAVE_UP = re.compile(r"^gave up after (\d+) tries: ")
# What jobs/flow writes on the steps after a failed one (db/stepruns.skip_waiting).
_NOT_RUN = re.compile(r"^not run: (\w+) failed$")


def plain_error(error: str) -> str:
    """The sentence people read for a step's raw error text ("" stays "")."""
    reason = failure_reason(error).strip()
    if not reason:
        return ""
    not_run = _NOT_RUN.match(reason)
    if not_run:
        return f"Not run, because {not_run[1].replace('_', ' ')} failed before it"
    gave_up = _GAVE_UP.match(reason)
    if gave_up:
        reason = reason[gave_up.end():]
    sentence = next((sentence for pattern, sentence in _SENTENCES if pattern.search(reason)), None)
    if sentence is None:        # no better words for it: the error as it was written
        return _UPLOAD_PREFIX.sub("", error.strip())
    if gave_up:
        sentence = f"{sentence.removesuffix('; it will be tried again')} (gave up after {gave_up[1]} tries)"
    return sentence


# An uploaded original is stored as "<12 hex>_<safe name>" (jobs/importer.upload_destination); errors name
# that file. People never chose the prefix, so the technical text shown to them drops it.
_UPLOAD_PREFIX = re.compile(r"\b[0-9a-f]{12}_(?=[^\s/:]+\.[A-Za-z0-9]{1,10}\b)")


def technical_error(error: str) -> str:
    """The raw error as the technical details show it: the library's words, the stored name's prefix gone;
    "" when the sentence is that text already (an error no pattern knows)."""
    shown = _UPLOAD_PREFIX.sub("", error.strip())
    return "" if plain_error(error) == shown else shown
