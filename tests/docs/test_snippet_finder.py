"""How the docs test finds, marks and runs Python blocks (so a block cannot slip through unrun)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from ._snippets import python_blocks, run_snippet

DOC = Path("doc.md")


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("```python\nx = 1\n```\n", [("x = 1\n", None)]),
        ("```py\nx = 1\n```\n", [("x = 1\n", None)]),
        ("```python title=x\nx = 1\n```\n", [("x = 1\n", None)]),
        ("```bash\nls\n```\n```yaml\na: 1\n```\n", []),
        ("```\nplain\n```\n", []),
        # a block inside a list item is dedented by its fence's indentation
        ("1. Chaining:\n\n   ```python\n   a = 1\n   if a:\n       b = 2\n   ```\n", [("a = 1\nif a:\n    b = 2\n", None)]),
        # the marker may be followed by blank lines; it needs a reason
        ("<!-- no-run: real Azure only -->\n\n```python\nx = 1\n```\n", [("x = 1\n", "real Azure only")]),
        # a marker applies to the next block only
        ("<!-- no-run: before -->\n```python\na\n```\n\n```python\nb\n```\n", [("a\n", "before"), ("b\n", None)]),
        # a python fence inside another fence is not a block
        ("````markdown\n```python\nx\n```\n````\n", []),
    ],
)
def test_python_blocks(markdown, expected):
    found = python_blocks(DOC, markdown)
    assert [(s.code, s.no_run) for s in found] == expected


@pytest.mark.parametrize("marker", ["<!-- no-run -->", "<!-- norun: x -->", "<!-- no-run x -->"])
def test_a_malformed_marker_is_an_error_not_ignored(marker):
    with pytest.raises(ValueError, match="no-run: reason"):
        python_blocks(DOC, f"{marker}\n```python\nx = 1\n```\n")


def test_block_line_numbers_point_at_the_fence():
    found = python_blocks(DOC, "# Title\n\ntext\n```python\nx\n```\n")
    assert [s.where for s in found] == ["doc.md:4"]


def test_blocks_share_one_namespace_and_may_await():
    a, b = python_blocks(DOC, "```python\nimport asyncio\nx = 2\n```\n```python\nawait asyncio.sleep(0)\ny = x * 3\n```\n")
    namespace: dict[str, object] = {}
    run_snippet(a, namespace, timeout=30)
    run_snippet(b, namespace, timeout=30)
    assert namespace["y"] == 6


@pytest.mark.skipif(not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread(),
                    reason="the block timeout uses SIGALRM in the main thread")
def test_a_hanging_block_is_interrupted():
    (block,) = python_blocks(DOC, "```python\nwhile True:\n    pass\n```\n")
    with pytest.raises(TimeoutError, match=r"doc\.md:1"):
        run_snippet(block, {}, timeout=0.2)
