"""The session cookie: its name and lifetime. The sessions themselves live in the database
(db/user_sessions.py), which enforces the configured idle and absolute limits."""

from __future__ import annotations

from photonix.db.user_sessions import DAY

COOKIE = "photonix_session"
MAX_AGE_SECONDS = 120 * DAY          # the cookie's lifetime; the server enforces the configured limits
