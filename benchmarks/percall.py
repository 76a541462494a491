"""Bench 1: per-call overhead of a non-streaming call, every contender on the same canned bytes.

Each contender answers the recorded JSON response (``function_tool_roundtrip`` entry 1) through
an in-process transport; we time whole calls (request building, transport, parsing, mapping into
the library's types). The floor is raw ``httpx`` + ``json.loads``; each adapter is also compared
with its *limit*, the floor plus its framework's own floor (a trivial model returning the same
output without I/O).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .contenders import CONTENDERS, Contender, NotInstalled, Runner
from .fixtures import json_canned
from .timing import fresh_heap, sample, stats

__all__ = ["LIMITS", "PerCallRow", "run_percall"]

#: contender -> the floors its limit adds up (bench 5).
LIMITS: dict[str, tuple[str, ...]] = {
    "core": ("httpx_floor",),
    "openai_sdk": ("httpx_floor",),
    "chat_foundry": ("httpx_floor", "lc_floor"),
    "chat_openai": ("httpx_floor", "lc_floor"),
    "foundry_llm": ("httpx_floor", "li_floor"),
    "openai_responses": ("httpx_floor", "li_floor"),
}


@dataclass
class PerCallRow:
    name: str
    label: str
    status: str = "ok"  # "ok", "not installed", or an error
    samples_us: list[float] = field(default_factory=list, repr=False)
    median_us: float = 0.0
    p99_us: float = 0.0
    ratio_floor: float | None = None
    limit_us: float | None = None
    ratio_limit: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "samples_us"}


def _prepare(contender: Contender) -> tuple[PerCallRow, Runner | None]:
    row = PerCallRow(contender.name, contender.label)
    try:
        runner = contender.build(json_canned())
        got = runner.describe(runner.call())
        if got != "get_weather":
            raise AssertionError(f"expected the get_weather call, got {got!r}")
    except NotInstalled:
        row.status = "not installed"
        return row, None
    except Exception as exc:  # a broken contender is reported, not fatal
        row.status = f"error: {type(exc).__name__}: {exc}"[:200]
        return row, None
    return row, runner


def run_percall(*, iterations: int = 2000, rounds: int = 5, warmup: int = 100,
                contenders: list[Contender] | None = None) -> list[PerCallRow]:
    prepared = [_prepare(c) for c in (contenders or CONTENDERS)]
    live = [(row, runner) for row, runner in prepared if runner is not None]
    for _, runner in live:
        for _ in range(warmup):
            runner.call()
    per_round = max(1, iterations // rounds)
    for r in range(rounds):
        order = live[r % len(live):] + live[:r % len(live)] if live else []
        for row, runner in order:
            fresh_heap()
            row.samples_us += [ns / 1000 for ns in sample(runner.call, per_round)]
    for row, runner in live:
        runner.close()
        s = stats(row.samples_us)
        row.median_us, row.p99_us = s.median, s.p99
    rows = {row.name: row for row, _ in prepared}
    _ratios(rows)
    return [row for row, _ in prepared]


def _ratios(rows: dict[str, PerCallRow]) -> None:
    floor = rows.get("httpx_floor")
    if floor is None or floor.status != "ok":
        return
    for row in rows.values():
        if row.status != "ok":
            continue
        row.ratio_floor = row.median_us / floor.median_us
        parts = LIMITS.get(row.name)
        if parts and all(rows.get(p) is not None and rows[p].status == "ok" for p in parts):
            row.limit_us = sum(rows[p].median_us for p in parts)
            row.ratio_limit = row.median_us / row.limit_us
