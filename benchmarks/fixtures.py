"""Canned bytes and in-process transports: what every contender is fed.

The bytes come from the recordings of the real service (``tests/recordings``, see its
INDEX.md): the non-streaming body is ``function_tool_roundtrip`` entry 1, and streams of any
length are built from the event shapes of ``stream_v1_agent_conversation`` entry 2 (created,
in_progress, item.added, content_part.added, N x output_text.delta, text.done,
content_part.done, item.done, completed), with sequence numbers and the accumulated text kept
consistent, so every client parses what the service would send.

The transports answer any request with the same precomputed bytes; a stream body is handed out
one SSE event per chunk, as a server flushing each event would. One transport class is built per
HTTP library (``httpx``, and ``httpx2`` when the installed ``openai`` is built on it), so each
library gets a transport of its own kind serving identical bytes.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "AGENT",
    "AGENT_WIRE",
    "ENDPOINT",
    "PROMPT",
    "Canned",
    "json_canned",
    "make_transport",
    "openai_http_module",
    "recordings_dir",
    "stream_canned",
]

ROOT = Path(__file__).resolve().parent.parent
ENDPOINT = "https://bench.services.ai.azure.com/api/projects/bench"
AGENT = "MyAgent:1"
AGENT_WIRE = {"type": "agent_reference", "name": "MyAgent", "version": "1"}
PROMPT = "What is the capital of France?"
_HEADERS_KEPT = ("content-type", "x-request-id", "apim-request-id")


def recordings_dir() -> Path:
    """``$FOUNDRY_RECORDINGS_DIR``, else the recordings shipped with the tests (``tests/recordings``)."""
    env = os.environ.get("FOUNDRY_RECORDINGS_DIR")
    candidates = [Path(env)] if env else [ROOT / "tests" / "recordings"]
    for path in candidates:
        if (path / "stream_v1_agent_conversation.json").is_file():
            return path
    raise FileNotFoundError("recordings not found: set FOUNDRY_RECORDINGS_DIR to shared/recordings")


@cache
def _entry(name: str, index: int) -> dict[str, Any]:
    with open(recordings_dir() / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)["Entries"][index]  # type: ignore[no-any-return]


def _headers(entry: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in entry["ResponseHeaders"].items() if k.lower() in _HEADERS_KEPT}


@dataclass(frozen=True)
class Canned:
    """One canned answer: status, headers, and the body as the chunks a server would flush."""

    status: int
    headers: dict[str, str]
    chunks: tuple[bytes, ...]
    #: What a correct client must find in it (for the sanity check of every contender).
    text: str
    deltas: int

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


@cache
def json_canned() -> Canned:
    """The recorded non-streaming response (a function call: ``get_weather`` for Seattle)."""
    entry = _entry("function_tool_roundtrip", 1)
    body = json.dumps(entry["ResponseBody"], ensure_ascii=False, separators=(",", ":")).encode()
    return Canned(entry["StatusCode"], _headers(entry), (body,), text="", deltas=0)


def _stream_events() -> list[dict[str, Any]]:
    entry = _entry("stream_v1_agent_conversation", 2)
    return [json.loads(line[len("data: "):]) for line in entry["ResponseBody"] if line.startswith("data: ")]


def _delta_texts(n: int) -> list[str]:
    """``n`` deltas cycling through the recorded ones (their real sizes and characters)."""
    recorded = [e["delta"] for e in _stream_events() if e["type"] == "response.output_text.delta"]
    return [recorded[i % len(recorded)] for i in range(n)]


def _sse(event: dict[str, Any]) -> bytes:
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


@lru_cache(maxsize=8)
def stream_canned(n: int) -> Canned:
    """A recorded-shape stream with ``n`` text deltas (``n=0``: the 104-delta recording verbatim)."""
    entry = _entry("stream_v1_agent_conversation", 2)
    if n == 0:
        events = _stream_events()
        chunks = tuple("".join(entry["ResponseBody"][i:i + 2]).encode()
                       for i in range(0, len(entry["ResponseBody"]), 2))
        text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        return Canned(entry["StatusCode"], _headers(entry), chunks, text=text,
                      deltas=sum(e["type"] == "response.output_text.delta" for e in events))
    by_type = {e["type"]: e for e in _stream_events()}
    deltas = _delta_texts(n)
    text = "".join(deltas)
    out: list[dict[str, Any]] = [by_type["response.created"], by_type["response.in_progress"],
                                 by_type["response.output_item.added"], by_type["response.content_part.added"]]
    template = by_type["response.output_text.delta"]
    for piece in deltas:
        event = dict(template)
        event["delta"] = piece
        out.append(event)
    done = copy.deepcopy(by_type["response.output_text.done"])
    done["text"] = text
    part_done = copy.deepcopy(by_type["response.content_part.done"])
    part_done["part"]["text"] = text
    item_done = copy.deepcopy(by_type["response.output_item.done"])
    item_done["item"]["content"][0]["text"] = text
    completed = copy.deepcopy(by_type["response.completed"])
    completed["response"]["output"][0]["content"][0]["text"] = text
    out += [done, part_done, item_done, completed]
    for seq, event in enumerate(out):
        event["sequence_number"] = seq
    return Canned(entry["StatusCode"], _headers(entry), tuple(_sse(e) for e in out), text=text, deltas=n)


# -- transports ---------------------------------------------------------------------------------
def openai_http_module() -> ModuleType | None:
    """The HTTP library the installed ``openai`` is built on (``httpx``, or ``httpx2`` in 3.x)."""
    try:
        import openai._base_client as base
    except ImportError:
        return None
    for name in ("httpx2", "httpx"):
        module = getattr(base, name, None)
        if isinstance(module, ModuleType):
            return module
    return None


@cache
def _transport_classes(http: ModuleType) -> tuple[type, type]:
    """A sync and an async transport class for the HTTP library ``http`` (httpx or httpx2)."""

    class _Chunks(http.SyncByteStream, http.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, chunks: tuple[bytes, ...]) -> None:
            self._chunks = chunks

        def __iter__(self):  # type: ignore[no-untyped-def]
            yield from self._chunks

        async def __aiter__(self):  # type: ignore[no-untyped-def]
            for chunk in self._chunks:
                yield chunk

    class CannedTransport(http.BaseTransport):  # type: ignore[name-defined,misc]
        def __init__(self, canned: Canned) -> None:
            self.canned = canned
            self.requests = 0

        def handle_request(self, request: Any) -> Any:
            self.requests += 1
            request.read()  # consume the upload, as a real transport does
            return http.Response(self.canned.status, headers=self.canned.headers,
                                 stream=_Chunks(self.canned.chunks), request=request)

    class AsyncCannedTransport(http.AsyncBaseTransport):  # type: ignore[name-defined,misc]
        def __init__(self, canned: Canned) -> None:
            self.canned = canned
            self.requests = 0

        async def handle_async_request(self, request: Any) -> Any:
            self.requests += 1
            await request.aread()
            return http.Response(self.canned.status, headers=self.canned.headers,
                                 stream=_Chunks(self.canned.chunks), request=request)

    return CannedTransport, AsyncCannedTransport


def make_transport(canned: Canned, *, http: ModuleType | None = None, asynchronous: bool = False) -> Any:
    """A transport of ``http``'s kind (default ``httpx``) that answers every request with ``canned``."""
    if http is None:
        import httpx as http
    sync_cls, async_cls = _transport_classes(http)
    return (async_cls if asynchronous else sync_cls)(canned)
