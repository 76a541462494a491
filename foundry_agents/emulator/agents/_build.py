"""Draft output items for behaviours (the engine adds ids and the agent echo)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def message(text: str, annotations: Sequence[dict[str, Any]] = (), *, status: str = "completed") -> dict[str, Any]:
    """An assistant message with one ``output_text`` part."""
    part = {"type": "output_text", "text": text, "annotations": list(annotations), "logprobs": []}
    return {"type": "message", "role": "assistant", "content": [part], "status": status}


def function_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A client-side function call (``call_id`` is minted by the engine)."""
    return {
        "type": "function_call",
        "call_id": "",
        "name": name,
        "arguments": json.dumps(arguments, separators=(",", ":")),
        "status": "completed",
    }


def reasoning(summary: str) -> dict[str, Any]:
    """A reasoning item with one summary part."""
    return {"type": "reasoning", "summary": [{"type": "summary_text", "text": summary}]}


def web_search_call(query: str) -> dict[str, Any]:
    """A finished web search; ``status`` stays ``"searching"`` as recorded."""
    return {"type": "web_search_call", "status": "searching", "action": {"type": "search", "query": query}}


def url_citation(text: str, phrase: str, url: str, title: str) -> dict[str, Any]:
    """A ``url_citation`` whose indexes span the first ``phrase`` in ``text``."""
    start = text.index(phrase)
    return {"type": "url_citation", "url": url, "start_index": start, "end_index": start + len(phrase), "title": title}


def sandbox_link(filename: str) -> str:
    """The markdown link a code interpreter answer uses for a file it wrote."""
    return f"[{filename}](sandbox:/mnt/data/{filename})"


def container_file_citation(text: str, link: str, *, container_id: str, file_id: str, filename: str) -> dict[str, Any]:
    """A ``container_file_citation`` whose indexes span ``link`` (first occurrence) in ``text``."""
    start = text.index(link)
    return {"type": "container_file_citation", "container_id": container_id, "file_id": file_id,
            "filename": filename, "start_index": start, "end_index": start + len(link)}
