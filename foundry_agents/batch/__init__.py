"""Batch runs of an agent over many prompts: ``run_batch`` / ``arun_batch``, resumable JSONL
output, a shared adaptive rate limiter, and engines for processes and Ray (docs/batch.md).

Example:
    >>> from foundry_agents.batch import JsonlSink, run_batch
    >>> with JsonlSink("answers.jsonl") as sink:                       # doctest: +SKIP
    ...     summary = run_batch([{"id": 1, "input": "Hi"}], sink, agent="echo")
    >>> print(summary.line())                                          # doctest: +SKIP
"""

from .limiter import AdaptiveRateLimiter
from .progress import Progress
from .records import BatchRecord, parse_lines, validate_records
from .resume import JsonlSink, ListSink, scan_output
from .runner import LocalLimiter, arun_batch, run_batch
from .summary import BatchSummary
from .workers import WorkerSpec, run_batch_processes

__all__ = [
    "AdaptiveRateLimiter",
    "BatchRecord",
    "BatchSummary",
    "JsonlSink",
    "ListSink",
    "LocalLimiter",
    "Progress",
    "WorkerSpec",
    "arun_batch",
    "parse_lines",
    "run_batch",
    "run_batch_processes",
    "scan_output",
    "validate_records",
]
