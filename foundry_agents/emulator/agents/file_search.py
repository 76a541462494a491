"""``file-searcher``: file search over the files uploaded to the emulator (``/openai/v1/files``;
the service searches vector stores, which the emulator does not have). A ``file_search_call``
(with ``results`` when the request's ``include`` asks for ``file_search_call.results``), then a
message quoting the best passages with ``file_citation`` annotations."""

from __future__ import annotations

import re
from typing import Any

from ..model import FileRecord, Reply, TurnContext
from ..transcript import content_words, last_user_text
from ._build import message

TOOL: dict[str, Any] = {"type": "file_search", "vector_store_ids": ["vs_emulator"]}
RESULTS_INCLUDE = "file_search_call.results"
SEARCHED_PURPOSES = frozenset({"assistants", "user_data"})
MAX_RESULTS = 3
NOT_FOUND = "I couldn't find that in your files."

_PASSAGE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=#)")


def search(question: str, documents: list[tuple[FileRecord, str]]) -> list[dict[str, Any]]:
    """Passages sharing words with ``question``, best first: ``{file_id, filename, score, text, attributes}``."""
    wanted = content_words(question)
    if not wanted:
        return []
    found: list[dict[str, Any]] = []
    for record, text in documents:
        for passage in _PASSAGE.split(text):
            passage = " ".join(passage.split())
            shared = wanted & content_words(passage)
            if passage and shared:
                score = round(len(shared) / len(wanted), 4)
                found.append({"file_id": record.id, "filename": record.filename, "score": score,
                              "text": passage, "attributes": {}})
    found.sort(key=lambda r: -float(r["score"]))
    return found[:MAX_RESULTS]


def _documents(ctx: TurnContext) -> list[tuple[FileRecord, str]]:
    if ctx.list_files is None or ctx.read_file is None:
        return []
    out = []
    for record in ctx.list_files():
        if record.purpose not in SEARCHED_PURPOSES:
            continue
        found = ctx.read_file(record.id)
        if found is None:
            continue
        try:
            out.append((record, found[1].decode("utf-8")))
        except UnicodeDecodeError:
            continue  # binary files are not searchable text
    return out


def file_searcher(ctx: TurnContext) -> Reply:
    question = last_user_text(ctx.items)
    results = search(question, _documents(ctx))
    call: dict[str, Any] = {"type": "file_search_call", "status": "completed", "queries": [question]}
    if RESULTS_INCLUDE in ctx.include:
        call["results"] = results
    if not results:
        return Reply(items=[call, message(NOT_FOUND)])
    text = ""
    annotations = []
    for result in results:
        text += result["text"] + " "
        annotations.append({"type": "file_citation", "file_id": result["file_id"], "filename": result["filename"],
                            "index": len(text.rstrip())})
    return Reply(items=[call, message(text.rstrip(), annotations)])
