"""Bench 4: cold import time and the memory of finished responses, each in a fresh subprocess.

Import time: ``python -c "t = perf_counter(); import X; print(perf_counter() - t)"`` in a fresh
interpreter, several runs, median (the interpreter's own start-up is not counted; the wall time
of the process minus that of ``python -c pass`` is reported next to it). Bytecode caches are
redirected to a private ``PYTHONPYCACHEPREFIX`` and primed by one unmeasured run, so no run pays
for compiling and nothing is written into the checkout.

Imports of the core: ``python -X importtime -c "import foundry_agents"`` must list no
``langchain*``, ``llama_index*`` or ``openai*`` module.

Memory: a process makes 1,000 calls through an in-process transport serving the recorded JSON
body and keeps every returned object; we report the RSS growth per response and the peak RSS (``VmHWM``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from .fixtures import ROOT

__all__ = ["IMPORT_MODULES", "ImportRow", "MemoryRow", "core_import_leaks", "run_imports", "run_memory"]

#: (module, what it is): ours first, then what users have today, then the frameworks themselves.
IMPORT_MODULES: tuple[tuple[str, str], ...] = (
    ("foundry_agents", "ours: core"),
    ("langchain_foundry_agents", "ours: LangChain adapter"),
    ("llama_index_foundry", "ours: LlamaIndex adapter"),
    ("openai", "openai SDK"),
    ("langchain_openai", "langchain-openai"),
    ("llama_index.llms.openai", "llama-index-llms-openai"),
    ("langchain_core.language_models.chat_models", "framework floor: BaseChatModel"),
    ("llama_index.core.llms.function_calling", "framework floor: FunctionCallingLLM"),
)
FORBIDDEN_IN_CORE = ("langchain", "llama_index", "openai")
_PYCACHE = os.path.join(tempfile.gettempdir(), "foundry-bench-pycache")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    return env


def _python(code: str, *flags: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *flags, "-c", code], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=timeout, check=False)


@dataclass
class ImportRow:
    module: str
    what: str
    status: str = "ok"
    import_ms: float = 0.0  # median, measured inside the process
    wall_ms: float = 0.0  # median process wall time minus `python -c pass`
    modules_loaded: int = 0
    runs: list[float] = field(default_factory=list, repr=False)


_IMPORT_CODE = (
    "import sys, time\n"
    "before = len(sys.modules)\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - t, len(sys.modules) - before)\n"
)


def _wall(code: str) -> float:
    start = time.perf_counter()
    _python(code)
    return time.perf_counter() - start


def run_imports(*, runs: int = 7) -> list[ImportRow]:
    rows = []
    base = statistics.median(_wall("pass") for _ in range(runs))
    for module, what in IMPORT_MODULES:
        row = ImportRow(module, what)
        rows.append(row)
        code = _IMPORT_CODE.format(module=module)
        prime = _python(code)  # writes the bytecode caches
        if prime.returncode != 0:
            row.status = "not installed" if "ModuleNotFoundError" in prime.stderr else "error"
            continue
        walls = []
        for _ in range(runs):
            start = time.perf_counter()
            done = _python(code)
            walls.append(time.perf_counter() - start)
            seconds, loaded = done.stdout.split()
            row.runs.append(float(seconds) * 1000)
            row.modules_loaded = int(loaded)
        row.import_ms = statistics.median(row.runs)
        row.wall_ms = (statistics.median(walls) - base) * 1000
    return rows


def core_import_leaks() -> list[str]:
    """Modules of the frameworks or the openai SDK that ``import foundry_agents`` loads (want: none)."""
    done = _python("import foundry_agents", "-X", "importtime")
    names = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    return sorted({n for n in names if n.split(".")[0].startswith(FORBIDDEN_IN_CORE)})


# -- memory -------------------------------------------------------------------------------------
@dataclass
class MemoryRow:
    name: str
    label: str
    status: str = "ok"
    count: int = 0
    kib_per_response: float = 0.0
    rss_growth_mib: float = 0.0
    peak_rss_mib: float = 0.0
    baseline_rss_mib: float = 0.0


_MEMORY_CODE = """
import gc, json, resource, sys
import psutil
from benchmarks.contenders import by_name
from benchmarks.fixtures import json_canned
runner = by_name({name!r}).build(json_canned())
for _ in range(20):
    runner.call()
gc.collect()
proc = psutil.Process()
before = proc.memory_info().rss
held = [runner.call() for _ in range({count})]
gc.collect()
after = proc.memory_info().rss
# VmHWM is this process's own high-water mark; ru_maxrss survives exec and would report the parent's.
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
try:
    with open("/proc/self/status") as fh:
        peak = next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({{"before": before, "after": after, "peak": peak, "held": len(held)}}))
"""

MEMORY_CONTENDERS = ("core", "openai_sdk", "chat_foundry", "chat_openai", "foundry_llm", "openai_responses")


def run_memory(*, count: int = 1000, names: tuple[str, ...] = MEMORY_CONTENDERS) -> list[MemoryRow]:
    from .contenders import by_name

    rows = []
    for name in names:
        contender = by_name(name)
        row = MemoryRow(name, contender.label)
        rows.append(row)
        if not contender.available() or importlib.util.find_spec("psutil") is None:
            row.status = "not installed"
            continue
        done = _python(_MEMORY_CODE.format(name=name, count=count), timeout=300)
        if done.returncode != 0:
            row.status = f"error: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else '?'}"[:200]
            continue
        data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        row.count = data["held"]
        row.baseline_rss_mib = data["before"] / 2**20
        row.rss_growth_mib = (data["after"] - data["before"]) / 2**20
        row.kib_per_response = (data["after"] - data["before"]) / 1024 / max(1, data["held"])
        row.peak_rss_mib = data["peak"] / 2**20
    return rows
