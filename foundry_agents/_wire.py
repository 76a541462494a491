"""Reading wire fields (private): a field of the wrong type reads as absent, never raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _str(value: Any) -> str | None:
    """A wire string field: the string, or ``None`` when absent or of another type."""
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None
