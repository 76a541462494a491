"""``python -m benchmarks [--quick] [--only part,...] [--out DIR]``: run the benches, write RESULTS.md."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from .concurrency import run_concurrency
from .imports import core_import_leaks, run_imports, run_memory
from .load import run_load
from .percall import run_percall
from .report import HERE, Results, to_json, write_report
from .streaming import run_streaming
from .telemetry import run_telemetry

PARTS = ("percall", "streaming", "concurrency", "imports", "memory", "load", "telemetry")

#: Settings per mode: the default finishes in about ten minutes on a 2-core machine.
SETTINGS = {
    "full": {
        "percall": {"iterations": 2000, "rounds": 5, "warmup": 100},
        "streaming": {"sizes": (10, 100, 1000, 10000), "budget_events": 30_000, "min_runs": 5, "max_runs": 200,
                      "rounds": 3},
        "concurrency": {"levels": (1, 16, 64, 256), "seconds": 4.0, "min_streams": 200, "per_worker": 8},
        "imports": {"runs": 5},
        "memory": {"count": 1000},
        "load": {"requests": 1000, "concurrency": 64, "rounds": 3},
        "telemetry": {"iterations": 2000, "events": 1000, "rounds": 3},
    },
    "quick": {
        "percall": {"iterations": 100, "rounds": 2, "warmup": 10},
        "streaming": {"sizes": (10, 100, 1000), "budget_events": 2000, "min_runs": 2, "max_runs": 20, "rounds": 2},
        "concurrency": {"levels": (1, 16), "seconds": 1.0, "min_streams": 16, "per_worker": 2},
        "imports": {"runs": 1},
        "memory": {"count": 100},
        "load": {"requests": 100, "concurrency": 16, "rounds": 1},
        "telemetry": {"iterations": 100, "events": 100, "rounds": 1},
    },
}


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(parts: tuple[str, ...], *, quick: bool) -> Results:
    settings = SETTINGS["quick" if quick else "full"]
    res = Results()
    res.quick = quick
    start = time.perf_counter()
    if "percall" in parts:
        _log("per-call overhead")
        res.percall = run_percall(**settings["percall"])  # type: ignore[arg-type]
    if "streaming" in parts:
        _log("streaming cost per event")
        res.streaming = run_streaming(**settings["streaming"])  # type: ignore[arg-type]
    if "concurrency" in parts:
        _log("concurrency over loopback sockets")
        res.concurrency = run_concurrency(**settings["concurrency"])  # type: ignore[arg-type]
    if "imports" in parts:
        _log("import times")
        res.imports = run_imports(**settings["imports"])  # type: ignore[arg-type]
        res.core_leaks = core_import_leaks()
    if "memory" in parts:
        _log("memory of finished responses")
        res.memory = run_memory(**settings["memory"])  # type: ignore[arg-type]
    if "load" in parts:
        _log("load: pool limits, and 10% injected 429/503")
        res.load = run_load(**settings["load"])  # type: ignore[arg-type]
    if "telemetry" in parts:
        _log("telemetry hooks: OpenTelemetry absent, API without provider, SDK")
        res.telemetry = run_telemetry(**settings["telemetry"])  # type: ignore[arg-type]
    res.seconds = time.perf_counter() - start
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (few iterations, small sizes)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md, results.json and charts go")
    args = parser.parse_args(argv)
    parts = tuple(p.strip() for p in args.only.split(",") if p.strip())
    # Opt-in (--only batch): it runs last and writes its own RESULTS.md section (benchmarks/batch.py).
    batch, parts = "batch" in parts, tuple(p for p in parts if p != "batch")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {', '.join(PARTS)}")
    if parts:
        res = run(parts, quick=args.quick)
        path = write_report(res, args.out)
        (args.out / "results.json").write_text(json.dumps(to_json(res), indent=1, default=str), encoding="utf-8")
        _log(f"wrote {path} in {res.seconds:.0f} s")
    if batch:
        from .batch import main as run_batch_bench

        run_batch_bench(["--runs", "500:200" if args.quick else "10000:400,2000:200"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
