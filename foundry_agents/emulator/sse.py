"""Server-sent events rendered from a computed response. Pure: a record in, events out.

Order as recorded (docs/protocol.md, "Stream events"): ``response.created``,
``response.in_progress``, then per output item ``output_item.added`` .. item-specific events ..
``output_item.done``, then one terminal event (``response.completed`` / ``.incomplete`` /
``.failed``). Fault agents cut the list short (``drop``) or end it with an ``error`` event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .ids import obfuscation
from .model import ResponseRecord
from .wire import decorate_item, response_json

Event = tuple[str, dict[str, Any]]

#: Terminal event per final status.
TERMINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}
#: Tool phases with their own events (as recorded for file search).
PHASES = {"file_search_call": ("in_progress", "searching", "completed")}
#: Deltas sent before a fault agent breaks the stream.
FAULT_AFTER_DELTAS = 3

_TEXT_CHUNK = re.compile(r"\s*\S+|\s+")
_ARG_CHUNK = re.compile(r"\w+|\W+")


def text_chunks(text: str) -> list[str]:
    """Word-ish chunks whose concatenation is exactly ``text``."""
    return _TEXT_CHUNK.findall(text) or [""]


def frame(event: str, data: dict[str, Any]) -> str:
    """``event: <type>\\ndata: <one-line JSON>\\n\\n``."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def events(record: ResponseRecord, *, dialect: str = "v1") -> list[Event]:
    """All events for ``record`` with ``sequence_number`` 0, 1, 2, ... in the dialect's key order."""
    raw = list(_raw_events(record, dialect))
    if record.stream_fault is not None:
        raw = _cut(raw)
        if record.stream_fault == "error":
            error = record.error or {"code": "server_error", "message": "The server had an error."}
            raw.append(("error", {"code": error.get("code"), "message": error.get("message"), "param": None}))
    return [_numbered(kind, fields, n, dialect) for n, (kind, fields) in enumerate(raw)]


def _cut(raw: list[Event]) -> list[Event]:
    """Events up to the ``FAULT_AFTER_DELTAS``-th delta (or up to the first item's end)."""
    out: list[Event] = []
    deltas = 0
    for kind, fields in raw:
        if kind in TERMINAL.values() or kind == "response.output_item.done":
            break
        out.append((kind, fields))
        if kind.endswith(".delta"):
            deltas += 1
            if deltas >= FAULT_AFTER_DELTAS:
                break
    return out


def _numbered(kind: str, fields: dict[str, Any], n: int, dialect: str) -> Event:
    if dialect == "v1":
        return kind, {"type": kind, **fields, "sequence_number": n}
    return kind, {"type": kind, "sequence_number": n, **fields}


def _raw_events(record: ResponseRecord, dialect: str) -> Iterator[Event]:
    start = response_json(record, dialect=dialect, mode="stream", phase="start")
    yield "response.created", {"response": start}
    yield "response.in_progress", {"response": start}
    if record.stream_fault is None and record.status == "failed":
        yield "response.failed", {"response": response_json(record, dialect=dialect, mode="stream")}
        return
    for index, item in enumerate(record.output):
        wire_item = decorate_item(item, record, dialect, "stream")
        # The emulator's own notes (keys starting with "_", e.g. partial images) steer the events
        # and are dropped from every item sent (_public).
        notes = {k: v for k, v in item.items() if k.startswith("_")}
        yield from _ITEM_EVENTS.get(item["type"], _generic_events)({**wire_item, **notes}, index)
    terminal = TERMINAL.get(record.status, "response.completed")
    yield terminal, {"response": response_json(record, dialect=dialect, mode="stream")}


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _added(item: dict[str, Any], index: int, **overrides: Any) -> Event:
    snapshot = {**_public(item), **overrides}
    if "status" in item:
        snapshot["status"] = "in_progress"
    return "response.output_item.added", {"item": snapshot, "output_index": index}


def _done(item: dict[str, Any], index: int) -> Event:
    return "response.output_item.done", {"item": _public(item), "output_index": index}


