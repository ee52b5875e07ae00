"""The server's clock: UTC now, moved forward by the seconds written in ``CLOCK_FILE``.

Production leaves ``CLOCK_FILE`` unset and the clock is the system's. Tests of schedules
(reminders so many days before a vacancy closes) set it to a file and write an offset in
seconds there; every process that reads the same file (the server, its workers) moves
together, without restarting. The file is read again only when its modification time
changes.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

__all__ = ["now", "offset"]

_FILE = os.environ.get("CLOCK_FILE", "")
_seen: tuple[float, timedelta] = (-1.0, timedelta(0))


def offset() -> timedelta:
    """How far the clock is moved (zero without ``CLOCK_FILE`` or with an empty file)."""
    global _seen
    if not _FILE:
        return timedelta(0)
    try:
        changed = os.stat(_FILE).st_mtime
    except OSError:
        return timedelta(0)
    if changed != _seen[0]:
        try:
            with open(_FILE) as fh:
                text = fh.read().strip()
            _seen = (changed, timedelta(seconds=float(text or 0)))
        except (OSError, ValueError):
            return _seen[1]
    return _seen[1]


def now() -> datetime:
    """The current time in UTC, as the server sees it."""
    if not _FILE:
        return datetime.now(UTC)
    return datetime.now(UTC) + offset()
