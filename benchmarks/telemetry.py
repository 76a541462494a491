"""Bench 7: the cost of the OpenTelemetry hooks, per call and per stream event.

The core client answers canned bytes through an in-process transport (as in benches 1 and 2) in
three configurations, each in its own interpreter (OpenTelemetry's providers are process-wide):

- **absent**: ``opentelemetry`` cannot be imported (as without the ``[otel]`` extra);
- **API, no provider**: ``opentelemetry-api`` installed, no SDK provider configured (the hooks are
  one cached check);
- **SDK + in-memory exporter**: a real ``TracerProvider`` with a ``SimpleSpanProcessor`` and an
  ``InMemorySpanExporter``, and a ``MeterProvider`` with an ``InMemoryMetricReader``: every call is
  a recorded span plus two histograms.

Per call: the median of a non-streaming call. Per stream event: the median whole-stream time of
an N-delta stream divided by N (the span is opened and ended once per stream, never per event).
The modes run interleaved over ``rounds`` (one child process each), medians of the rounds' medians.

``python -m benchmarks.telemetry [ITERATIONS] [STREAM_EVENTS] [ROUNDS]`` prints the Markdown
section; ``python -m benchmarks --only telemetry`` puts it in RESULTS.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from time import perf_counter_ns
from typing import Any

__all__ = ["MODES", "run_telemetry", "to_markdown"]

MODES = {
    "absent": "OpenTelemetry absent",
    "api": "API, no provider configured",
    "sdk": "SDK provider + in-memory exporter",
}
ROOT = Path(__file__).resolve().parents[1]


def _child(mode: str, iterations: int, events: int) -> dict[str, Any]:
    """Runs inside the child interpreter: configure ``mode``, time calls and streams."""
    if mode == "absent":
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]
    exporter = None
    if mode == "sdk":
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))
    from .contenders import _build_core
    from .fixtures import json_canned, stream_canned
    from .timing import fresh_heap

    call, stream = _build_core(json_canned()), _build_core(stream_canned(events))
    for _ in range(max(5, iterations // 10)):  # warm-up
        call.call()
        "".join(stream.stream())
    fresh_heap()
    per_call = []
    for _ in range(iterations):
        start = perf_counter_ns()
        call.call()
        per_call.append(perf_counter_ns() - start)
    per_stream = []
    for _ in range(max(3, iterations // 20)):
        start = perf_counter_ns()
        text = "".join(stream.stream())
        per_stream.append(perf_counter_ns() - start)
    spans = len(exporter.get_finished_spans()) if exporter is not None else 0
    call.close()
    stream.close()
    assert text == stream_canned(events).text
    return {"call_us": statistics.median(per_call) / 1000, "event_us": statistics.median(per_stream) / 1000 / events,
            "spans": spans}


def run_telemetry(*, iterations: int = 2000, events: int = 1000, rounds: int = 3) -> dict[str, Any]:
    """Each mode's median per-call and per-event time (µs), and the difference to "absent"."""
    samples: dict[str, list[dict[str, Any]]] = {m: [] for m in MODES}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    for r in range(rounds):
        order = list(MODES)[r % len(MODES):] + list(MODES)[:r % len(MODES)]
        for mode in order:
            done = subprocess.run([sys.executable, "-m", "benchmarks.telemetry", "--child", mode, str(iterations),
                                   str(events)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
            if done.returncode != 0:
                raise RuntimeError(f"telemetry bench child {mode!r} failed:\n{done.stderr[-2000:]}")
            samples[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    rows = []
    for mode, label in MODES.items():
        got = samples[mode]
        rows.append({"mode": mode, "label": label,
                     "call_us": statistics.median(s["call_us"] for s in got),
                     "event_us": statistics.median(s["event_us"] for s in got),
                     "spans": got[-1]["spans"]})
    base = rows[0]
    for row in rows:
        row["call_delta_us"] = row["call_us"] - base["call_us"]
        row["event_delta_us"] = row["event_us"] - base["event_us"]
    return {"iterations": iterations, "events": events, "rounds": rounds, "rows": rows}


def to_markdown(result: dict[str, Any]) -> str:
    lines = [f"Core client, canned bytes through an in-process transport; {result['iterations']} calls and "
             f"streams of {result['events']} text deltas per round, {result['rounds']} interleaved round(s), "
             "one process per mode and round.", "",
             "| configuration | per call (µs, median) | vs absent | per stream event (µs) | vs absent | spans recorded |",
             "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        lines.append(f"| {row['label']} | {row['call_us']:.1f} | {row['call_delta_us']:+.1f} | {row['event_us']:.3f} | "
                     f"{row['event_delta_us']:+.3f} | {row['spans']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        args = [int(a) for a in sys.argv[1:4]]
        keys = ("iterations", "events", "rounds")
        print(to_markdown(run_telemetry(**dict(zip(keys, args, strict=False)))))
