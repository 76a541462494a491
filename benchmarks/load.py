"""Bench 6: 1,000 requests at concurrency 64, over loopback sockets (not a timed test).

Two questions, both against the canned :mod:`.server` in a subprocess:

* **Pool limits.** The async core client sends ``requests`` JSON calls, ``concurrency`` at a
  time, once per candidate ``httpx.Limits`` (the package's ``DEFAULT_LIMITS`` among them),
  interleaved over ``rounds``; we report the median time. This is how ``DEFAULT_LIMITS`` was chosen.
* **Load with injected faults.** The server refuses 10% of the requests before any work (429 or
  503, 1% of them three times in a row: see :mod:`.server`), and each request carries a marker so
  the server counts how many times it was sent. Through the async core client,
  ``ChatFoundryAgent.abatch`` and ``FoundryAgentLLM.achat``, with ``max_retries=3``, we report
  the success rate, the time, and the histogram of sends per request; the budget is 4 sends.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .concurrency import ServerProcess
from .contenders import API_KEY
from .fixtures import AGENT

__all__ = ["LIMIT_CANDIDATES", "FaultResult", "LimitResult", "run_load"]

MAX_RETRIES = 3
#: Candidates, by label; the first is httpx's own default.
LIMIT_CANDIDATES: dict[str, httpx.Limits] = {
    "httpx default (100 / 20 keep-alive)": httpx.Limits(max_connections=100, max_keepalive_connections=20),
    "previous default (1000 / 100 keep-alive)": httpx.Limits(max_connections=1000, max_keepalive_connections=100),
    "1000 / 20 keep-alive": httpx.Limits(max_connections=1000, max_keepalive_connections=20),
    "100 / 64 keep-alive": httpx.Limits(max_connections=100, max_keepalive_connections=64),
}


@dataclass
class LimitResult:
    label: str
    is_default: bool
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0


@dataclass
class FaultResult:
    name: str
    requests: int = 0
    succeeded: int = 0
    seconds: float = 0.0
    sends: dict[int, int] = field(default_factory=dict)  # times sent -> how many requests
    errors: list[str] = field(default_factory=list)
    status: str = "ok"

    @property
    def max_sends(self) -> int:
        return max(self.sends) if self.sends else 0


async def _bounded(count: int, concurrency: int, call: Callable[[int], Awaitable[Any]],
                   errors: list[str]) -> int:
    gate = asyncio.Semaphore(concurrency)
    ok = 0

    async def one(i: int) -> None:
        nonlocal ok
        async with gate:
            try:
                await call(i)
                ok += 1
            except Exception as exc:  # counted and reported, never fatal
                errors.append(f"{type(exc).__name__}: {exc}"[:160])

    await asyncio.gather(*(one(i) for i in range(count)))
    return ok


async def _core_run(endpoint: str, count: int, concurrency: int, errors: list[str],
                    limits: httpx.Limits | None = None) -> int:
    from foundry_agents import AsyncFoundryAgentsClient

    http = httpx.AsyncClient(limits=limits) if limits is not None else None
    client = AsyncFoundryAgentsClient(endpoint, api_key=API_KEY, max_retries=MAX_RETRIES, http_client=http)
    try:
        return await _bounded(count, concurrency,
                              lambda i: client.create_response(AGENT, input=f"bench-{i}"), errors)
    finally:
        await client.close()
        if http is not None:
            await http.aclose()


async def _chat_foundry_run(endpoint: str, count: int, concurrency: int, errors: list[str]) -> int:
    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent(AGENT, project_endpoint=endpoint, api_key=API_KEY, max_retries=MAX_RETRIES)
    try:
        results = await llm.abatch([f"bench-{i}" for i in range(count)], {"max_concurrency": concurrency},
                                   return_exceptions=True)
    finally:
        await llm.aclose()
    bad = [r for r in results if isinstance(r, Exception)]
    errors.extend(f"{type(e).__name__}: {e}"[:160] for e in bad)
    return len(results) - len(bad)


async def _foundry_llm_run(endpoint: str, count: int, concurrency: int, errors: list[str]) -> int:
    from llama_index.core.llms import ChatMessage

    from llama_index_foundry import FoundryAgentLLM

    llm = FoundryAgentLLM(AGENT, project_endpoint=endpoint, api_key=API_KEY, max_retries=MAX_RETRIES)
    try:
        return await _bounded(count, concurrency,
                              lambda i: llm.achat([ChatMessage(role="user", content=f"bench-{i}")]), errors)
    finally:
        await llm.aclose()


_FAULT_RUNS = {
    "async core client (create_response)": _core_run,
    "ChatFoundryAgent.abatch": _chat_foundry_run,
    "FoundryAgentLLM.achat": _foundry_llm_run,
}


def run_limits(*, requests: int = 1000, concurrency: int = 64, rounds: int = 3) -> list[LimitResult]:
    from foundry_agents._base import DEFAULT_LIMITS

    rows = [LimitResult(label, limits == DEFAULT_LIMITS) for label, limits in LIMIT_CANDIDATES.items()]
    with ServerProcess() as server:
        asyncio.run(_core_run(server.endpoint, 20, 4, []))  # warm imports and code paths, untimed
        for _ in range(rounds):
            for row in rows:
                errors: list[str] = []
                t0 = time.perf_counter()
                asyncio.run(_core_run(server.endpoint, requests, concurrency, errors,
                                      LIMIT_CANDIDATES[row.label]))
                row.seconds.append(time.perf_counter() - t0)
                if errors:
                    raise RuntimeError(f"{row.label}: {errors[0]}")
    return rows


def run_faults(*, requests: int = 1000, concurrency: int = 64) -> list[FaultResult]:
    rows: list[FaultResult] = []
    with ServerProcess(faults=True) as server:
        for name, run in _FAULT_RUNS.items():
            row = FaultResult(name, requests)
            rows.append(row)
            server.reset_sends()
            t0 = time.perf_counter()
            try:
                row.succeeded = asyncio.run(run(server.endpoint, requests, concurrency, row.errors))
            except ImportError as exc:
                row.status = f"not installed ({exc.name})"
                continue
            row.seconds = time.perf_counter() - t0
            row.sends = {int(k): v for k, v in server.sends()["sends"].items()}
    return rows


def run_load(*, requests: int = 1000, concurrency: int = 64, rounds: int = 3) -> dict[str, Any]:
    return {"limits": run_limits(requests=requests, concurrency=concurrency, rounds=rounds),
            "faults": run_faults(requests=requests, concurrency=concurrency),
            "requests": requests, "concurrency": concurrency}


def to_markdown(result: dict[str, Any]) -> str:
    n, c = result["requests"], result["concurrency"]
    out = [f"### Pool limits: {n} JSON requests at concurrency {c}, async core client", "",
           "| limits | median s | runs (s) |", "|---|---|---|"]
    for row in result["limits"]:
        mark = " **(DEFAULT_LIMITS)**" if row.is_default else ""
        out.append(f"| {row.label}{mark} | {row.median:.2f} | {', '.join(f'{s:.2f}' for s in row.seconds)} |")
    out += ["", f"### Load: {n} requests at concurrency {c}, 10% refused with 429/503, max_retries={MAX_RETRIES}",
            "", "| path | success | time s | sends per request (times sent: requests) | max sends (budget "
            f"{MAX_RETRIES + 1}) |", "|---|---|---|---|---|"]
    for row in result["faults"]:
        if row.status != "ok":
            out.append(f"| {row.name} | {row.status} | | | |")
            continue
        hist = ", ".join(f"{k}: {v}" for k, v in sorted(row.sends.items()))
        out.append(f"| {row.name} | {row.succeeded}/{row.requests} ({100 * row.succeeded / row.requests:.1f}%) "
                   f"| {row.seconds:.2f} | {hist} | {row.max_sends} |")
    return "\n".join(out) + "\n"


def main() -> None:  # python -m benchmarks.load [requests] [concurrency] [rounds]
    import sys

    args = [int(a) for a in sys.argv[1:]]
    print(to_markdown(run_load(**dict(zip(("requests", "concurrency", "rounds"), args, strict=False)))))


if __name__ == "__main__":
    main()
