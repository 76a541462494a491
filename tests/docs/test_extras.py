"""``pip install "foundry-agents[<extra>]"`` installs what the docs' examples import.

Every third-party module imported by a Python block of README.md or docs/*.md must come from a
core dependency or from an installable extra (not only from ``dev``): LangChain modules from the
``langchain`` extra, LlamaIndex modules from ``llama-index``, anything else from any of them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

from ._snippets import python_blocks
from .test_snippets import DOCS

tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

ROOT = Path(__file__).resolve().parents[2]
OWN = {"foundry_agents", "langchain_foundry_agents", "llama_index_foundry"}
#: The extra that must install a framework's modules (by import prefix).
FRAMEWORK_EXTRA = {"langchain": "langchain", "llama_index": "llama-index"}
USER_EXTRAS = ("langchain", "llama-index", "emulator", "otel", "sdk-compat", "ray")


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _requirements() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_name(r) for r in project["dependencies"]}
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in project["optional-dependencies"].items()}
    return core, extras


def _imported_roots() -> dict[str, str]:
    """Top-level module -> where the docs first import it."""
    found: dict[str, str] = {}
    for path in DOCS:
        for snippet in python_blocks(path):
            for node in ast.walk(ast.parse(snippet.code)):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                for name in names:
                    found.setdefault(name.partition(".")[0], snippet.where)
    return found


def _packages_distributions() -> dict[str, list[str]]:
    """Top-level module -> distributions, from each distribution's file list (Python 3.10's
    ``importlib.metadata.packages_distributions`` reads only ``top_level.txt``, which most wheels
    no longer ship)."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        tops = set()
        for file in dist.files or ():
            top = file.parts[0] if file.parts else ""
            if not top or top == ".." or top.endswith((".dist-info", ".data", ".pth")):
                continue
            tops.add(top[:-3] if top.endswith(".py") else top)
        for top in tops:
            found.setdefault(top, []).append(dist.metadata["Name"])
    return found


def test_docs_imports_come_with_an_installable_extra():
    core, extras = _requirements()
    distributions = _packages_distributions()
    problems = []
    for module, where in sorted(_imported_roots().items()):
        if module in OWN or module in sys.stdlib_module_names:
            continue
        provided_by = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        framework = next((extra for prefix, extra in FRAMEWORK_EXTRA.items() if module.startswith(prefix)), None)
        allowed = core | (extras[framework] if framework else set().union(*(extras[e] for e in USER_EXTRAS)))
        if not provided_by & allowed:
            problems.append(f"{module} (imported at {where}; from {sorted(provided_by) or '?'}) is not in "
                            f"{'the ' + framework + ' extra' if framework else 'the core or an extra'}")
    assert not problems, "\n".join(problems)


def test_the_check_knows_the_frameworks():
    imported = _imported_roots()
    assert {"langchain", "langchain_core", "llama_index", "pydantic"} <= set(imported)
