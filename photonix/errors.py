"""The exception types that decide a pipeline step's outcome; each takes one dashboard-ready sentence."""


class PhotonixError(Exception):
    """Base class; its one argument is a sentence fit for the dashboard."""


class PermanentError(PhotonixError):
    """Retrying cannot help: undecodable, bomb, corrupt RAW, missing file."""


class TransientError(PhotonixError):
    """Retrying may help: I/O hiccup, timeout, lost connection."""


class StepSkipped(PhotonixError):
    """The step does not apply, its input is missing, or its model is not installed; says which."""


class StepDisabled(StepSkipped):
    """The step is turned off in settings, or its model is not installed: the photo was not looked at,
    so "re-run missing" runs it once the step is back."""


class UndecodableImage(PermanentError):
    """The file is not an image we can decode (truncated, corrupt, not an image at all)."""


class DecompressionBomb(PermanentError):
    """The image claims more pixels than we agree to decode."""


class TooLargeToDecode(PermanentError):
    """Decoding would need (or did need) more memory than the decode budget or the worker's memory cap."""


class CorruptRaw(PermanentError):
    """A RAW file that LibRaw cannot open or develop."""


class MissingFile(PermanentError):
    """The original is no longer where the library says it is."""


class OutsideLibrary(PermanentError):
    """The file is a link, or its real path lies outside every folder Photonix may read for it."""


class StorageUnavailable(TransientError):
    """The disk, not the file: EIO, ESTALE, ETIMEDOUT and the like."""


class StepTimedOut(TransientError):
    """The step ran past PHOTONIX_JOB_TIMEOUT_SECONDS and was stopped."""


class StepRunMissing(PhotonixError):
    """A job for a step the record does not hold: a bug or a deleted photo, never "already finished"."""


class ConfigError(PhotonixError):
    """A setting is missing or malformed; the message names the variable."""


class Busy(PhotonixError):
    """Too much of one kind of work at once (e.g. password checks); trying again shortly will do."""


class NotVisible(PhotonixError):
    """The viewer may not see this library or photo (or it does not exist): answered 404, never 403."""


class InvalidAction(PhotonixError):
    """A job action that cannot be done as asked (an unknown step, a scope without its step): says why."""


class NotAllowed(PhotonixError):
    """The viewer sees this library or photo, but their role does not allow the action: answered 403."""


def permanent_kinds() -> frozenset[str]:
    """The error_kind of every PermanentError class: a run that failed with one fails again if retried."""
    found: set[str] = set()
    waiting: list[type[BaseException]] = [PermanentError]
    while waiting:
        kind = waiting.pop()
        found.add(kind.__name__)
        waiting.extend(kind.__subclasses__())
    return frozenset(found)
