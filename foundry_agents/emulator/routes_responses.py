"""``/openai/v1/responses`` (and the preview and per-agent routes): create, get, delete."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from . import hosted, sse
from .engine import create_response
from .http import Emulator, json_body, page
from .model import ResponseRecord
from .wire import list_json, response_json

#: Longest total pause a ``slow`` answer takes, streamed or not.
MAX_TOTAL_DELAY = 30.0


def _dialect(request: Request) -> str:
    path = request.url.path
    return "v1" if "/openai/v1/" in path or "/endpoint/" in path or "/applications/" in path else "preview"


async def create(request: Request, emu: Emulator) -> Response:
    body = await json_body(request)
    dialect = _dialect(request)
    path_agent = request.path_params.get("agent_name")
    record = create_response(
        emu.store, emu.behaviors, body, dialect=dialect, path_agent=path_agent, strict_input=emu.strict_input,
        session_hook=hosted.session_hook(request, emu),
    )
    if isinstance(body, dict) and body.get("stream"):
        return StreamingResponse(
            _stream(record, dialect, emu),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    if record.delay:
        chunks = sum(len(sse.text_chunks(p.get("text", ""))) for i in record.output for p in i.get("content", []))
        await asyncio.sleep(min(record.delay * chunks, MAX_TOTAL_DELAY))
    return JSONResponse(response_json(record, dialect=dialect))


def delta_pause(delay: float, deltas: int) -> float:
    """The pause before each of ``deltas`` deltas: ``delay``, shortened so the total stays capped."""
    if not delay or not deltas:
        return 0.0
    return min(delay, MAX_TOTAL_DELAY / deltas)


async def _stream(record: ResponseRecord, dialect: str, emu: Emulator) -> AsyncIterator[str]:
    if emu.keep_alive:
        yield ": keep-alive\n\n"
    events = list(sse.events(record, dialect=dialect))
    pause = delta_pause(record.delay, sum(kind.endswith(".delta") for kind, _ in events))
    for kind, payload in events:
        if pause and kind.endswith(".delta"):
            async for comment in _pause(pause, emu.keep_alive):
                yield comment
        yield sse.frame(kind, payload)
    if emu.done_sentinel and record.stream_fault != "drop":
        yield "data: [DONE]\n\n"


async def _pause(seconds: float, keep_alive: float | None) -> AsyncIterator[str]:
    """Sleep ``seconds``, sending ``: keep-alive`` comments every ``keep_alive`` seconds."""
    if not keep_alive:
        await asyncio.sleep(seconds)
        return
    remaining = seconds
    while remaining > 0:
        step = min(keep_alive, remaining)
        await asyncio.sleep(step)
        remaining -= step
        if remaining > 0:
            yield ": keep-alive\n\n"


async def get(request: Request, emu: Emulator) -> Response:
    record = emu.store.response(request.path_params["response_id"])
    return JSONResponse(response_json(record, dialect=_dialect(request)))


async def delete(request: Request, emu: Emulator) -> Response:
    response_id = request.path_params["response_id"]
    emu.store.delete_response(response_id)
    return JSONResponse({"id": response_id, "object": "response.deleted", "deleted": True})


async def input_items(request: Request, emu: Emulator) -> Response:
    record = emu.store.response(request.path_params["response_id"])
    data, has_more = page(record.input_items, request)
    return JSONResponse(list_json(data, has_more=has_more))
