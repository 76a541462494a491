"""Bench 2: streaming cost per event and time to first token, against stream length.

Streams of N text deltas (N = 10, 100, 1,000, 10,000; recorded event shapes, one SSE event per
chunk) go through each contender's sync streaming iterator. Per run we record the total time and
the time to the first text token; per contender and N, the medians. Growth with N is the
least-squares slope of total time against N (the cost of one more event) and the ratio
steady(largest N) / steady(100), where steady = (total - time to first token) / N is the marginal
cost of an event without the fixed cost of the call: 1.0 is perfectly linear, above 1 grows
faster than linear.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any

from .contenders import CONTENDERS, Contender, NotInstalled, Runner
from .fixtures import stream_canned
from .percall import LIMITS
from .timing import fresh_heap, percentile

__all__ = ["DEFAULT_SIZES", "StreamPoint", "StreamRow", "run_streaming"]

DEFAULT_SIZES = (10, 100, 1000, 10000)


@dataclass
class StreamPoint:
    n: int
    runs: int
    total_us: float  # median of whole-stream times
    p99_total_us: float
    per_event_us: float  # total_us / n
    ttft_us: float  # median time to first token
    steady_us: float  # median of (total - time to first token) / n: the marginal cost of an event
    limit_per_event_us: float | None = None
    ratio_limit: float | None = None
    ratio_floor: float | None = None


@dataclass
class StreamRow:
    name: str
    label: str
    status: str = "ok"
    points: dict[int, StreamPoint] = field(default_factory=dict)
    slope_us: float | None = None  # least-squares µs per extra event
    growth: float | None = None  # per-event(largest) / per-event(100)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "status": self.status, "slope_us": self.slope_us,
                "growth": self.growth, "points": {n: p.__dict__ for n, p in self.points.items()}}


def runs_for(n: int, *, budget_events: int, min_runs: int, max_runs: int) -> int:
    return max(min_runs, min(max_runs, math.ceil(budget_events / n)))


def _one(runner: Runner) -> tuple[int, int, int]:
    """(total ns, ns to first token, tokens) for one streamed call."""
    first = 0
    tokens = 0
    start = perf_counter_ns()
    for token in runner.stream():
        if token:
            if not tokens:
                first = perf_counter_ns()
            tokens += 1
    return perf_counter_ns() - start, first - start, tokens


def _check(runner: Runner, n: int) -> None:
    canned = stream_canned(n)
    text = "".join(runner.stream())
    if text != canned.text:
        raise AssertionError(f"streamed text differs from the canned one ({len(text)} vs {len(canned.text)} chars)")


def run_streaming(*, sizes: tuple[int, ...] = DEFAULT_SIZES, budget_events: int = 40_000, min_runs: int = 5,
                  max_runs: int = 300, rounds: int = 3,
                  contenders: list[Contender] | None = None) -> list[StreamRow]:
    rows = [StreamRow(c.name, c.label) for c in (contenders or CONTENDERS)]
    pairs = list(zip(rows, contenders or CONTENDERS, strict=True))
    for n in sizes:
        runners: list[tuple[StreamRow, Runner]] = []
        for row, contender in pairs:
            if row.status != "ok":
                continue
            try:
                runner = contender.build(stream_canned(n))
                _check(runner, n)
            except NotInstalled:
                row.status = "not installed"
                continue
            except Exception as exc:
                row.status = f"error: {type(exc).__name__}: {exc}"[:200]
                continue
            runners.append((row, runner))
        runs = runs_for(n, budget_events=budget_events, min_runs=min_runs, max_runs=max_runs)
        per_round = max(1, math.ceil(runs / rounds))
        samples: dict[str, list[tuple[int, int, int]]] = {row.name: [] for row, _ in runners}
        for _, runner in runners:  # warm-up
            for _ in range(min(3, per_round)):
                _one(runner)
        for r in range(rounds):
            order = runners[r % len(runners):] + runners[:r % len(runners)] if runners else []
            for row, runner in order:
                fresh_heap()
                samples[row.name] += [_one(runner) for _ in range(per_round)]
        for row, runner in runners:
            runner.close()
            got = samples[row.name]
            totals = [t / 1000 for t, _, _ in got]
            total = statistics.median(totals)
            row.points[n] = StreamPoint(n, len(got), total, percentile(totals, 99), total / n,
                                        statistics.median(f / 1000 for _, f, _ in got),
                                        statistics.median((t - f) / 1000 / n for t, f, _ in got))
    _derive(rows)
    return rows


def _derive(rows: list[StreamRow]) -> None:
    by_name = {row.name: row for row in rows}
    for row in rows:
        sizes = sorted(row.points)
        if len(sizes) >= 2:
            xs = sizes
            ys = [row.points[n].total_us for n in sizes]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            row.slope_us = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        if 100 in row.points and sizes and sizes[-1] > 100:
            row.growth = row.points[sizes[-1]].steady_us / row.points[100].steady_us
        floor = by_name.get("httpx_floor")
        for n, point in row.points.items():
            if floor is not None and n in floor.points:
                point.ratio_floor = point.per_event_us / floor.points[n].per_event_us
            parts = LIMITS.get(row.name)
            if parts and all(p in by_name and n in by_name[p].points for p in parts):
                point.limit_per_event_us = sum(by_name[p].points[n].per_event_us for p in parts)
                point.ratio_limit = point.per_event_us / point.limit_per_event_us
