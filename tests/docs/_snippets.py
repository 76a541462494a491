"""Find the fenced Python blocks of a Markdown file and run them as a reader would.

A block runs unless the line before its fence (blank lines aside) is ``<!-- no-run: reason -->``
(CONTRIBUTING.md). Blocks inside list items are dedented by their fence's indentation, as
Markdown renders them. Top-level ``await`` is allowed: such a block runs with ``asyncio.run``.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import re
import signal
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NO_RUN = re.compile(r"^\s*<!--\s*no-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
_ANY_NO_RUN = re.compile(r"<!--\s*no-?run", re.I)
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int  # 1-based line of the opening fence
    code: str
    no_run: str | None  # the reason, when marked

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def python_blocks(path: Path, text: str | None = None) -> list[Snippet]:
    """Every fenced block whose info string starts with ``python``, in order."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        if (opening["info"].split() or [""])[0].lower() in ("python", "py"):
            body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[index + 1:end]]
            found.append(Snippet(path, index + 1, textwrap.dedent("\n".join(body)) + "\n", _marker(lines, index)))
        index = end + 1
    return found


def _marker(lines: list[str], fence_index: int) -> str | None:
    before = fence_index - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before < 0:
        return None
    match = NO_RUN.match(lines[before])
    if match is None and _ANY_NO_RUN.search(lines[before]):
        raise ValueError(f"line {before + 1}: write the marker as '<!-- no-run: reason -->', got {lines[before].strip()!r}")
    return match["reason"] if match else None


def run_snippet(snippet: Snippet, namespace: dict[str, Any], *, timeout: float) -> None:
    """Execute ``snippet`` in ``namespace`` (shared by a file's blocks); top-level await allowed."""
    code = compile(snippet.code, str(snippet.path) + f" (block at line {snippet.line})", "exec",
                   flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    with _deadline(timeout, snippet.where):
        result = eval(code, namespace)  # the docs' own code, run as a reader would
        if inspect.iscoroutine(result):
            asyncio.run(result)


@contextlib.contextmanager
def _deadline(seconds: float, where: str) -> Iterator[None]:
    """Interrupt a block that hangs (SIGALRM, main thread only; elsewhere no limit)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the block at {where} did not finish in {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
