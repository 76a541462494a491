"""``coder``: a code interpreter agent that really reads the CSV it is given.

One turn: a ``code_interpreter_call`` (the code, and with ``include:
["code_interpreter_call.outputs"]`` its logs and chart image), two files it writes to its
container (``report.csv`` with the column sums and ``chart.png``, a real PNG bar chart), and a
message linking them with ``container_file_citation`` annotations. The data is the CSV of an
``input_file`` part (uploaded ``file_id`` or inline ``file_data``) of the user's message; without
one, the numbers in the question, else a small sample table.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from typing import Any

from .. import png
from ..files import container_file, new_container_id
from ..model import Reply, TurnContext
from ..transcript import last_user_parts, last_user_text
from ._build import container_file_citation, message, sandbox_link

TOOL: dict[str, Any] = {"type": "code_interpreter", "container": {"type": "auto", "file_ids": []}}
OUTPUTS_INCLUDE = "code_interpreter_call.outputs"
SAMPLE = "month,sales,returns\nJan,120,4\nFeb,95,7\nMar,140,3\n"
REPORT, CHART = "report.csv", "chart.png"

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def read_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of CSV ``text`` (blank lines skipped)."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return [], []
    return [h.strip() for h in rows[0]], rows[1:]


def column_sums(header: list[str], rows: list[list[str]]) -> dict[str, float]:
    """``column -> sum`` for every column whose non-empty cells are all numbers."""
    sums: dict[str, float] = {}
    for index, name in enumerate(header):
        cells = [row[index].strip().replace(",", "") for row in rows if index < len(row) and row[index].strip()]
        if cells and all(_NUMBER.fullmatch(c) for c in cells):
            sums[name or f"column {index + 1}"] = sum(float(c) for c in cells)
    return sums


def number(value: float) -> str:
    """``60`` for 60.0, ``2.5`` for 2.5."""
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _input_csv(ctx: TurnContext) -> tuple[str, str] | None:
    """``(filename, text)`` of the first readable ``input_file`` of the user's latest message."""
    for part in last_user_parts(ctx.items, "input_file"):
        data: bytes | None = None
        filename = str(part.get("filename") or "input.csv")
        if isinstance(part.get("file_id"), str) and ctx.read_file is not None:
            found = ctx.read_file(part["file_id"])
            if found is not None:
                record, data = found
                filename = record.filename
        elif isinstance(part.get("file_data"), str):
            raw = part["file_data"].split(",", 1)[1] if part["file_data"].startswith("data:") else part["file_data"]
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                data = None
        if data is not None:
            return filename, data.decode("utf-8", errors="replace")
    return None


def _table(ctx: TurnContext) -> tuple[str, str]:
    found = _input_csv(ctx)
    if found is not None:
        return found
    numbers = _NUMBER.findall(last_user_text(ctx.items))
    if numbers:
        return "numbers.csv", "value\n" + "\n".join(numbers) + "\n"
    return "sample.csv", SAMPLE


def _code(source: str) -> str:
    return (
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n\n"
        f"df = pd.read_csv('/mnt/data/{source}')\n"
        "sums = df.select_dtypes('number').sum()\n"
        "print(sums.to_string())\n"
        f"sums.rename('sum').to_csv('/mnt/data/{REPORT}', index_label='column')\n"
        "sums.plot(kind='bar')\n"
        f"plt.savefig('/mnt/data/{CHART}')\n"
    )


def _container(ctx: TurnContext) -> str:
    """The container of this conversation's earlier code interpreter call, else a new one."""
    for item in reversed(ctx.history):
        if item.get("type") == "code_interpreter_call" and isinstance(item.get("container_id"), str):
            return str(item["container_id"])
    return new_container_id()


def coder(ctx: TurnContext) -> Reply:
    """Sum the numeric columns, write ``report.csv`` and ``chart.png``, and cite both."""
    source, text = _table(ctx)
    sums = column_sums(*read_table(text))
    container_id = _container(ctx)
    report = "column,sum\n" + "".join(f"{name},{number(value)}\n" for name, value in sums.items())
    csv_file = container_file(container_id, REPORT, report.encode(), media="text/csv")
    png_file = container_file(container_id, CHART, png.bar_chart(list(sums.values())), media="image/png")
    logs = "\n".join(f"{name}    {number(value)}" for name, value in sums.items()) or "(no numeric columns)"
    call: dict[str, Any] = {
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": container_id,
        "code": _code(source),
        "outputs": None,
    }
    if OUTPUTS_INCLUDE in ctx.include:
        url = f"{ctx.project_url}/openai/v1/containers/{container_id}/files/{png_file[0].id}/content"
        call["outputs"] = [{"type": "logs", "logs": logs}, {"type": "image", "url": url}]
    summary = ", ".join(f"{name} = {number(value)}" for name, value in sums.items())
    found = f"The sums of {source} are {summary}." if sums else f"{source} has no numeric columns to sum."
    answer = f"{found} I saved them to {sandbox_link(REPORT)} and drew a chart: {sandbox_link(CHART)}."
    annotations = [
        container_file_citation(answer, sandbox_link(record.filename), container_id=container_id,
                                file_id=record.id, filename=record.filename)
        for record, _ in (csv_file, png_file)
    ]
    return Reply(items=[call, message(answer, annotations)], files=[csv_file, png_file])
