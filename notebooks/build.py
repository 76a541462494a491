"""Build the notebooks from ``cells/``, run them against the in-process emulator, write them.

    python notebooks/build.py               # build, execute and write every notebook (with outputs)
    python notebooks/build.py 03            # only the notebooks whose file name starts with "03"
    python notebooks/build.py --no-execute  # write them without outputs

The notebooks are generated so they can be reviewed as code: edit ``cells/<notebook>.py``, never the
``.ipynb`` files (``tests/notebooks`` checks that they match). Each notebook starts the emulator
in its first cell and says, in its second, how to point it at a real Foundry project instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 60
KERNEL = "python3"

sys.path.insert(0, str(HERE))  # the cells live beside this script, which is not in a package
from cells import NOTEBOOKS, Cell  # noqa: E402

__all__ = ["NOTEBOOKS", "build", "execute", "main"]


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": KERNEL},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{index:02d}"  # stable ids keep the diffs small
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode, *, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (cwd: this folder); raises on the first failing cell."""
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="file name prefixes, e.g. 01 03")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS.items():
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        started = time.perf_counter()
        nb = build(cells)
        if not args.no_execute:
            execute(nb)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print(f"{name}: {len(cells)} cells, {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
