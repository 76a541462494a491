"""Resuming a batch: a pure scan of an existing output file, and the JSONL sink that appends to it.

:func:`scan_output` reads what a previous (possibly killed) run wrote: the ids of its complete
lines, and where the last complete line ends. A last line without its newline is what a kill in
the middle of a write leaves: it is discarded (the file is cut back to the last newline) and its
record runs again. A complete line that is not a JSON object with an ``id`` is not ours to drop:
the scan refuses the file, naming the line.

:class:`JsonlSink` writes each output record as one line and flushes it at once, so Ctrl-C,
SIGTERM or even SIGKILL loses at most the record being written (and that one is re-run).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import FoundryConfigError
from .records import id_key

__all__ = ["JsonlSink", "ListSink", "OutputScan", "Sink", "scan_output"]


@dataclass(frozen=True, slots=True)
class OutputScan:
    done: frozenset[str]  # id keys (see records.id_key) of the complete records
    valid_bytes: int  # length of the complete lines; anything after is a torn last line
    torn: bool  # whether a partial last line was found
    lines: int


def scan_output(data: bytes, *, source: str = "output") -> OutputScan:
    """The complete records in ``data`` (the bytes of an output file)."""
    end = data.rfind(b"\n") + 1
    done: set[str] = set()
    lines = 0
    for number, raw in enumerate(data[:end].split(b"\n")[:-1], 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or "id" not in record:
            raise FoundryConfigError(
                f"{source} line {number} is not an output record (a JSON object with an 'id'); "
                "pass a new output file or remove that line")
        done.add(id_key(record["id"]))
        lines += 1
    return OutputScan(done=frozenset(done), valid_bytes=end, torn=end < len(data), lines=lines)


class Sink(Protocol):
    """Where output records go: ``done`` holds the id keys already written (skipped on a run)."""

    done: frozenset[str]

    def write(self, record: dict[str, Any]) -> None: ...


class ListSink:
    """Output records kept in a list (the Python API's default)."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.done: frozenset[str] = frozenset()

    def write(self, record: dict[str, Any]) -> None:
        self.records.append(record)


class JsonlSink:
    """Appends output records to a JSONL file, one flushed line per record; resumes what is there.

    Example:
        >>> with JsonlSink("out.jsonl") as sink:  # doctest: +SKIP
        ...     print(len(sink.done), "records already done")
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        data = self.path.read_bytes() if self.path.exists() else b""
        scan = scan_output(data, source=str(self.path))
        self.done: frozenset[str] = scan.done
        self.torn = scan.torn
        self._fsync = fsync
        self._file = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        if scan.torn:
            self._file.truncate(scan.valid_bytes)
            self._file.seek(scan.valid_bytes)

    def write(self, record: dict[str, Any]) -> None:
        # One write per line, flushed: a kill leaves whole lines plus at most one torn last line.
        self._file.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
