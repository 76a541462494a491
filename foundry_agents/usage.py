"""Token usage: one small value type, filled by one pure function."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Usage", "parse_usage"]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one response (or, added together, of many).

    Example:
        >>> Usage(input_tokens=3, output_tokens=2, total_tokens=5) + Usage(1, 1, 2)
        Usage(input_tokens=4, output_tokens=3, total_tokens=7, cached_tokens=0, reasoning_tokens=0)
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.total_tokens + other.total_tokens,
            self.cached_tokens + other.cached_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
        )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def parse_usage(raw: Any) -> Usage | None:
    """Map the wire ``usage`` object; ``None`` when absent. Missing details count as zero."""
    if not isinstance(raw, Mapping):
        return None
    inp, out = _int(raw.get("input_tokens")), _int(raw.get("output_tokens"))
    in_details = raw.get("input_tokens_details")
    out_details = raw.get("output_tokens_details")
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=_int(raw.get("total_tokens")) or inp + out,
        cached_tokens=_int(in_details.get("cached_tokens")) if isinstance(in_details, Mapping) else 0,
        reasoning_tokens=(
            _int(out_details.get("reasoning_tokens")) if isinstance(out_details, Mapping) else 0
        ),
    )
