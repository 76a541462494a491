"""The summary of a batch run, and the progress line: pure, built from output records."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchSummary", "format_duration", "format_progress", "percentile"]


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of already sorted values; ``None`` when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class BatchSummary:
    """Counts, tokens and latencies of one run; :meth:`add` takes each output record.

    ``skipped`` counts records already in the output (a resumed run); ``throttled`` the 429/503
    answers the limiter absorbed (they are re-sent, not failures).
    """

    total: int = 0
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    throttled: int = 0
    elapsed_s: float = 0.0
    _latencies: list[float] = field(default_factory=list, repr=False)

    def add(self, record: dict[str, Any]) -> None:
        if record.get("status") == "error":
            self.failed += 1
        else:
            self.ok += 1
        usage = record.get("usage") or {}
        self.input_tokens += int(usage.get("input_tokens") or 0)
        self.output_tokens += int(usage.get("output_tokens") or 0)
        self.throttled += max(0, int(record.get("attempts") or 1) - 1)
        if isinstance(record.get("latency_ms"), (int, float)):
            self._latencies.append(float(record["latency_ms"]))

    @property
    def done(self) -> int:
        return self.ok + self.failed

    @property
    def records_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def p50_ms(self) -> float | None:
        return percentile(sorted(self._latencies), 50)

    @property
    def p95_ms(self) -> float | None:
        return percentile(sorted(self._latencies), 95)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "skipped": self.skipped, "ok": self.ok, "failed": self.failed,
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "throttled": self.throttled, "elapsed_s": round(self.elapsed_s, 3),
                "records_per_s": round(self.records_per_s, 2), "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        def ms(v: float | None) -> str:
            return "-" if v is None else f"{v:.0f} ms"
        skipped = f" ({self.skipped} already done)" if self.skipped else ""
        return (f"{self.ok} ok, {self.failed} failed of {self.total}{skipped} in {format_duration(self.elapsed_s)} "
                f"({self.records_per_s:.1f} records/s); tokens {self.input_tokens} in / {self.output_tokens} out; "
                f"latency p50 {ms(self.p50_ms)}, p95 {ms(self.p95_ms)}; {self.throttled} throttled and re-sent")


def format_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def format_progress(summary: BatchSummary, *, elapsed_s: float, width: int = 20) -> str:
    """``[#####.....] 512/1000 51% | 3 failed | 42.0 rec/s | ETA 00:12 | tokens 1200 in / 800 out``."""
    todo = max(0, summary.total - summary.skipped)
    done = summary.done
    fraction = done / todo if todo else 1.0
    filled = int(fraction * width)
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    eta = (todo - done) / rate if rate > 0 else None
    failed = f" | {summary.failed} failed" if summary.failed else ""
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{todo} {fraction:.0%}{failed} | {rate:.1f} rec/s "
            f"| ETA {format_duration(eta)} | tokens {summary.input_tokens} in / {summary.output_tokens} out")
