"""Batch runs against a simulated service rate limit (not a timed test).

``python -m benchmarks.batch [--runs RECORDS:LIMIT,...]`` (or ``python -m benchmarks --only batch``)
starts :class:`RateLimitedServer` in a subprocess: the canned loopback server of
:mod:`.server`, answering ``POST .../responses`` at most ``limit`` times per second (a token
bucket with a burst of a tenth of a second); above it, a 429 with ``retry-after-ms`` (the time to
the next free slot). Then it runs ``records`` prompts through ``run_batch`` (sync API),
``arun_batch`` (async API) and ``--engine ray`` with 1 and 2 workers (when ray is installed),
each with no ``max_rate`` given (the limiter finds the limit from the 429s), and checks records/s
against the limit (target >= 90%) and 0 failed records. Last, ``foundry-agents batch`` runs in a
subprocess, is killed with SIGKILL part-way, and is resumed: the output ids must be exactly the
input ids, once each.

It prints a Markdown section and writes it into RESULTS.md (replacing its own earlier section).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from foundry_agents.batch import ListSink

from .concurrency import ROOT, ServerProcess
from .contenders import API_KEY
from .fixtures import AGENT
from .server import CannedServer, _listening_socket, _response

__all__ = ["RateLimitedServer", "run_batch_bench"]

SECTION = "## Batch runs under a simulated rate limit"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


class RateLimitedServer(CannedServer):
    """The canned server with a token-bucket limit on ``POST .../responses``."""

    def __init__(self, limit: float) -> None:
        super().__init__()
        self.limit = limit
        self.burst = max(1.0, limit / 10)
        self.tokens = self.burst
        self.last = time.monotonic()
        self.answered = 0
        self.refused = 0

    def stats(self) -> dict[str, int]:
        return {**super().stats(), "answered": self.answered, "refused": self.refused}

    def _answer(self, request_line: bytes, body: bytes) -> bytes:
        path = request_line.split(b" ")[1] if b" " in request_line else b""
        if request_line.startswith(b"POST") and path.split(b"?")[0].endswith(b"/responses"):
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.limit)
            self.last = now
            if self.tokens < 1:
                self.refused += 1
                wait_ms = max(1, int((1 - self.tokens) / self.limit * 1000) + 1)
                return _response(429, {"Content-Type": "application/json", "retry-after-ms": str(wait_ms)},
                                 (b'{"error":{"code":"too_many_requests","message":"rate limited"}}',),
                                 chunked=False)
            self.tokens -= 1
            self.answered += 1
        return super()._answer(request_line, body)


async def _serve(limit: float, max_seconds: float) -> None:
    server = RateLimitedServer(limit)
    sock = _listening_socket(0)
    async with await asyncio.start_server(server.handle, sock=sock, limit=64 * 1024):
        print(f"PORT {sock.getsockname()[1]}", flush=True)
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or (sys.stdin.read(), stop.set_result(None)))
        await asyncio.wait_for(stop, timeout=max_seconds)


class LimitedServerProcess(ServerProcess):
    def __init__(self, limit: float, max_seconds: float = 1800.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.batch", "--serve", "--limit", str(limit),
             "--max-seconds", str(max_seconds)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"the rate-limited server did not start (said {line!r})")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}/api/projects/bench"


def _records(n: int, tag: str) -> list[dict[str, Any]]:
    return [{"id": f"{tag}-{i}", "input": f"bench {tag} {i}"} for i in range(n)]


class _CpuWatch:
    """CPU seconds used during a run by this process and by processes whose name contains one of
    ``names`` (Ray actors, which die at the end of the run: sampled every 0.1 s, the last sample
    counts), and by the server."""

    def __init__(self, server_pid: int, names: tuple[str, ...]) -> None:
        import psutil

        self.psutil, self.names = psutil, names
        self.server = psutil.Process(server_pid)
        self.seen: dict[int, float] = {}
        self.base: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        procs: dict[int, Any] = {}
        ticks = 0
        while not self.stop.wait(0.1):
            if ticks % 5 == 0:  # look for new actors twice a second, read the known ones ten times
                for proc in self.psutil.process_iter(["name"]):
                    if any(name in (proc.info["name"] or "") for name in self.names) and proc.pid not in procs:
                        procs[proc.pid] = proc
                        try:  # from here on: the actor's start-up (imports) is not per-record work
                            self.base[proc.pid] = sum(proc.cpu_times()[:2])
                        except self.psutil.Error:
                            procs.pop(proc.pid)
            ticks += 1
            for pid, proc in list(procs.items()):
                try:
                    times = proc.cpu_times()
                except self.psutil.Error:  # the actor ended: its last sample stands
                    procs.pop(pid)
                    continue
                self.seen[pid] = times.user + times.system - self.base[pid]
        self.sampling = time.thread_time()

    def __enter__(self) -> _CpuWatch:
        self.own, self.server_start, self.sampling = time.process_time(), self._server_cpu(), 0.0
        if self.names:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.names:
            self.thread.join()
        # the sampling thread's own CPU is the benchmark's, not the client's
        self.client = time.process_time() - self.own - self.sampling + sum(self.seen.values())
        self.served = self._server_cpu() - self.server_start

    def _server_cpu(self) -> float:
        times = self.server.cpu_times()
        return float(times.user + times.system)


def _measure(name: str, limit: float, run: Callable[[ListSink], Any], server: LimitedServerProcess,
             actors: tuple[str, ...] = ()) -> dict[str, Any]:
    """One run, timed as a whole (for Ray: starting the actors included)."""
    before = server.stats()
    sink = ListSink()
    with _CpuWatch(server.proc.pid, actors) as cpu:
        start = time.perf_counter()
        summary = run(sink)
        seconds = time.perf_counter() - start
    after = server.stats()
    rate = summary.done / seconds
    row = {"run": name, "records": summary.done, "seconds": round(seconds, 2), "records_per_s": round(rate, 1),
           "of_limit": round(rate / limit, 3), "failed": summary.failed,
           "throttled": after["refused"] - before["refused"], "p50_ms": summary.p50_ms, "p95_ms": summary.p95_ms,
           "client_cpu_ms": round(cpu.client / max(1, summary.done) * 1000, 3),
           "server_cpu_ms": round(cpu.served / max(1, summary.done) * 1000, 3)}
    failures = [r["error"] for r in sink.records if r.get("status") == "error"]
    if failures:  # a failed record is a finding: say why, in the results too
        row["failures"] = failures[:5]
    print(f"  {row}", flush=True)
    return row


def _kill_and_resume(endpoint: str, n: int, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        records = _records(n, "kill")
        source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        env = {**os.environ, "FOUNDRY_API_KEY": API_KEY}
        args = [sys.executable, "-m", "foundry_agents.cli", "batch", str(source), "--agent", AGENT, "-o", str(out),
                "--endpoint", endpoint, "--no-check", "--concurrency", str(concurrency)]
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and (not out.exists() or out.read_bytes().count(b"\n") < n // 3):
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = out.read_bytes()
        at_kill, torn = data.count(b"\n"), not data.endswith(b"\n")
        resumed = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
        expected = [r["id"] for r in records]
        return {"records": n, "written_at_kill": at_kill, "torn_line_at_kill": torn, "resume_exit": resumed.returncode,
                "lost": len(set(expected) - set(ids)), "duplicated": len(ids) - len(set(ids)),
                "exact": sorted(ids) == sorted(expected)}


def run_batch_bench(*, records: int = 2000, limit: float = 200.0, concurrency: int = 16,
                    ray_workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    from foundry_agents.batch import WorkerSpec, arun_batch, run_batch

    rows: list[dict[str, Any]] = []
    server = LimitedServerProcess(limit)
    kwargs = {"agent": AGENT, "project_endpoint": server.endpoint, "api_key": API_KEY, "concurrency": concurrency,
              "check_agent": False}
    try:
        rows.append(_measure("one process, sync API (run_batch)", limit,
                             lambda sink: run_batch(_records(records, "sync"), sink, **kwargs), server))
        rows.append(_measure("one process, async API (arun_batch)", limit,
                             lambda sink: asyncio.run(arun_batch(_records(records, "async"), sink, **kwargs)),
                             server))
        ray_note = ""
        try:
            import ray
        except ImportError:
            ray_note = "ray is not installed: the Ray rows were skipped"
        else:
            os.environ["FOUNDRY_API_KEY"] = API_KEY  # the workers' token, from their environment
            from foundry_agents.batch.ray_engine import run_batch_ray

            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            try:
                for workers in ray_workers:
                    spec = WorkerSpec(agent=AGENT, project_endpoint=server.endpoint, concurrency=concurrency)
                    rows.append(_measure(f"Ray, {workers} worker(s)", limit, lambda sink, w=workers, s=spec: run_batch_ray(
                        _records(records, f"ray{w}"), sink, spec=s, workers=w), server,
                        actors=("ray::_Worker", "ray::SharedLimiter")))
            finally:
                ray.shutdown()
        kill = _kill_and_resume(server.endpoint, records, concurrency)
        print(f"  kill and resume: {kill}", flush=True)
    finally:
        server.close()
    return {"records": records, "limit": limit, "concurrency": concurrency, "rows": rows, "kill": kill,
            "note": ray_note}


def render(results: list[dict[str, Any]], *, note: str = "") -> str:
    """The RESULTS.md section: the first configuration under the section title, the others as
    subsections."""
    parts = [SECTION, ""]
    for i, result in enumerate(results):
        if i:
            parts += [f"### {result['records']:,} prompts at {result['limit']:g} responses/s", ""]
        parts.append(_render_one(result))
        if i == 0 and note:
            parts += [note, ""]
    return "\n".join(parts)


def _render_one(result: dict[str, Any]) -> str:
    limit = result["limit"]
    size = "the issue's size" if result["records"] >= 10_000 else "the issue's 10,000 scaled down"
    lines = [f"`python -m benchmarks.batch --runs {result['records']}:{limit:g}`: {result['records']} "
             f"prompts per run ({size}) "
             f"against the canned loopback server limited to {limit:g} responses/s (token bucket, burst "
             f"{max(1.0, limit / 10):g}; above it a 429 with `retry-after-ms`), concurrency {result['concurrency']} "
             "per process/worker, no `max_rate` given: the limiter finds the limit from the 429s. Target: >= 90% "
             "of the limit, 0 failed.", "",
             "Each run is timed as a whole call (Ray: starting the actors included). *Client CPU*: CPU seconds "
             "of the processes doing the client work (one process: the benchmark process; Ray: the worker and "
             "limiter actors from when they are named, past most of their start-up, plus the driver) per "
             "record; *server CPU*: the simulated service's.", "",
             "| run | records | seconds | records/s | of the limit | failed | 429s absorbed | p50 ms | p95 ms "
             "| client CPU ms/record | server CPU ms/record |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        verdict = "ok" if r["of_limit"] >= 0.9 and r["failed"] == 0 else "MISSED"
        lines.append(f"| {r['run']} | {r['records']} | {r['seconds']} | {r['records_per_s']} | "
                     f"{r['of_limit']:.0%} ({verdict}) | {r['failed']} | {r['throttled']} | "
                     f"{_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_ms(r.get('client_cpu_ms'), 2)} | "
                     f"{_ms(r.get('server_cpu_ms'), 2)} |")
    for r in result["rows"]:
        for error in r.get("failures", []):
            lines.append(f"\nA failed record of *{r['run']}*: `{error.get('type')}` "
                         f"(status {error.get('status_code')}): {error.get('message')}")
    k = result["kill"]
    lines += ["", f"Kill and resume: `foundry-agents batch` over {k['records']} prompts, SIGKILL after "
              f"{k['written_at_kill']} records were written (torn last line: {k['torn_line_at_kill']}), then the "
              f"same command again (exit {k['resume_exit']}): {k['lost']} lost, {k['duplicated']} duplicated, "
              f"output ids exactly the input ids: {k['exact']}."]
    if result["note"]:
        lines += ["", result["note"] + "."]
    lines += ["", "Latency is per successful send (a re-sent record's last attempt). Starting the Ray actors "
              "costs about a second on this machine, which the Ray rows pay; Ray pays off when one process's CPU, "
              "not the service limit, is the bottleneck.", ""]
    return "\n".join(lines)


def _ms(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def write_section(text: str, path: Path = RESULTS) -> None:
    """Put ``text`` at the end of RESULTS.md, replacing an earlier batch section."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    head, found, tail = current.partition(SECTION)
    if found:
        rest = tail.split("\n## ", 1)
        current = head.rstrip("\n") + "\n\n" + ("## " + rest[1] if len(rest) > 1 else "")
    path.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="10000:400,2000:200",
                        help="comma-separated RECORDS:LIMIT configurations (limit: simulated responses/s)")
    parser.add_argument("--note", default="", help="a paragraph put under the first configuration's table")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, default=200.0, help=argparse.SUPPRESS)  # the server's (--serve)
    parser.add_argument("--max-seconds", type=float, default=1800.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.limit, args.max_seconds))
        return 0
    runs = [tuple(part.split(":")) for part in args.runs.split(",") if part.strip()]
    results = [run_batch_bench(records=int(n), limit=float(limit), concurrency=args.concurrency) for n, limit in runs]
    text = render(results, note=args.note)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