def _message_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    yield _added(item, index, content=[])
    for c_index, part in enumerate(item.get("content", [])):
        where = {"content_index": c_index, "item_id": item["id"], "output_index": index}
        empty = {"type": part.get("type", "output_text"), "annotations": [], "logprobs": [], "text": ""}
        yield "response.content_part.added", {**where, "part": empty}
        text = part.get("text", "")
        pending = list(enumerate(part.get("annotations") or []))
        written = 0
        for chunk in text_chunks(text):
            written += len(chunk)
            yield "response.output_text.delta", {
                **where, "delta": chunk, "logprobs": [], "obfuscation": obfuscation(chunk)
            }
            while pending and _anchor(pending[0][1]) <= written:
                a_index, annotation = pending.pop(0)
                yield "response.output_text.annotation.added", {
                    "annotation": annotation, "annotation_index": a_index, **where
                }
        for a_index, annotation in pending:
            yield "response.output_text.annotation.added", {"annotation": annotation, "annotation_index": a_index, **where}
        yield "response.output_text.done", {**where, "logprobs": [], "text": text}
        yield "response.content_part.done", {**where, "part": {**empty, **part}}
    yield _done(item, index)


def _anchor(annotation: dict[str, Any]) -> int:
    return int(annotation.get("end_index", annotation.get("index", 0)) or 0)


def _function_call_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    yield _added(item, index, arguments="")
    where = {"item_id": item["id"], "output_index": index}
    arguments = item.get("arguments", "")
    for chunk in _ARG_CHUNK.findall(arguments):
        yield "response.function_call_arguments.delta", {**where, "delta": chunk, "obfuscation": obfuscation(chunk)}
    yield "response.function_call_arguments.done", {**where, "arguments": arguments}
    yield _done(item, index)


def _reasoning_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    yield _added(item, index, summary=[])
    for s_index, part in enumerate(item.get("summary", [])):
        where = {"item_id": item["id"], "output_index": index, "summary_index": s_index}
        yield "response.reasoning_summary_part.added", {**where, "part": {"type": "summary_text", "text": ""}}
        text = part.get("text", "")
        for chunk in text_chunks(text):
            yield "response.reasoning_summary_text.delta", {**where, "delta": chunk, "obfuscation": obfuscation(chunk)}
        yield "response.reasoning_summary_text.done", {**where, "text": text}
        yield "response.reasoning_summary_part.done", {**where, "part": {"type": "summary_text", "text": text}}
    yield _done(item, index)


def _generic_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    yield _added(item, index)
    for phase in PHASES.get(item["type"], ()):
        yield f"response.{item['type']}.{phase}", {"output_index": index, "item_id": item["id"]}
    yield _done(item, index)


def _code_interpreter_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    """OpenAI's order: added, in_progress, the code in deltas, code done, interpreting, completed, done."""
    yield _added(item, index, code="", outputs=None)
    where = {"output_index": index, "item_id": item["id"]}
    yield "response.code_interpreter_call.in_progress", dict(where)
    code = item.get("code") or ""
    for line in code.splitlines(keepends=True):
        yield "response.code_interpreter_call_code.delta", {**where, "delta": line, "obfuscation": obfuscation(line)}
    yield "response.code_interpreter_call_code.done", {**where, "code": code}
    yield "response.code_interpreter_call.interpreting", dict(where)
    yield "response.code_interpreter_call.completed", dict(where)
    yield _done(item, index)


def _image_generation_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    """Added, in_progress, generating, one partial_image per partial, completed, done (result inside)."""
    yield _added(item, index, result=None)
    where = {"output_index": index, "item_id": item["id"]}
    yield "response.image_generation_call.in_progress", dict(where)
    yield "response.image_generation_call.generating", dict(where)
    details: dict[str, Any] = {k: item[k] for k in ("output_format", "size", "quality", "background") if k in item}
    for number, partial in enumerate(item.get("_partials") or ()):
        yield "response.image_generation_call.partial_image", {
            **where, "partial_image_index": number, "partial_image_b64": partial, **details
        }
    yield "response.image_generation_call.completed", dict(where)
    yield _done(item, index)


def _workflow_action_events(item: dict[str, Any], index: int) -> Iterator[Event]:
    """One item per action status change, added and done as it is (docs/protocol.md, "Workflow actions")."""
    yield "response.output_item.added", {"item": item, "output_index": index}
    yield _done(item, index)


_ITEM_EVENTS = {
    "message": _message_events,
    "workflow_action": _workflow_action_events,
    "function_call": _function_call_events,
    "reasoning": _reasoning_events,
    "code_interpreter_call": _code_interpreter_events,
    "image_generation_call": _image_generation_events,
}
