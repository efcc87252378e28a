"""Settings: one frozen value built from environment variables, validated at start with clear errors."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from photonix.errors import ConfigError

PREFIX = "PHOTONIX_"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")
MIN_METRICS_TOKEN = 16
MIN_WORKER_MEMORY_MB = 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable; defaults give a working single-machine install under ./data."""

    data_dir: Path
    database_url: str                    # sqlite:///path or postgresql://user@host:port/db
    redis_url: str | None                # None: start the embedded redis-server
    worker_concurrency: int              # jobs one worker runs at once
    pool_processes: int                  # CPU processes per worker (decode, resize, inference)
    worker_memory_mb: int                # address-space cap of each pool process (RLIMIT_AS); 0: none
    decode_budget_mb: int                # most memory one decoded image may take; bigger ones fail
    max_tries: int                       # tries per step before a transient error fails it
    retry_base_seconds: float            # backoff: uniform(0, min(cap, base * 2**try))
    retry_cap_seconds: float
    job_timeout_seconds: int             # a job running longer is cancelled (and retried)
    poll_seconds: float                  # how often an idle worker asks Redis for jobs: a chain's next
                                         # step waits up to this long, so it bounds throughput
    raw_half_size: bool                  # develop RAW at half size: 4x faster, plenty for viewing
    rescan_seconds: int                  # periodic library rescan that catches what the watcher missed
    # largest file the browser upload takes (MiB); bigger ones: photonix import
    max_upload_mb: int
    library_roots: tuple[Path, ...]      # server folders under which libraries may be made; empty: anywhere
    host: str
    port: int
    # networks (10.0.0.0/8) whose X-Forwarded-For names the client; empty: none
    trusted_proxies: tuple[str, ...]
    secret_key: str | None               # signs CSRF tokens; generated into the data dir when unset
    secure_cookies: bool                 # Secure flag on cookies; off only by PHOTONIX_SECURE_COOKIES=false
    log_level: str
    map_tile_url: str | None             # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset: no map
                                         # tiles are fetched (they reveal where photos were taken)
    metrics_token: str | None            # /metrics answers a request with this bearer token...
    metrics_allow: tuple[str, ...]       # ...or from these networks (loopback by default)
    session_idle_minutes: int = 14 * 24 * 60   # a session unused this long ends; each request slides it
    session_max_days: int = 120                # and every session ends this long after sign-in
    heartbeat_seconds: float = 5.0             # how often a worker beats; silent for 3 beats, it is lost
    sweep_seconds: int = 60                    # how often one worker looks for stuck work and repairs it
    bulk_action_photos: int = 1000             # a retry or re-run from the page or API touching more
                                               # photos than this runs in a worker, not in the request
    trash_days: int = 30                       # a photo in the trash this long is purged (0: next purge)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        """sqlite:///relative/file or sqlite:////absolute/file, as SQLAlchemy spells them."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def originals_dir(self) -> Path:
        """Where uploaded originals are stored (scanned folders stay where they are)."""
        return self.data_dir / "originals"

    @property
    def derivatives_dir(self) -> Path:
        return self.data_dir / "derivatives"

    def allows_library_folder(self, folder: Path) -> bool:
        """True when PHOTONIX_LIBRARY_ROOTS is unset or the folder (links resolved) lies under one of them."""
        if not self.library_roots:
            return True
        resolved = folder.expanduser().resolve()
        return any(resolved.is_relative_to(root) for root in self.library_roots)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read PHOTONIX_* variables; raise ConfigError naming the variable that is wrong."""
        data_dir = Path(env.get(f"{PREFIX}DATA_DIR", "./data")).expanduser().resolve()
        cores = os.cpu_count() or 1
        database_url = env.get(f"{PREFIX}DATABASE_URL") or f"sqlite:///{data_dir / 'photonix.sqlite'}"
        if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ConfigError(
                f"{PREFIX}DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}"
            )
        redis_url = env.get(f"{PREFIX}REDIS_URL") or None
        if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"{PREFIX}REDIS_URL must start with redis://, rediss:// or unix://")
        worker_memory_mb = _int(env, "WORKER_MEMORY_MB", default_worker_memory_mb(cores), minimum=0)
        decode_budget_mb = _int(env, "DECODE_BUDGET_MB", 1024, minimum=1)
        if worker_memory_mb and worker_memory_mb < MIN_WORKER_MEMORY_MB:
            raise ConfigError(f"{PREFIX}WORKER_MEMORY_MB must be 0 (no cap) or at least "
                              f"{MIN_WORKER_MEMORY_MB}: "
                              "a processing process needs about 600 MB before it decodes anything")
        if worker_memory_mb and decode_budget_mb >= worker_memory_mb:
            raise ConfigError(f"{PREFIX}DECODE_BUDGET_MB ({decode_budget_mb}) must be below "
                              f"{PREFIX}WORKER_MEMORY_MB ({worker_memory_mb})")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            worker_concurrency=_int(env, "WORKER_CONCURRENCY", max(8, cores * 4), minimum=1),
            pool_processes=_int(env, "POOL_PROCESSES", cores, minimum=1),
            worker_memory_mb=worker_memory_mb,
            decode_budget_mb=decode_budget_mb,
            max_tries=_int(env, "MAX_TRIES", 5, minimum=1),
            retry_base_seconds=_float(env, "RETRY_BASE_SECONDS", 2.0),
            retry_cap_seconds=_float(env, "RETRY_CAP_SECONDS", 300.0),
            job_timeout_seconds=_int(env, "JOB_TIMEOUT_SECONDS", 300, minimum=1),
            poll_seconds=_float(env, "POLL_SECONDS", 0.05),
            raw_half_size=_bool(env, "RAW_HALF_SIZE", True),
            rescan_seconds=_int(env, "RESCAN_SECONDS", 3600, minimum=0),
            max_upload_mb=_int(env, "MAX_UPLOAD_MB", 200, minimum=1),
            library_roots=_library_roots(env),
            host=env.get(f"{PREFIX}HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8000, minimum=1),
            trusted_proxies=_trusted_proxies(env),
            secret_key=env.get(f"{PREFIX}SECRET_KEY") or None,
            secure_cookies=_bool(env, "SECURE_COOKIES", True),
            log_level=env.get(f"{PREFIX}LOG_LEVEL", "info").lower(),
            map_tile_url=_tile_url(env),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 14 * 24 * 60, minimum=1),
            session_max_days=_int(env, "SESSION_MAX_DAYS", 120, minimum=1),
            metrics_token=_metrics_token(env),
            metrics_allow=_networks(env, "METRICS_ALLOW", LOOPBACK_NETWORKS),
            heartbeat_seconds=_positive(env, "HEARTBEAT_SECONDS", 5.0),
            sweep_seconds=_int(env, "SWEEP_SECONDS", 60, minimum=1),
            bulk_action_photos=_int(env, "BULK_ACTION_PHOTOS", 1000, minimum=0),
            trash_days=_int(env, "TRASH_DAYS", 30, minimum=0),
        )


def default_worker_memory_mb(cores: int) -> int:
    """3 GiB, plus room for the address space every thread reserves on a many-core machine.

    RLIMIT_AS counts reserved, not used, memory: each thread's 8 MiB stack and 64 MiB malloc arena,
    and numpy's BLAS starts a thread per core at import."""
    return max(3072, 2048 + 96 * cores)


