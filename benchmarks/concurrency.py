"""Bench 3: many concurrent async streams over real loopback sockets.

A :mod:`.server` subprocess serves the recorded 112-event stream from precomputed bytes. For each
contender and each concurrency level ``c``, a fresh client runs ``c`` workers that each open
streams back to back until a count or a time limit is reached; every stream is read to the end
and its text deltas counted (a wrong count is an error). We report throughput (streams/s),
p50/p99 latency of a whole stream, errors, the connections the server accepted for that client
and the peak of simultaneously open ones, and the client's CPU time per stream. The client
runs in this process (one core), the server in another.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from .contenders import AsyncRunner, Contender, NotInstalled, by_name
from .fixtures import ROOT, stream_canned
from .timing import fresh_heap, percentile

__all__ = ["CONCURRENCY_CONTENDERS", "DEFAULT_LEVELS", "LevelResult", "ServerProcess", "run_concurrency"]

DEFAULT_LEVELS = (1, 16, 64, 256)
CONCURRENCY_CONTENDERS = ("httpx_floor", "core", "chat_foundry", "foundry_llm", "openai_sdk")
STREAM_TIMEOUT_S = 60.0


class ServerProcess:
    """The canned server in a subprocess (its own CPU core and GIL), on 127.0.0.1."""

    def __init__(self, max_seconds: float = 1800.0, *, faults: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", "--max-seconds", str(max_seconds),
             *(["--faults"] if faults else [])],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"the benchmark server did not start (said {line!r})")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}/api/projects/bench"

    def _get(self, method: str, path: str) -> dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers={"Connection": "close"})
            return json.loads(conn.getresponse().read())  # type: ignore[no-any-return]
        finally:
            conn.close()

    def stats(self) -> dict[str, int]:
        return self._get("GET", "/_stats")

    def reset_peak(self) -> None:
        self._get("POST", "/_reset_peak")

    def sends(self) -> dict[str, Any]:
        """With ``faults``: how many requests were seen, and how many times each was sent."""
        return self._get("GET", "/_sends")

    def reset_sends(self) -> None:
        self._get("POST", "/_reset_sends")

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@dataclass
class LevelResult:
    name: str
    label: str
    concurrency: int
    status: str = "ok"
    streams: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    throughput: float = 0.0  # streams per second
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    connections: int = 0  # accepted by the server for this client
    peak_open: int = 0
    cpu_us_per_stream: float = 0.0


async def _consume(runner: AsyncRunner) -> int:
    tokens = 0
    async for token in runner.astream():
        if token:
            tokens += 1
    return tokens


async def _level(contender: Contender, endpoint: str, c: int, total: int, seconds: float,
                 expected: int, result: LevelResult) -> None:
    # Warm the code paths with a throwaway client, then measure with a cold pool: httpcore
    # (1.0.x) assigns a burst of queued requests to an idle connection whose state is still
    # IDLE, so a warm pool would serialise the burst onto its few idle connections.
    warm = contender.build_async(endpoint)
    try:
        await asyncio.gather(*(_consume(warm) for _ in range(min(c, 4))))
    finally:
        await warm.aclose()
    runner = contender.build_async(endpoint)
    try:
        latencies: list[float] = []
        errors: list[str] = []
        started = 0
        cpu0 = time.process_time()
        t0 = time.perf_counter()

        async def worker() -> None:
            nonlocal started
            while started < total and time.perf_counter() - t0 < seconds:
                started += 1
                s0 = time.perf_counter()
                try:
                    got = await asyncio.wait_for(_consume(runner), STREAM_TIMEOUT_S)
                except Exception as exc:  # counted, reported, never fatal
                    errors.append(f"{type(exc).__name__}: {exc}"[:160])
                    continue
                if got != expected:
                    errors.append(f"{got} text deltas instead of {expected}")
                else:
                    latencies.append((time.perf_counter() - s0) * 1000)

        await asyncio.gather(*(worker() for _ in range(c)))
        result.seconds = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    finally:
        await runner.aclose()
    result.streams = len(latencies)
    result.errors = len(errors)
    result.error_samples = sorted(set(errors))[:3]
    result.throughput = result.streams / result.seconds if result.seconds else 0.0
    if latencies:
        result.p50_ms = statistics.median(latencies)
        result.p99_ms = percentile(latencies, 99)
    done = result.streams + result.errors
    result.cpu_us_per_stream = cpu * 1e6 / done if done else 0.0


def run_concurrency(*, levels: tuple[int, ...] = DEFAULT_LEVELS, seconds: float = 5.0, min_streams: int = 200,
                    per_worker: int = 8, names: tuple[str, ...] = CONCURRENCY_CONTENDERS) -> list[LevelResult]:
    expected = stream_canned(0).deltas
    results: list[LevelResult] = []
    with ServerProcess() as server:
        for name in names:
            contender = by_name(name)
            for c in levels:
                result = LevelResult(name, contender.label, c)
                results.append(result)
                if not contender.available():
                    result.status = "not installed"
                    continue
                total = max(min_streams, c * per_worker)
                server.reset_peak()
                before = server.stats()
                fresh_heap()
                try:
                    asyncio.run(_level(contender, server.endpoint, c, total, seconds, expected, result))
                except NotInstalled:
                    result.status = "not installed"
                    continue
                except Exception as exc:
                    result.status = f"error: {type(exc).__name__}: {exc}"[:200]
                time.sleep(0.05)  # let the server see the closed connections
                after = server.stats()
                result.connections = after["accepted"] - before["accepted"] - 1 - min(c, 4)
                result.peak_open = after["peak"]
    return results
