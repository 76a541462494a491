"""The benchmark harness runs end to end with tiny sizes (no timing assertions).

The contenders (openai, langchain-openai, ...) come with the ``bench`` extra; without them their
rows say "not installed" and the harness itself is still exercised.
"""

from __future__ import annotations

import importlib.util

from benchmarks import concurrency, imports, load, percall, report, streaming
from benchmarks.contenders import CONTENDERS
from benchmarks.fixtures import json_canned, stream_canned


def test_stream_fixture_has_the_recorded_shape() -> None:
    canned = stream_canned(5)
    assert len(canned.chunks) == 5 + 8
    assert canned.chunks[0].startswith(b"event: response.created\n")
    assert canned.chunks[-1].startswith(b"event: response.completed\n")
    assert canned.text.encode() in canned.chunks[-1]
    assert stream_canned(0).deltas == 104
    assert b"get_weather" in json_canned().body


def test_percall_runs_every_contender() -> None:
    rows = percall.run_percall(iterations=4, rounds=2, warmup=1)
    assert [r.name for r in rows] == [c.name for c in CONTENDERS]
    ok = {r.name: r for r in rows if r.status == "ok"}
    assert {"httpx_floor", "core"} <= set(ok)
    assert all(r.status in ("ok", "not installed") for r in rows), [r.status for r in rows]
    assert ok["core"].ratio_floor is not None


def test_streaming_runs_and_derives_growth() -> None:
    rows = streaming.run_streaming(sizes=(3, 100, 150), budget_events=10, min_runs=1, max_runs=2, rounds=1)
    assert all(r.status in ("ok", "not installed") for r in rows), [r.status for r in rows]
    core = next(r for r in rows if r.name == "core")
    assert set(core.points) == {3, 100, 150}
    assert core.slope_us is not None and core.growth is not None


def test_concurrency_over_loopback_has_no_errors() -> None:
    rows = concurrency.run_concurrency(levels=(2,), seconds=5.0, min_streams=2, per_worker=1,
                                       names=("httpx_floor", "core"))
    for row in rows:
        assert row.status == "ok", row.status
        assert row.errors == 0, row.error_samples
        assert row.streams >= 2
        assert 1 <= row.connections <= 2


def test_core_imports_no_framework() -> None:
    assert imports.core_import_leaks() == []


def test_report_renders(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = report.Results()
    res.quick = True
    res.percall = percall.run_percall(iterations=2, rounds=1, warmup=1)
    res.streaming = streaming.run_streaming(sizes=(3, 100), budget_events=4, min_runs=1, max_runs=1, rounds=1)
    res.memory = imports.run_memory(count=5, names=("core",))
    path = report.write_report(res, tmp_path)
    text = path.read_text()
    assert "## Targets" in text and "## 1. Per-call overhead" in text and "Memory of 1,000" in text
    if importlib.util.find_spec("matplotlib") is not None:  # charts are drawn when matplotlib is there
        assert (tmp_path / "stream_per_event.png").is_file()
    assert report.to_json(res)["targets"]


def test_load_retries_refused_requests_within_budget() -> None:
    result = load.run_load(requests=40, concurrency=8, rounds=1)
    assert len(result["limits"]) == len(load.LIMIT_CANDIDATES)
    assert sum(r.is_default for r in result["limits"]) == 1  # DEFAULT_LIMITS is among the measured
    for row in result["faults"]:
        if row.status != "ok":
            continue
        assert row.succeeded == 40, row.errors[:3]
        assert row.sends == {1: 36, 2: 3, 4: 1}  # 10% refused once, 1% three times: never a 5th send


def test_telemetry_bench_runs_every_configuration() -> None:
    from benchmarks import telemetry

    result = telemetry.run_telemetry(iterations=5, events=5, rounds=1)
    rows = {r["mode"]: r for r in result["rows"]}
    assert set(rows) == {"absent", "api", "sdk"}
    # only the SDK configuration records spans: 5 calls + 3 streams + the warm-up's 5 + 5
    assert rows["absent"]["spans"] == rows["api"]["spans"] == 0 and rows["sdk"]["spans"] == 18
    assert "SDK provider + in-memory exporter" in telemetry.to_markdown(result)
