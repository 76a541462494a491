"""Batch input and output records: pure parsing, validation and shaping (no I/O).

An input line is ``{"id": ..., "input": text or a message list}`` with optional
``conversation``, ``structured_inputs`` and ``metadata``. Ids are strings or integers and must be
unique. A bad record is refused *before the run starts*, with its line number (see
:func:`parse_lines`): a batch never half-runs over a file it cannot fully read.

``pending`` (only when non-empty) holds the wire items of the function calls and approval
requests the response ends with: a batch does not run client-side tools. An output line is one of::

    {"id": ..., "status": "completed", "output_text": ..., "response_id": ..., "usage": {...},
     "latency_ms": ..., "attempts": n, "pending": [...], "metadata": {...}}
    {"id": ..., "status": "error", "error": {"type": ..., "message": ..., "status_code": ...,
     "code": ..., "request_id": ..., "client_request_id": ...}, "latency_ms": ..., "attempts": n}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import APIError, FoundryConfigError

__all__ = [
    "BatchRecord",
    "error_record",
    "id_key",
    "ok_record",
    "parse_lines",
    "parse_record",
    "validate_records",
]

RecordId = str | int
_OPTIONAL = ("conversation", "structured_inputs", "metadata")
_KNOWN = frozenset({"id", "input", *_OPTIONAL})
#: How many bad lines one error message lists before "and N more".
MAX_REPORTED = 10


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One prompt of a batch. ``options()`` are the keyword options of ``create_response``."""

    id: RecordId
    input: str | list[dict[str, Any]]
    conversation: str | None = None
    structured_inputs: dict[str, Any] | None = None
    metadata: dict[str, str] | None = field(default=None)

    def options(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input": self.input}
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def id_key(record_id: Any) -> str:
    """The id as compared on resume: ``1`` and ``"1"`` are different records."""
    return json.dumps(record_id, ensure_ascii=False)


def parse_record(data: Any) -> BatchRecord:
    """A :class:`BatchRecord` from a decoded JSON object (or a ``BatchRecord``); raises
    :class:`ValueError` saying which field is wrong and what was expected."""
    if isinstance(data, BatchRecord):
        return data
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; expected id, input and optionally {list(_OPTIONAL)}")
    rid = data.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
        raise ValueError(f"'id' must be a non-empty string or an integer, got {rid!r}")
    value = data.get("input")
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("'input' is empty")
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise ValueError(f"'input[{i}]' must be a message object, got {type(item).__name__}")
        # Chat-style {"role", "content"} rows get "type": "message": the service refuses a user
        # item without it (docs/protocol.md, "Role items without type"), and datasets rarely carry it.
        value = [{"type": "message", **item} if "role" in item and "type" not in item else dict(item)
                 for item in value]
    else:
        raise ValueError(f"'input' must be a non-empty string or a non-empty list of messages, got {value!r:.60}")
    conversation = data.get("conversation")
    if conversation is not None and (not isinstance(conversation, str) or not conversation):
        raise ValueError(f"'conversation' must be a conversation id string, got {conversation!r}")
    structured = data.get("structured_inputs")
    if structured is not None and not isinstance(structured, Mapping):
        raise ValueError(f"'structured_inputs' must be an object, got {type(structured).__name__}")
    metadata = data.get("metadata")
    if metadata is not None and (not isinstance(metadata, Mapping)
                                 or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise ValueError("'metadata' must be an object of string values")
    return BatchRecord(id=rid, input=value, conversation=conversation,
                       structured_inputs=dict(structured) if structured is not None else None,
                       metadata=dict(metadata) if metadata is not None else None)


def _refuse(problems: list[str], where: str) -> None:
    if problems:
        more = f"; and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise FoundryConfigError(f"{where}: {len(problems)} bad record(s): " + "; ".join(problems[:MAX_REPORTED]) + more)


def parse_lines(lines: Iterable[str], *, source: str = "input") -> list[BatchRecord]:
    """Every record of a JSONL text (blank lines skipped), or a :class:`FoundryConfigError` listing
    the bad lines by number (1-based) and the duplicate ids."""
    records: list[BatchRecord] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = parse_record(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        key = id_key(record.id)
        if key in seen:
            problems.append(f"line {number}: duplicate id {record.id!r} (first on line {seen[key]})")
            continue
        seen[key] = number
        records.append(record)
    _refuse(problems, source)
    return records


def validate_records(records: Iterable[Any]) -> list[BatchRecord]:
    """Records given to the Python API (dicts or :class:`BatchRecord`), checked like file lines;
    problems are reported by position (0-based index)."""
    out: list[BatchRecord] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, data in enumerate(records):
        try:
            record = parse_record(data)
        except ValueError as exc:
            problems.append(f"record {index}: {exc}")
            continue
        key = id_key(record.id)
        if key in seen:
            problems.append(f"record {index}: duplicate id {record.id!r} (first at {seen[key]})")
            continue
        seen[key] = index
        out.append(record)
    _refuse(problems, "records")
    return out


def ok_record(record: BatchRecord, response: Any, *, latency_s: float, attempts: int) -> dict[str, Any]:
    """The output line of a record whose response arrived (``response`` is an ``AgentResponse``)."""
    usage = response.usage
    out: dict[str, Any] = {
        "id": record.id,
        "status": response.status,
        "output_text": response.output_text,
        "response_id": response.id,
        "usage": None if usage is None else {"input_tokens": usage.input_tokens,
                                             "output_tokens": usage.output_tokens,
                                             "total_tokens": usage.total_tokens},
        "latency_ms": round(latency_s * 1000.0, 3),
        "attempts": attempts,
    }
    pending = [dict(item.raw) for item in response.pending_items]
    if pending:  # function calls / approvals the agent waits for: kept, never dropped silently
        out["pending"] = pending
    if record.metadata is not None:
        out["metadata"] = record.metadata
    return out


def error_record(record: BatchRecord, exc: BaseException, *, latency_s: float, attempts: int) -> dict[str, Any]:
    """The output line of a record that failed: the error's class, message, HTTP status and ids."""
    error: dict[str, Any] = {"type": type(exc).__name__, "message": str(getattr(exc, "message", "") or exc)}
    if isinstance(exc, APIError):
        error.update(status_code=exc.status_code, code=exc.code, request_id=exc.request_id,
                     client_request_id=exc.client_request_id)
    out: dict[str, Any] = {"id": record.id, "status": "error", "error": error,
                           "latency_ms": round(latency_s * 1000.0, 3), "attempts": attempts}
    if record.metadata is not None:
        out["metadata"] = record.metadata
    return out
