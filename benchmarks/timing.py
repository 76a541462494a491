"""Timing primitives: ``perf_counter_ns`` samples, percentiles, consistent GC handling.

Every measured block starts from a collected heap (``gc.collect()``) and runs with the collector
enabled, as in production: the allocation cost a library causes includes the collections it
triggers. Contenders are interleaved round by round so that drift (thermal, other processes on
this shared machine) spreads over all of them instead of penalising whichever ran last.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

__all__ = ["Stats", "fresh_heap", "percentile", "sample", "stats"]


def fresh_heap() -> None:
    gc.collect()


def sample(fn: Callable[[], Any], count: int) -> list[int]:
    """``count`` timings of ``fn()`` in nanoseconds."""
    out = []
    for _ in range(count):
        start = perf_counter_ns()
        fn()
        out.append(perf_counter_ns() - start)
    return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class Stats:
    n: int
    median: float
    p99: float
    mean: float
    minimum: float

    def as_dict(self) -> dict[str, float]:
        return {"n": self.n, "median": self.median, "p99": self.p99, "mean": self.mean, "min": self.minimum}


def stats(values: list[float]) -> Stats:
    return Stats(len(values), statistics.median(values), percentile(values, 99), statistics.fmean(values),
                 min(values))
