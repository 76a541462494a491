"""Bench 6: ``RESULTS.md`` and its charts, from the results of one run.

Everything in the report is generated from the measurements except the profile analysis, which
is kept by hand in ``benchmarks/analysis.md`` and included verbatim (it says which commit it was
profiled at).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from .concurrency import LevelResult
from .imports import ImportRow, MemoryRow
from .percall import PerCallRow
from .streaming import StreamRow

__all__ = ["Results", "machine", "versions", "write_report"]

HERE = Path(__file__).resolve().parent
PACKAGES = ("foundry-agents", "httpx", "httpcore", "httpx2", "openai", "pydantic", "langchain-core",
            "langchain-openai", "llama-index-core", "llama-index-llms-openai", "matplotlib", "psutil")
TARGET_ADAPTER = 1.5
TARGET_CORE = 1.3
TARGET_IMPORT = 0.6


TELEMETRY_TITLE = "Telemetry overhead: OpenTelemetry absent, API without provider, SDK"


class Results:
    """What one run measured (any part may be missing when skipped)."""

    def __init__(self) -> None:
        self.quick = False
        self.seconds = 0.0
        self.percall: list[PerCallRow] = []
        self.streaming: list[StreamRow] = []
        self.concurrency: list[LevelResult] = []
        self.imports: list[ImportRow] = []
        self.core_leaks: list[str] | None = None
        self.memory: list[MemoryRow] = []
        self.load: dict[str, Any] | None = None
        self.telemetry: dict[str, Any] | None = None


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"CPU": cpu, "cores": str(os.cpu_count()), "Python": sys.version.split()[0] + f" ({platform.python_implementation()})",
            "OS": platform.platform()}


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# -- formatting ---------------------------------------------------------------------------------
def _f(value: float | None, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return [*lines, ""]


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "**missed**")


# -- targets ------------------------------------------------------------------------------------
def _targets(res: Results) -> list[tuple[str, str, str, bool | None]]:
    """(goal, measured, target, met?) for every goal of the issue."""
    out: list[tuple[str, str, str, bool | None]] = []
    calls = {r.name: r for r in res.percall if r.status == "ok"}
    streams = {r.name: r for r in res.streaming if r.status == "ok"}
    if "core" in calls and calls["core"].ratio_floor is not None:
        v = calls["core"].ratio_floor
        out.append(("core create_response vs raw httpx floor", _x(v), f"<= {TARGET_CORE}x", v <= TARGET_CORE))
    for name, what in (("chat_foundry", "ChatFoundryAgent.invoke"), ("foundry_llm", "FoundryAgentLLM.chat")):
        row = calls.get(name)
        if row is not None and row.ratio_limit is not None:
            out.append((f"{what} vs its limit (httpx + framework floor)", _x(row.ratio_limit),
                        f"<= {TARGET_ADAPTER}x", row.ratio_limit <= TARGET_ADAPTER))
    # Streaming verdicts use the per-event slope (least squares over all N): the per-N ratios are
    # shown too, but on a shared machine a single N can swing by 30%.
    floors = {"core": ("httpx_floor",), "chat_foundry": ("httpx_floor", "lc_floor"),
              "foundry_llm": ("httpx_floor", "li_floor")}
    for name, what, target in (("core", "core stream_response", TARGET_CORE),
                               ("chat_foundry", "ChatFoundryAgent.stream", TARGET_ADAPTER),
                               ("foundry_llm", "FoundryAgentLLM.stream_chat", TARGET_ADAPTER)):
        row = streams.get(name)
        parts = [streams.get(p) for p in floors[name]]
        if row is None or row.slope_us is None or any(p is None or p.slope_us is None for p in parts):
            continue
        limit = sum(p.slope_us for p in parts if p is not None and p.slope_us is not None)
        ratio = row.slope_us / limit
        per_n = ", ".join(f"{n}: {(p.ratio_floor if name == 'core' else p.ratio_limit) or 0:.2f}x"
                          for n, p in sorted(row.points.items()))
        base = "floor" if name == "core" else "limit"
        out.append((f"{what}: per-event slope vs its {base} (per-N ratios)",
                    f"{ratio:.2f}x ({row.slope_us:.1f} vs {limit:.1f} µs; {per_n})", f"<= {target}x",
                    ratio <= target))
    for name in ("core", "chat_foundry", "foundry_llm"):
        row = streams.get(name)
        if row is not None and row.growth is not None:
            out.append((f"linear growth ({row.label}): steady per-event(max N)/(100)", _x(row.growth),
                        "≈ 1x (<= 1.3x)", row.growth <= 1.3))
    top = max((r.concurrency for r in res.concurrency), default=0)
    at_top = {r.name: r for r in res.concurrency if r.concurrency == top and r.status == "ok"}
    if "core" in at_top:
        core = at_top["core"]
        out.append((f"{top} concurrent streams: errors (core)", str(core.errors), "0", core.errors == 0))
        sdk = at_top.get("openai_sdk")
        if sdk is not None:
            for name in ("core", "chat_foundry", "foundry_llm"):
                if name in at_top:
                    row = at_top[name]
                    out.append((f"{top} streams: throughput {row.label} vs openai SDK",
                                f"{row.throughput:.1f} vs {sdk.throughput:.1f} streams/s", ">= openai SDK",
                                row.throughput >= sdk.throughput))
    imports = {r.module: r for r in res.imports if r.status == "ok"}
    for ours, theirs, floor in (("langchain_foundry_agents", "langchain_openai", "langchain_core.language_models.chat_models"),
                                ("llama_index_foundry", "llama_index.llms.openai", "llama_index.core.llms.function_calling")):
        if ours in imports and theirs in imports and floor in imports:
            mine = imports[ours].import_ms - imports[floor].import_ms
            other = imports[theirs].import_ms - imports[floor].import_ms
            out.append((f"import time above the framework floor: {ours} vs {theirs}",
                        f"{mine:+,.0f} ms vs {other:+,.0f} ms", "(context; noise ~±150 ms)", None))
    if "langchain_foundry_agents" in imports and "langchain_openai" in imports:
        v = imports["langchain_foundry_agents"].import_ms / imports["langchain_openai"].import_ms
        out.append(("import langchain_foundry_agents / langchain_openai", _x(v), f"<= {TARGET_IMPORT}x",
                    v <= TARGET_IMPORT))
    if "llama_index_foundry" in imports and "llama_index.llms.openai" in imports:
        v = imports["llama_index_foundry"].import_ms / imports["llama_index.llms.openai"].import_ms
        out.append(("import llama_index_foundry / llama_index.llms.openai", _x(v), "(no target)", None))
    if res.core_leaks is not None:
        out.append(("`import foundry_agents` loads no langchain / llama_index / openai module",
                    ", ".join(res.core_leaks) or "none", "none", not res.core_leaks))
    return out


# -- sections -----------------------------------------------------------------------------------
def _percall_section(res: Results) -> list[str]:
    lines = ["## 1. Per-call overhead, non-streaming", "",
             "The recorded JSON response (`function_tool_roundtrip` entry 1, 1.5 kB) served by an in-process "
             "transport; whole calls timed (request building, transport, parsing, mapping). *Limit* = raw httpx "
             "floor + the framework's own floor (a trivial model returning the same output with no I/O).", ""]
    rows = []
    for r in res.percall:
        if r.status != "ok":
            rows.append([r.label, r.status, "", "", "", "", ""])
            continue
        rows.append([r.label, _f(r.median_us), _f(r.p99_us), _x(r.ratio_floor), _f(r.limit_us), _x(r.ratio_limit),
                     str(len(r.samples_us))])
    return lines + _table(["contender", "median µs", "p99 µs", "vs floor", "limit µs", "vs limit", "calls"], rows)


def _streaming_section(res: Results) -> list[str]:
    sizes = sorted({n for r in res.streaming for n in r.points})
    lines = ["## 2. Streaming: cost per event and time to first token", "",
             "Recorded-shape streams (created, in_progress, item.added, content_part.added, N x output_text.delta, "
             "text.done, content_part.done, item.done, completed), one SSE event per chunk, through each "
             "contender's sync streaming iterator. *Per event* = median whole-stream time / N.", "",
             "### Per event (µs) and ratio to the limit (floor for the core and the SDK; httpx floor + framework "
             "floor for adapters)", ""]
    rows = []
    for r in res.streaming:
        if r.status != "ok" and not r.points:
            rows.append([r.label, r.status] + [""] * (len(sizes) - 1))
            continue
        cells = []
        for n in sizes:
            p = r.points.get(n)
            if p is None:
                cells.append("-")
            else:
                ratio = p.ratio_limit if p.ratio_limit is not None else (p.ratio_floor if r.name != "httpx_floor" else None)
                cells.append(_f(p.per_event_us, 2) + (f" ({ratio:.2f}x)" if ratio is not None else ""))
        rows.append([r.label, *cells])
    lines += _table(["contender", *[f"N={n:,}" for n in sizes]], rows)
    lines += ["### Time to first token (µs, median)", ""]
    rows = [[r.label, *[_f(r.points[n].ttft_us) if n in r.points else "-" for n in sizes]]
            for r in res.streaming if r.points]
    lines += _table(["contender", *[f"N={n:,}" for n in sizes]], rows)
    lines += ["### Growth with stream length", "",
              "*Slope*: least-squares µs per extra event (total time against N). *Steady*: (total - time to first "
              "token) / N, the marginal cost of an event; *growth* = steady(largest N) / steady(100): 1.0 is linear.",
              ""]
    rows = [[r.label, _f(r.slope_us, 2), *[_f(r.points[n].steady_us, 2) if n in r.points else "-" for n in sizes],
             _x(r.growth)] for r in res.streaming if r.points]
    lines += _table(["contender", "slope µs/event", *[f"steady N={n:,}" for n in sizes], "growth"], rows)
    lines += ["![per-event cost against stream length](stream_per_event.png)", ""]
    return lines


def _concurrency_section(res: Results) -> list[str]:
    lines = ["## 3. Concurrency over real sockets", "",
             "Async streams of the recorded 112-event stream (104 text deltas) from a loopback server in another "
             "process that writes precomputed bytes (keep-alive, TCP_NODELAY). Per contender and level: a fresh "
             "client (cold pool, default limits of each library), `c` workers streaming back to back until "
             "max(200, 8·c) streams or the time limit. *Connections*: accepted by the server for that client; "
             "*CPU/stream*: client process CPU time per stream (the client is one Python thread, so throughput is "
             "bounded by 1 / CPU per stream).", ""]
    rows = [[r.label, str(r.concurrency), r.status if r.status != "ok" else str(r.streams), str(r.errors),
             _f(r.throughput), _f(r.p50_ms), _f(r.p99_ms), str(r.connections), str(r.peak_open),
             _f(r.cpu_us_per_stream / 1000, 2)] for r in res.concurrency]
    lines += _table(["contender", "concurrency", "streams", "errors", "streams/s", "p50 ms", "p99 ms",
                     "connections", "peak open", "CPU ms/stream"], rows)
    errors = [(r.label, r.concurrency, s) for r in res.concurrency for s in r.error_samples]
    if errors:
        lines += ["Error samples:", ""] + [f"- {label} @ {c}: `{s}`" for label, c, s in errors] + [""]
    lines += ["![throughput against concurrency](concurrency_throughput.png)", ""]
    return lines


def _imports_section(res: Results) -> list[str]:
    lines = ["## 4. Import time and memory", "",
             "Cold `import` in a fresh interpreter (bytecode cached, primed by one unmeasured run), median of "
             "several runs; *in-process* excludes interpreter start-up, *wall* is the process time minus "
             "`python -c pass`.", ""]
    base = {r.module: r for r in res.imports}.get("langchain_openai")
    rows = [[f"`{r.module}`", r.what, r.status if r.status != "ok" else _f(r.import_ms), _f(r.wall_ms),
             str(r.modules_loaded), _x(r.import_ms / base.import_ms) if base and base.import_ms and r.status == "ok" else "-"]
            for r in res.imports]
    lines += _table(["module", "what", "import ms (in-process)", "wall ms", "modules loaded", "vs langchain_openai"],
                    rows)
    if res.core_leaks is not None:
        lines += [f"`python -X importtime -c \"import foundry_agents\"` lists these langchain / llama_index / openai "
                  f"modules: **{', '.join(res.core_leaks) or 'none'}**.", ""]
    if res.memory:
        lines += ["### Memory of 1,000 finished responses", "",
                  "A fresh process makes the calls through the in-process transport (recorded JSON body) and keeps "
                  "every returned object. RSS growth is measured after `gc.collect()`; peak is the process's `VmHWM`.", ""]
        rows = [[r.label, r.status if r.status != "ok" else _f(r.kib_per_response, 2), _f(r.rss_growth_mib, 2),
                 _f(r.baseline_rss_mib), _f(r.peak_rss_mib)] for r in res.memory]
        lines += _table(["contender", "KiB per response", "RSS growth MiB", "RSS before MiB", "peak RSS MiB"], rows)
    return lines


# -- charts -------------------------------------------------------------------------------------
def _charts(res: Results, out_dir: Path) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    rows = [r for r in res.streaming if len(r.points) >= 2]
    if rows:
        fig, ax = plt.subplots(figsize=(8, 5))
        for r in rows:
            ns = sorted(r.points)
            ax.plot(ns, [r.points[n].per_event_us for n in ns], marker="o", label=r.label,
                    linestyle="--" if r.name.endswith("floor") else "-")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("text deltas in the stream (N)")
        ax.set_ylabel("µs per event (median whole stream / N)")
        ax.set_title("Streaming cost per event against stream length")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "stream_per_event.png", dpi=110)
        plt.close(fig)
        written.append("stream_per_event.png")
    names = list(dict.fromkeys(r.name for r in res.concurrency if r.status == "ok"))
    if names:
        fig, ax = plt.subplots(figsize=(8, 5))
        for name in names:
            pts = sorted((r.concurrency, r.throughput, r.label) for r in res.concurrency
                         if r.name == name and r.status == "ok")
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=pts[0][2],
                    linestyle="--" if name.endswith("floor") else "-")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrent streams")
        ax.set_ylabel("streams / s")
        ax.set_title("Throughput against concurrency (loopback, 112-event streams)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "concurrency_throughput.png", dpi=110)
        plt.close(fig)
        written.append("concurrency_throughput.png")
    return written


# -- the report ---------------------------------------------------------------------------------
def render(res: Results) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks: foundry-agents against the workarounds", "",
             f"Generated by `python -m benchmarks{' --quick' if res.quick else ''}` (`python3 dev.py bench`) on "
             f"{now} in {res.seconds:.0f} s. Do not edit by hand: edit `benchmarks/analysis.md` for the analysis.",
             "", "Numbers are medians of interleaved rounds on a shared 2-core VM: treat differences under ~10% "
             "as noise.", ""]
    if res.quick:
        lines += ["> **Quick run**: few iterations and small sizes; a smoke test, not a measurement.", ""]
    lines += ["## Machine and versions", ""]
    lines += _table(["", ""], [[k, v] for k, v in machine().items()])
    lines += _table(["library", "version"], [[k, v] for k, v in versions().items()])
    lines += ["## Targets", ""]
    lines += _table(["goal", "measured", "target", "verdict"],
                    [[g, m, t, _verdict(ok)] for g, m, t, ok in _targets(res)])
    if res.percall:
        lines += _percall_section(res)
    if res.streaming:
        lines += _streaming_section(res)
    if res.concurrency:
        lines += _concurrency_section(res)
    if res.imports or res.memory:
        lines += _imports_section(res)
    if res.load:
        from .load import to_markdown

        lines += ["## Load: pool limits and injected 429/503", "", to_markdown(res.load)]
    if res.telemetry:
        from .telemetry import to_markdown as telemetry_markdown

        lines += [f"## {TELEMETRY_TITLE}", "", telemetry_markdown(res.telemetry)]
    analysis = HERE / "analysis.md"
    if analysis.is_file():
        lines += [analysis.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def write_report(res: Results, out_dir: Path = HERE) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    _charts(res, out_dir)
    path = out_dir / "RESULTS.md"
    path.write_text(render(res), encoding="utf-8")
    return path


def to_json(res: Results) -> dict[str, Any]:
    return {
        "quick": res.quick, "seconds": res.seconds, "machine": machine(), "versions": versions(),
        "percall": [r.as_dict() for r in res.percall],
        "streaming": [r.as_dict() for r in res.streaming],
        "concurrency": [r.__dict__ for r in res.concurrency],
        "imports": [{k: v for k, v in r.__dict__.items()} for r in res.imports],
        "core_leaks": res.core_leaks,
        "memory": [r.__dict__ for r in res.memory],
        "load": {k: ([r.__dict__ for r in v] if isinstance(v, list) else v)
                 for k, v in (res.load or {}).items()},
        "telemetry": res.telemetry,
        "targets": [{"goal": g, "measured": m, "target": t, "met": ok} for g, m, t, ok in _targets(res)],
    }
