"""The one translation marker: ``N_`` marks an English text that is translated where it
is shown (``_(text)`` in a template), so ``pybabel extract -k N_`` finds it."""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:
    """Mark an English text for translation where it is shown (``_(text)`` in a template)."""
    return message
