"""The fault matrix: one table, each row a fault the network or the service can produce and the
documented outcome (error type, partial output kept?, request re-sent?), run in sync and async mode.

Extension point: append :class:`Fault` rows to :data:`FAULTS` (one per fault). A row scripts the
transport: ``script[i]`` answers (or raises for) the i-th HTTP request; the last entry answers every
later one. The driver is generic: it plays the script through an ``httpx.MockTransport`` into the
real sync and async clients, runs ``call`` and checks the outcome.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from foundry_agents import (
    BadRequestError,
    FoundryAgentsError,
    ServerError,
    StreamDecodeError,
    StreamError,
    UnexpectedResponseError,
)
from foundry_agents.errors import MESSAGE_LIMIT

from ._harness import run_client, sse

Responder = Callable[[httpx.Request], httpx.Response]
RID = "req-fault-1"
TOKEN = "secret-token-123"  # the api_key run_client uses


@dataclass(frozen=True)
class Fault:
    """One row: a scripted fault and the outcome users can rely on."""

    name: str
    script: Sequence[Responder]
    #: which client call meets the fault: a key of CALLS.
    call: str
    #: the error raised, or None when the call succeeds.
    error: type[FoundryAgentsError] | None
    #: for stream errors: the text the error's ``partial_response`` keeps; None: not a stream error.
    partial_text: str | None
    #: True when the client sends the request again (the fault proves it was not processed).
    retried: bool
    #: extra assertions on the error (or on the result when the call succeeds).
    check: Callable[[Any], None] | None = None


# -- scripted answers ----------------------------------------------------------------------------
class WireBytes(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body read from the wire (decoded on read, as a real one: ``content=`` decodes eagerly)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def __iter__(self) -> Any:
        yield self.content

    async def __aiter__(self) -> Any:
        yield self.content


def answer(status: int, content: bytes = b"", ctype: str | None = "application/json", **headers: str) -> Responder:
    hdrs = {"x-request-id": RID, **headers}
    if ctype:
        hdrs["content-type"] = ctype
    return lambda request: httpx.Response(status, stream=WireBytes(content), headers=hdrs)


def stream_of(raw: bytes, **headers: str) -> Responder:
    return answer(200, raw, "text/event-stream", **headers)


CREATED = {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}}
ADDED = {"type": "response.output_item.added", "output_index": 0,
         "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}
HEL = {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hel", "item_id": "msg_1"}
COMPLETED = {"type": "response.completed", "response": {"id": "resp_1", "status": "completed", "output": [
    {"type": "message", "id": "msg_1", "content": [{"type": "output_text", "text": "Hello", "annotations": []}]}]}}
STARTED = sse(CREATED, ADDED, HEL)  # every malformed stream below breaks after "Hel"
OK_BODY = json.dumps(COMPLETED["response"]).encode()
HTML_502 = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
            + "<p>upstream error</p>" * 1000 + "</body></html>").encode()


def _cr_only(events: Sequence[dict[str, Any]]) -> bytes:
    # CR line ends, and the last event lacks its blank line.
    return "\r\r".join(f"event: {e['type']}\rdata: {json.dumps(e)}" for e in events).encode() + b"\r"


# -- checks ----------------------------------------------------------------------------------------
def names_the_answer(status: int, ctype: str | None) -> Callable[[Any], None]:
    def check(err: UnexpectedResponseError) -> None:
        assert err.status_code == status and err.request_id == RID and err.content_type == ctype
        assert f"HTTP {status}" in str(err) and RID in str(err) and (ctype or "none") in str(err)
    return check


def short_html_message(err: ServerError | StreamDecodeError) -> None:
    assert "502 Bad Gateway" in str(err) and len(str(err)) < MESSAGE_LIMIT + 100
    assert len(err.body) == len(HTML_502) and err.request_id == RID


def token_redacted(err: BadRequestError) -> None:
    assert TOKEN not in str(err) and TOKEN not in repr(err.body) and "[REDACTED]" in str(err)


def completed_hello(result: Any) -> None:
    assert result.output_text == "Hello"


# -- the table -------------------------------------------------------------------------------------
FAULTS: list[Fault] = [
    # Malformed streams: a typed StreamDecodeError that keeps what streamed, never re-sent.
    Fault("stream: data line is not JSON", [stream_of(STARTED + b"data: {not json\n\n")], "stream",
          StreamDecodeError, "Hel", False),
    Fault("stream: data is a number", [stream_of(STARTED + b"data: 42\n\n")], "stream",
          StreamDecodeError, "Hel", False),
    Fault("stream: output_index is not an integer",
          [stream_of(STARTED + sse({**HEL, "output_index": "zero"}))], "stream", StreamDecodeError, "Hel", False),
    Fault("stream: invalid UTF-8", [stream_of(STARTED + b"data: \xff\xfe\n\n")], "stream",
          StreamDecodeError, "Hel", False),
    Fault("stream: garbled gzip", [stream_of(b"\x1f\x8bnot gzip at all", **{"content-encoding": "gzip"})],
          "stream", StreamDecodeError, "", False),
    Fault("stream: HTML page instead of events", [answer(200, HTML_502, "text/html")], "stream",
          StreamDecodeError, "", False, short_html_message),
    Fault("stream: JSON answer that is not an object", [answer(200, b"[1]")], "stream",
          StreamDecodeError, "", False),
    Fault("stream: CR-only, last event without blank line", [stream_of(_cr_only([CREATED, ADDED, HEL, COMPLETED]))],
          "stream", None, None, False, completed_hello),
    Fault("stream: 302 redirect", [answer(302, b"", None, location="https://login.example/")], "stream",
          UnexpectedResponseError, None, False),
    # Malformed 2xx bodies and redirects: UnexpectedResponseError naming status, type, request id.
    Fault("body: empty 200", [answer(200, b"")], "create", UnexpectedResponseError, None, False,
          names_the_answer(200, "application/json")),
    Fault("body: HTML 200", [answer(200, b"<html><title>Sign in</title></html>", "text/html")], "create",
          UnexpectedResponseError, None, False, names_the_answer(200, "text/html")),
    Fault("body: invalid JSON", [answer(200, b'{"id": ')], "create", UnexpectedResponseError, None, False,
          names_the_answer(200, "application/json")),
    Fault("body: JSON array", [answer(200, b"[1]")], "get", UnexpectedResponseError, None, False,
          names_the_answer(200, "application/json")),
    Fault("body: invalid UTF-8", [answer(200, b'{"id": "\xff"}')], "get", UnexpectedResponseError, None, False),
    Fault("body: 302 without a body", [answer(302, b"", None, location="https://login.example/")], "create",
          UnexpectedResponseError, None, False, names_the_answer(302, None)),
    Fault("body: garbled gzip", [answer(200, b"\x1f\x8bgarbage", **{"content-encoding": "gzip"})], "get",
          UnexpectedResponseError, None, False, names_the_answer(200, "application/json")),
    Fault("body: valid gzip", [answer(200, gzip.compress(OK_BODY), **{"content-encoding": "gzip"})], "get",
          None, None, False, completed_hello),
    # Error bodies: bounded messages, no echoed token.
    Fault("502 with a 20 KB HTML page", [answer(502, HTML_502, "text/html"), answer(200, OK_BODY)], "get",
          None, None, True, completed_hello),
    Fault("502 with a 20 KB HTML page, every time", [answer(502, HTML_502, "text/html")], "get",
          ServerError, None, True, short_html_message),
    Fault("400 echoing the token", [answer(400, json.dumps({"error": {
        "message": f"bad header: Authorization: Bearer {TOKEN}", "code": "invalid_payload"}}).encode())],
          "get", BadRequestError, None, False, token_redacted),
]


# -- the driver -------------------------------------------------------------------------------------
def _stream_sync(client: Any) -> Any:
    with client.stream_response("agent", input="hi") as stream:
        return stream.get_final_response()


async def _stream_async(client: Any) -> Any:
    stream = await client.stream_response("agent", input="hi")
    async with stream:
        return await stream.get_final_response()


CALLS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "create": (lambda c: c.create_response("agent", input="hi"),
               lambda c: c.create_response("agent", input="hi")),
    "get": (lambda c: c.get_response("resp_1"), lambda c: c.get_response("resp_1")),
    "stream": (_stream_sync, _stream_async),
}


def play(fault: Fault, mode: str) -> tuple[Any, BaseException | None, int]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return fault.script[min(len(sent), len(fault.script)) - 1](request)

    sync_call, async_call = CALLS[fault.call]
    try:
        result = run_client(mode, handler, sync_call if mode == "sync" else async_call, max_retries=2)
    except BaseException as exc:
        return None, exc, len(sent)
    return result, None, len(sent)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_matrix(fault: Fault, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("foundry_agents._flow.retry_delay", lambda *a, **k: 0.0)
    result, error, sent = play(fault, mode)
    if fault.error is None:
        assert error is None, f"{fault.name}: unexpected {error!r}"
        if fault.check:
            fault.check(result)
    else:
        assert type(error) is fault.error, f"{fault.name}: expected {fault.error.__name__}, got {error!r}"
        if fault.partial_text is not None:
            assert isinstance(error, StreamError) and error.partial_response is not None
            assert error.partial_response.output_text == fault.partial_text
            assert error.request_id == RID
        if fault.check:
            fault.check(error)
    assert (sent > 1) == fault.retried, f"{fault.name}: sent {sent} time(s)"


# -- every client method: a bad 2xx body is an UnexpectedResponseError ---------------------------
METHODS: list[tuple[str, Callable[[Any], Any]]] = [
    ("create_response", lambda c: c.create_response("agent", input="hi")),
    ("get_response", lambda c: c.get_response("resp_1")),
    ("cancel_response", lambda c: c.cancel_response("resp_1")),
    ("create_conversation", lambda c: c.create_conversation()),
    ("get_conversation", lambda c: c.get_conversation("conv_1")),
    ("update_conversation", lambda c: c.update_conversation("conv_1", metadata={"a": "b"})),
    ("delete_conversation", lambda c: c.delete_conversation("conv_1")),
    ("add_conversation_items", lambda c: c.add_conversation_items("conv_1", "hi")),
    ("list_conversation_items", lambda c: c.list_conversation_items("conv_1")),
    ("get_conversation_item", lambda c: c.get_conversation_item("conv_1", "msg_1")),
    ("delete_conversation_item", lambda c: c.delete_conversation_item("conv_1", "msg_1")),
    ("get_agent", lambda c: c.get_agent("agent")),
    ("list_agents", lambda c: c.list_agents()),
    ("list_agent_versions", lambda c: c.list_agent_versions("agent")),
    ("get_agent_version", lambda c: c.get_agent_version("agent", "1")),
]
BAD_BODIES = [(b"", "application/json"), (b"<html>oops</html>", "text/html"), (b"[1]", "application/json")]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("content", "ctype"), BAD_BODIES, ids=["empty", "html", "array"])
@pytest.mark.parametrize(("method", "action"), METHODS, ids=[m for m, _ in METHODS])
def test_every_method_rejects_a_bad_success_body(method: str, action: Any, content: bytes, ctype: str,
                                                 mode: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        run_client(mode, answer(200, content, ctype), action)
    assert info.value.status_code == 200 and info.value.request_id == RID and ctype in str(info.value)


WRONG_TYPES: list[tuple[str, Callable[[Any], Any], bytes, type[FoundryAgentsError] | None]] = [
    ("get_conversation", lambda c: c.get_conversation("conv_1"), b'{"id": "conv_1", "metadata": 5}', None),
    ("list_agents", lambda c: c.list_agents(), b'{"data": 5}', None),
    ("get_agent", lambda c: c.get_agent("agent"), b'{"name": "agent", "versions": [1]}', None),
    ("list_conversation_items", lambda c: c.list_conversation_items("conv_1"), b'{"data": [1]}',
     UnexpectedResponseError),
    ("list_agent_versions", lambda c: c.list_agent_versions("agent"), b'{"data": ["x"]}', UnexpectedResponseError),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("method", "action", "content", "error"), WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_wrong_field_types_in_a_success_body_read_as_absent_or_typed(method: str, action: Any, content: bytes,
                                                                     error: Any, mode: str) -> None:
    if error is None:
        assert run_client(mode, answer(200, content), action) is not None
    else:
        with pytest.raises(error, match="must be a JSON object"):
            run_client(mode, answer(200, content), action)
