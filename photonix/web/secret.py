"""The key that signs CSRF tokens and flash cookies: PHOTONIX_SECRET_KEY, else one kept in the data dir."""

from __future__ import annotations

import os
import secrets

from photonix.config import Settings


def load_or_create_secret(settings: Settings) -> str:
    """Several web hosts must share PHOTONIX_SECRET_KEY; one host keeps its generated key across restarts."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
