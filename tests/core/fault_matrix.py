"""The fault matrix, as data: one table, each row a fault and the documented outcome.

A row is one fault the network, the service or the emulator's fault agents can produce for one
kind of call, and what the client does about it: is the request sent again, how many times is it
sent when the fault persists (``max_retries=2``), which error is raised, does the error say the
outcome is unknown (the agent may have run), and does a stream error keep what was received.
``test_fault_matrix.py`` drives every row in sync and async mode, and keeps the README's
reliability table (under **Retries**) equal to :func:`readme_rows`.

A row is either a scripted transport fault (``answer``: what the service answers, or the transport
raises, for the faulty sends; a later send gets a normal answer) or an emulator fault agent
(``agent``: the call runs against the emulator over a real loopback socket).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from foundry_agents import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamDecodeError,
    StreamEventError,
    StreamInterruptedError,
    UnexpectedResponseError,
)
from foundry_agents.errors import MESSAGE_LIMIT
from tests.core._harness import sse

Answer = Callable[[httpx.Request], httpx.Response]
MAX_RETRIES = 2
N = 1 + MAX_RETRIES
RID = "req-fault-1"
TOKEN = "secret-token-123"  # the api_key tests.core._harness.run_client uses


@dataclass(frozen=True)
class Fault:
    failure: str
    call: str
    resent: bool
    #: Requests sent when the fault persists (the first try plus the retries it allows).
    sends: int
    #: The error raised, or ``None`` when the call succeeds despite the fault.
    error: type[Exception] | None
    answer: Answer | None = None
    #: An emulator fault agent instead of a scripted answer (``metadata`` is sent with the call).
    agent: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    outcome_unknown: bool = False
    #: Sleeps asked for before each re-send (``None``: exponential backoff).
    waits: tuple[float, ...] | None = None
    #: The call uses a refreshable credential (the 401 row).
    credential: bool = False
    #: Stream errors: the text the error's ``partial_response`` keeps ("" when nothing streamed,
    #: "*" for any non-empty text).
    partial: str | None = None
    #: Extra assertions on the error, or on the result when the call succeeds.
    check: Callable[[Any], None] | None = None

    @property
    def cells(self) -> tuple[str, ...]:
        resent = "once, new token" if self.credential else ("yes" if self.resent else "no")
        if not self.resent:
            wait = "-"
        elif self.waits is None:
            wait = "backoff"
        elif not self.waits:
            wait = "none"
        else:
            wait = f"{self.waits[0]:g} s"
        error = f"`{self.error.__name__}`" if self.error else "none (answered)"
        partial = "-" if self.partial is None else ("yes" if self.partial else "yes (nothing yet)")
        return (self.failure, f"`{self.call}`", resent, wait, str(self.sends), error,
                "yes" if self.outcome_unknown else "no", partial)


HEADER = ("Failure", "Call", "Re-sent?", "Wait", "Sends if it persists", "Error", "Outcome unknown",
          "Partial output kept")


# -- scripted answers --------------------------------------------------------------------------------
def _raise(exc_type: type[httpx.TransportError], message: str) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return answer


def _status(status: int, **headers: str) -> Answer:
    body = {"error": {"code": f"http_{status}", "message": f"injected {status}"}}
    return lambda request: httpx.Response(status, json=body, headers={"x-request-id": f"rid-{status}", **headers})


class WireBytes(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body read from the wire (decoded on read, as a real one: ``content=`` decodes eagerly)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def __iter__(self) -> Any:
        yield self.content

    async def __aiter__(self) -> Any:
        yield self.content


def _answer(status: int, content: bytes = b"", ctype: str | None = "application/json", **headers: str) -> Answer:
    hdrs = {"x-request-id": RID, **headers}
    if ctype:
        hdrs["content-type"] = ctype
    return lambda request: httpx.Response(status, stream=WireBytes(content), headers=hdrs)


def _stream_of(raw: bytes, **headers: str) -> Answer:
    return _answer(200, raw, "text/event-stream", **headers)


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


# -- checks ------------------------------------------------------------------------------------------
def names_the_answer(status: int, ctype: str | None) -> Callable[[Any], None]:
    def check(err: UnexpectedResponseError) -> None:
        assert err.status_code == status and err.request_id == RID and err.content_type == ctype
        assert f"HTTP {status}" in str(err) and RID in str(err) and (ctype or "none") in str(err)
    return check


def short_html_message(err: Any) -> None:
    assert "502 Bad Gateway" in str(err) and len(str(err)) < MESSAGE_LIMIT + 400
    assert len(err.body) == len(HTML_502) and err.request_id == RID


def token_redacted(err: BadRequestError) -> None:
    assert TOKEN not in str(err) and TOKEN not in repr(err.body) and "[REDACTED]" in str(err)


def says_hello(result: Any) -> None:
    assert result.output_text == "Hello"


def recovered(result: Any) -> None:
    assert result.status == "completed" and "Recovered after 2 failures" in result.output_text


def incomplete(result: Any) -> None:
    assert result.status == "incomplete" and result.incomplete_reason == "max_output_tokens" and result.output_text


_RESET = _raise(httpx.ReadError, "[Errno 104] Connection reset by peer")
_PAST = "Wed, 21 Oct 2015 07:28:00 GMT"

ROWS: tuple[Fault, ...] = (
    # The network: re-sent only when the request provably was not processed.
    Fault("connection refused (not sent)", "create_response", True, N, APIConnectionError,
          _raise(httpx.ConnectError, "[Errno 111] Connection refused")),
    Fault("connect timeout (not sent)", "create_response", True, N, APITimeoutError,
          _raise(httpx.ConnectTimeout, "timed out")),
    Fault("no free pooled connection (not sent)", "create_response", True, N, APITimeoutError,
          _raise(httpx.PoolTimeout, "pool timeout")),
    *(Fault("reset after the request was written", call, False, 1, APIConnectionError, _RESET, outcome_unknown=True)
      for call in ("create_response", "stream_response", "create_conversation", "add_conversation_items",
                   "cancel_response")),
    Fault("reset after the request was written", "get_response", True, N, APIConnectionError, _RESET),
    Fault("reset after the request was written", "delete_response", True, N, APIConnectionError, _RESET),
    Fault("closed without an answer", "create_response", False, 1, APIConnectionError,
          _raise(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
          outcome_unknown=True),
    Fault("read timeout (server stalls)", "create_response", False, 1, APITimeoutError,
          _raise(httpx.ReadTimeout, "timed out"), outcome_unknown=True),
    Fault("read timeout (server stalls)", "get_response", True, N, APITimeoutError, _raise(httpx.ReadTimeout, "timed out")),
    # Status answers.
    Fault("401, token refreshed", "create_response", True, 2, AuthenticationError, _status(401),
          credential=True, waits=()),
    Fault("429 `retry-after-ms: 250`", "create_response", True, N, RateLimitError,
          _status(429, **{"retry-after-ms": "250"}), waits=(0.25, 0.25)),
    Fault("429 `retry-after: 2`", "create_response", True, N, RateLimitError, _status(429, **{"retry-after": "2"}),
          waits=(2.0, 2.0)),
    Fault("429 `retry-after: <past HTTP date>`", "create_response", True, N, RateLimitError,
          _status(429, **{"retry-after": _PAST}), waits=(0.0, 0.0)),
    Fault("429 `x-should-retry: false`", "create_response", False, 1, RateLimitError,
          _status(429, **{"x-should-retry": "false"})),
    Fault("503 `retry-after: 1`", "create_response", True, N, ServerError, _status(503, **{"retry-after": "1"}),
          waits=(1.0, 1.0)),
    Fault("500", "create_response", False, 1, ServerError, _status(500), outcome_unknown=True),
    Fault("502", "stream_response", False, 1, ServerError, _status(502), outcome_unknown=True),
    Fault("504", "add_conversation_items", False, 1, ServerError, _status(504), outcome_unknown=True),
    Fault("408", "create_response", False, 1, APIStatusError, _status(408), outcome_unknown=True),
    Fault("500 `x-should-retry: true`", "create_response", True, N, ServerError,
          _status(500, **{"x-should-retry": "true"})),
    Fault("500", "get_response", True, N, ServerError, _status(500)),
    Fault("400", "create_response", False, 1, BadRequestError, _status(400)),
    Fault("502 with a 20 KB HTML page", "get_response", True, N, ServerError, _answer(502, HTML_502, "text/html"),
          check=short_html_message),
    Fault("400 echoing the token", "get_response", False, 1, BadRequestError,
          _answer(400, json.dumps({"error": {"message": f"bad header: Authorization: Bearer {TOKEN}",
                                             "code": "invalid_payload"}}).encode()), check=token_redacted),
    # Malformed streams: a typed StreamDecodeError that keeps what streamed, never re-sent.
    Fault("stream: a data line that is not JSON", "stream_response", False, 1, StreamDecodeError,
          _stream_of(STARTED + b"data: {not json\n\n"), partial="Hel"),
    Fault("stream: data that is a number", "stream_response", False, 1, StreamDecodeError,
          _stream_of(STARTED + b"data: 42\n\n"), partial="Hel"),
    Fault("stream: `output_index` that is not an integer", "stream_response", False, 1, StreamDecodeError,
          _stream_of(STARTED + sse({**HEL, "output_index": "zero"})), partial="Hel"),
    Fault("stream: invalid UTF-8", "stream_response", False, 1, StreamDecodeError,
          _stream_of(STARTED + b"data: \xff\xfe\n\n"), partial="Hel"),
    Fault("stream: garbled gzip", "stream_response", False, 1, StreamDecodeError,
          _stream_of(b"\x1f\x8bnot gzip at all", **{"content-encoding": "gzip"}), partial=""),
    Fault("stream: an HTML page instead of events", "stream_response", False, 1, StreamDecodeError,
          _answer(200, HTML_502, "text/html"), partial="", check=short_html_message),
    Fault("stream: a JSON array instead of events", "stream_response", False, 1, StreamDecodeError,
          _answer(200, b"[1]"), partial=""),
    Fault("stream: CR-only line ends, no final blank line", "stream_response", False, 1, None,
          _stream_of(_cr_only([CREATED, ADDED, HEL, COMPLETED])), check=says_hello),
    Fault("stream: 302 redirect", "stream_response", False, 1, UnexpectedResponseError,
          _answer(302, b"", None, location="https://login.example/")),
    # Malformed 2xx bodies and redirects: UnexpectedResponseError naming status, type, request id.
    Fault("body: empty 200", "create_response", False, 1, UnexpectedResponseError, _answer(200, b""),
          check=names_the_answer(200, "application/json")),
    Fault("body: HTML 200", "create_response", False, 1, UnexpectedResponseError,
          _answer(200, b"<html><title>Sign in</title></html>", "text/html"), check=names_the_answer(200, "text/html")),
    Fault("body: invalid JSON", "create_response", False, 1, UnexpectedResponseError, _answer(200, b'{"id": '),
          check=names_the_answer(200, "application/json")),
    Fault("body: a JSON array", "get_response", False, 1, UnexpectedResponseError, _answer(200, b"[1]"),
          check=names_the_answer(200, "application/json")),
    Fault("body: invalid UTF-8", "get_response", False, 1, UnexpectedResponseError, _answer(200, b'{"id": "\xff"}')),
    Fault("body: 302 without a body", "create_response", False, 1, UnexpectedResponseError,
          _answer(302, b"", None, location="https://login.example/"), check=names_the_answer(302, None)),
    Fault("body: garbled gzip", "get_response", False, 1, UnexpectedResponseError,
          _answer(200, b"\x1f\x8bgarbage", **{"content-encoding": "gzip"}),
          check=names_the_answer(200, "application/json")),
    Fault("body: valid gzip", "get_response", False, 1, None,
          _answer(200, gzip.compress(OK_BODY), **{"content-encoding": "gzip"}), check=says_hello),
    # The emulator's fault agents, over a real loopback socket.
    Fault("emulator `flaky`: 429 twice, then an answer", "create_response", True, N, None, agent="flaky",
          waits=(0.01, 0.01), check=recovered),
    Fault("emulator `broken`: 500", "create_response", False, 1, ServerError, agent="broken", outcome_unknown=True),
    Fault("emulator `unavailable`: 503", "create_response", True, N, ServerError, agent="unavailable"),
    Fault("emulator `dropper`: stream cut, no terminal event (one resume request, refused)", "stream_response",
          False, 2, StreamInterruptedError, agent="dropper", partial="*"),
    Fault("emulator `failing`: status failed", "create_response", False, 1, ResponseFailedError, agent="failing"),
    Fault("emulator `failing`: `response.failed` event", "stream_response", False, 1, ResponseFailedError,
          agent="failing", partial=""),
    Fault("emulator `erroring`: an `error` event mid-stream", "stream_response", False, 1, StreamEventError,
          agent="erroring", partial="*"),
    Fault("emulator `truncated`: status incomplete", "stream_response", False, 1, None, agent="truncated",
          check=incomplete),
    Fault("emulator `slow`: answer later than the timeout", "create_response", False, 1, APITimeoutError,
          agent="slow", metadata={"delay": "0.5"}, timeout=0.3, outcome_unknown=True),
)


def readme_rows() -> list[tuple[str, ...]]:
    """The README table's body, row for row."""
    return [row.cells for row in ROWS]
