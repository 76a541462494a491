"""The progress bar of a batch run (stderr): redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .summary import BatchSummary, format_progress

__all__ = ["Progress"]


class Progress:
    """Shows ``summary`` as it grows: on a TTY one line redrawn at most every ``interval`` seconds;
    elsewhere (a log, a notebook, CI) one line every ``plain_interval`` seconds.

    Example:
        >>> run_batch(records, sink, agent="echo", progress=Progress(sys.stderr))  # doctest: +SKIP
    """

    def __init__(self, stream: TextIO | None = None, *, interval: float = 0.2, plain_interval: float = 5.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if self.tty else plain_interval
        self._start = time.monotonic()
        self._shown = -float("inf")
        self._last = ""

    def start(self) -> None:
        self._start = time.monotonic()

    def update(self, summary: BatchSummary, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < self.interval:
            return
        self._shown = now
        line = format_progress(summary, elapsed_s=now - self._start)
        if line == self._last:
            return
        self._last = line
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self, summary: BatchSummary) -> None:
        self.update(summary, force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
