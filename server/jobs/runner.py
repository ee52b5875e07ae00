"""Running background jobs in the workers."""

from __future__ import annotations

from server.settings import Settings

__all__ = ["run_next"]


async def run_next(worker: str, settings: Settings) -> bool:
    """Take one due job and run it; whether there was one."""
    return False
