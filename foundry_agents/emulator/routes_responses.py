"""``/openai/v1/responses`` (and the preview and per-agent routes): create, get (also as a resumed
stream: ``?stream=true&starting_after=N``), cancel, delete. Long-running responses: :mod:`.background`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from . import background, hosted, sse
from .engine import create_response
from .errors import EmulatorError, invalid
from .http import Emulator, json_body, page
from .model import ResponseRecord
from .wire import list_json, response_json

#: Longest total pause a ``slow`` answer takes, streamed or not.
MAX_TOTAL_DELAY = 30.0


def server_url(request: Request) -> str:
    """``scheme://host[:port]`` as the caller reached the emulator."""
    return str(request.base_url).rstrip("/")


def project_url(request: Request) -> str:
    """The project endpoint the caller used (``.../api/projects/<project>``)."""
    return f"{server_url(request)}/api/projects/{request.path_params.get('project', 'emulator')}"


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
        server_url=server_url(request), project_url=project_url(request),
    )
    if isinstance(body, dict) and body.get("stream"):
        return _streaming(record, dialect, emu)
    if record.background:
        return JSONResponse(response_json(background.view(record, time.time()), dialect=dialect))
    if record.duration:
        await asyncio.sleep(max(0.0, record.started + record.duration - time.time()))
    if record.delay:
        chunks = sum(len(sse.text_chunks(p.get("text", ""))) for i in record.output for p in i.get("content", []))
        await asyncio.sleep(min(record.delay * chunks, MAX_TOTAL_DELAY))
    return JSONResponse(response_json(record, dialect=dialect))


def delta_pause(delay: float, deltas: int) -> float:
    """The pause before each of ``deltas`` deltas: ``delay``, shortened so the total stays capped."""
    if not delay or not deltas:
        return 0.0
    return min(delay, MAX_TOTAL_DELAY / deltas)


def _streaming(record: ResponseRecord, dialect: str, emu: Emulator, after: int | None = None) -> StreamingResponse:
    return StreamingResponse(
        _stream(record, dialect, emu, after, background.take_cut(emu.store, record)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


async def _stream(record: ResponseRecord, dialect: str, emu: Emulator, after: int | None = None,
                  cut: int | None = None) -> AsyncIterator[str]:
    """The events of ``record`` after number ``after``; paced over its duration; ``cut`` short."""
    if emu.keep_alive:
        yield ": keep-alive\n\n"
    events = list(sse.events(record, dialect=dialect))
    pause = delta_pause(record.delay, sum(kind.endswith(".delta") for kind, _ in events))
    due = background.event_times(record, len(events))
    sent = 0
    for number, (kind, payload) in enumerate(events):
        if after is not None and number <= after:
            continue
        if due is not None:
            if not (record.background and _cancelled(emu, record.id)):
                async for comment in _pause(max(0.0, due[number] - time.time()), emu.keep_alive):
                    yield comment
            if record.background and _cancelled(emu, record.id):
                yield _cancelled_frame(emu, record.id, number, dialect)
                return
        elif pause and kind.endswith(".delta"):
            async for comment in _pause(pause, emu.keep_alive):
                yield comment
        if cut is not None and sent >= cut:
            return  # the cutoff agent: the connection ends here, without a terminal event
        yield sse.frame(kind, payload)
        sent += 1
    if emu.done_sentinel and record.stream_fault != "drop":
        yield "data: [DONE]\n\n"


def _cancelled_frame(emu: Emulator, response_id: str, number: int, dialect: str) -> str:
    """The event that ends the stream of a response cancelled meanwhile (an emulator choice)."""
    view = background.view(emu.store.response(response_id), time.time())
    payload = {"type": background.CANCELLED_EVENT, "sequence_number": number,
               "response": response_json(view, dialect=dialect, mode="stream")}
    return sse.frame(background.CANCELLED_EVENT, payload)


def _cancelled(emu: Emulator, response_id: str) -> bool:
    try:
        return emu.store.response(response_id).cancelled
    except EmulatorError:  # deleted meanwhile
        return False


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
    query = request.query_params
    stream = query.get("stream", "false")
    if stream not in ("true", "false"):
        raise invalid("'stream' must be 'true' or 'false'.", "stream")
    after = _starting_after(query.get("starting_after"))
    if stream == "true":
        # As OpenAI answers (observed by Microsoft Agent Framework's design notes; unverified on Foundry).
        if not record.background:
            raise invalid("Response cannot be streamed, it was not created with background=true.", "stream")
        if time.time() - record.started > background.REPLAY_WINDOW:
            raise invalid("Response can no longer be streamed, it is more than 5 minutes old.", "stream")
        return _streaming(record, _dialect(request), emu, after)
    if after is not None:
        raise invalid("'starting_after' is only valid with 'stream=true'.", "starting_after")
    return JSONResponse(response_json(background.view(record, time.time()), dialect=_dialect(request)))


def _starting_after(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise invalid(f"'starting_after' must be a non-negative integer, got {raw[:20]!r}.", "starting_after")
    return int(raw)


async def cancel(request: Request, emu: Emulator) -> Response:
    """Cancel a running background response; a finished one is returned as it is (so cancelling
    twice is harmless); a response created without ``background`` is a 400."""
    record = emu.store.response(request.path_params["response_id"])
    if not record.background:
        raise invalid("Cannot cancel a synchronous response.", "response_id")
    now = time.time()
    if background.running(record, now):
        record.cancelled = True
        emu.store.commit_turn(record, None, [])
    return JSONResponse(response_json(background.view(record, now), dialect=_dialect(request)))


async def delete(request: Request, emu: Emulator) -> Response:
    response_id = request.path_params["response_id"]
    emu.store.delete_response(response_id)
    return JSONResponse({"id": response_id, "object": "response.deleted", "deleted": True})


async def input_items(request: Request, emu: Emulator) -> Response:
    record = emu.store.response(request.path_params["response_id"])
    data, has_more = page(record.input_items, request)
    return JSONResponse(list_json(data, has_more=has_more))