def _tile_url(env: Mapping[str, str]) -> str | None:
    raw = env.get(f"{PREFIX}MAP_TILE_URL") or None
    if raw is not None and not (raw.startswith("https://") and all(p in raw for p in ("{z}", "{x}", "{y}"))):
        raise ConfigError(f"{PREFIX}MAP_TILE_URL must be an https:// URL with {{z}}, {{x}} and {{y}}, got "
                          f"{raw!r}")
    return raw


def _library_roots(env: Mapping[str, str]) -> tuple[Path, ...]:
    raw = env.get(f"{PREFIX}LIBRARY_ROOTS", "")
    roots = [Path(part).expanduser() for part in raw.split(os.pathsep) if part.strip()]
    for root in roots:
        if not root.is_absolute():
            raise ConfigError(f"{PREFIX}LIBRARY_ROOTS must list absolute folders, got {str(root)!r}")
    return tuple(root.resolve() for root in roots)


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.0/8); unset: X-Forwarded-For is never believed."""
    networks: list[str] = []
    for part in env.get(f"{PREFIX}TRUSTED_PROXIES", "").split(","):
        if part.strip():
            try:
                networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
            except ValueError:
                raise ConfigError(f"{PREFIX}TRUSTED_PROXIES must list IP addresses or networks, "
                                  f"got {part.strip()!r}") from None
    return tuple(networks)
def _metrics_token(env: Mapping[str, str]) -> str | None:
    raw = env.get(f"{PREFIX}METRICS_TOKEN") or None
    if raw is not None and len(raw) < MIN_METRICS_TOKEN:
        raise ConfigError(f"{PREFIX}METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} characters "
                          "(e.g. the output of `openssl rand -hex 24`)")
    return raw


def _networks(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.0/8, 192.0.2.7, ::1), each checked and normalised."""
    raw = env.get(PREFIX + name)
    if raw is None or not raw.strip():
        return default
    try:
        return tuple(str(ipaddress.ip_network(part.strip(), strict=False))
                     for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must list addresses or networks like 10.0.0.0/8: {exc}") from None


def settings_from_process_env() -> Settings:
    """The one place that reads os.environ."""
    return Settings.from_env(os.environ)


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{PREFIX}{name} must not be negative, got {value}")
    return value


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value <= 0:
        raise ConfigError(f"{PREFIX}{name} must be more than 0, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, got {raw!r}")


def child_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with some variables replaced: for child processes and re-read settings."""
    return {**os.environ, **overrides}
