"""Fuzz the core's decoders and parsers: only the package's own errors may ever escape.

Random bytes and random event sequences go into the SSE decoder, the stream accumulator and the
public stream shells; random JSON goes into the response parser and the success-body decoder.
Property: whatever comes in, the only exceptions are :class:`FoundryAgentsError` subclasses, and a
stream error keeps what was received (``partial_response``) and the request id.

Deterministic (``derandomize=True``) and bounded: about 2,250 inputs in all by default (CI);
``FUZZ_SCALE=10 pytest tests/core/test_fuzz_core.py`` runs ten times as many (22,500 inputs,
0 untyped exceptions when this suite was written).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import foundry_agents.background as background
from foundry_agents import (
    APIConnectionError,
    AsyncResponseStream,
    FoundryAgentsError,
    ResponseStream,
    StreamError,
)
from foundry_agents._base import _json_object
from foundry_agents.background import ContinuationToken
from foundry_agents.errors import FoundryConfigError
from foundry_agents.metadata import response_metadata
from foundry_agents.request import tool_choice_option
from foundry_agents.resources import Agent, AgentVersion, Conversation, ItemList, page_data
from foundry_agents.response import parse_output_item, parse_response
from foundry_agents.streaming.accumulator import _HANDLERS, _IGNORED, StreamAccumulator
from foundry_agents.streaming.decoder import SSEDecoder

SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))
RID = "rid-fuzz"


def fuzz(examples: int) -> Callable[[Any], Any]:
    return settings(max_examples=examples * SCALE, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def only_typed(action: Callable[[], Any]) -> FoundryAgentsError | None:
    """Run ``action``; return the package error it raised (anything else fails the test)."""
    try:
        action()
    except FoundryAgentsError as err:
        return err
    return None


# -- strategies --------------------------------------------------------------------------------------
scalars = st.none() | st.booleans() | st.integers(-3, 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=6)
indexes = st.integers(0, 3) | json_values
ITEM_TYPES = ["message", "function_call", "reasoning", "mcp_approval_request", "mcp_call", "web_search_call",
              "oauth_consent_request", "workflow_action", "something_new", ""]
parts = st.fixed_dictionaries(
    {"type": st.sampled_from(["output_text", "refusal", "other"]) | json_values},
    optional={"text": st.text(max_size=8) | json_values, "refusal": json_values,
              "annotations": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["url_citation", "x"])},
                                                            optional={"url": json_values, "start_index": json_values,
                                                                      "title": json_values}), max_size=2)
              | json_values},
) | json_values
items = st.fixed_dictionaries(
    {"type": st.sampled_from(ITEM_TYPES) | json_values},
    optional={"id": st.sampled_from(["i1", "i2"]) | json_values, "content": st.lists(parts, max_size=3) | json_values,
              "arguments": st.text(max_size=8) | json_values, "summary": json_values, "call_id": json_values,
              "name": json_values, "status": json_values, "role": json_values,
              "approval_request_id": st.sampled_from(["i1", "i2"]) | json_values,
              # workflow_action fields (docs/protocol.md, "Workflow actions")
              "kind": json_values, "action_id": st.sampled_from(["a1", "a2"]) | json_values,
              "parent_action_id": json_values, "previous_action_id": json_values,
              "agent": json_values, "agent_reference": json_values},
) | json_values
responses = st.fixed_dictionaries(
    {},
    optional={"id": json_values, "status": st.sampled_from(["completed", "failed", "incomplete", "in_progress"])
              | json_values, "output": st.lists(items, max_size=3) | json_values, "model": json_values,
              "usage": st.fixed_dictionaries({}, optional={"input_tokens": json_values,
                                                            "output_tokens": json_values,
                                                            "input_tokens_details": json_values}) | json_values,
              "error": json_values, "incomplete_details": json_values, "created_at": json_values,
              "conversation": json_values, "previous_response_id": json_values,
              "agent_reference": st.fixed_dictionaries({"name": st.sampled_from(["echo", "bad name", ""])
                                                                | json_values},
                                                       optional={"version": json_values}) | json_values},
)
EVENT_TYPES = sorted(_HANDLERS) + sorted(_IGNORED)[:3] + ["response.unknown.thing"]
events = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES) | json_values},
    optional={"output_index": indexes, "content_index": indexes, "summary_index": indexes,
              "delta": st.text(max_size=6) | json_values, "item": items, "response": responses | json_values,
              "annotation": json_values, "item_id": json_values, "sequence_number": json_values,
              "error": json_values, "message": json_values, "code": json_values},
) | json_values


def views(response: Any) -> None:
    """Touch everything a user reads on a response."""
    _ = (response.output_text, response.messages, response.function_calls, response.approval_requests,
         response.pending_items, response.reasoning, response.annotations, response.model_name, response.usage,
         response.workflow_actions)
    for item in response.output:
        if hasattr(item, "text"):
            _ = item.text
        if hasattr(item, "agent"):
            _ = item.agent
    for action in response.workflow_actions:
        _ = (action.summary(), action.invoked_agent)
    for call in response.function_calls:
        with contextlib.suppress(ValueError):  # documented: arguments that are not a JSON object
            call.parsed_arguments()
    json.dumps(response_metadata(response))  # the facts both adapters rename: plain JSON, never a crash


# -- SSE decoder -----------------------------------------------------------------------------------
LINE_BITS = [b"data: ", b"data:", b"event: ", b"id: ", b": ping", b"\n", b"\r", b"\r\n", b"{", b"}", b'"',
             b"[DONE]", b"\xff", b"\xe2\x80", b"\x00", b"retry: 1"]


@fuzz(400)
@given(data=st.binary(max_size=200) | st.lists(st.sampled_from(LINE_BITS) | st.binary(max_size=4),
                                               max_size=30).map(b"".join),
       cuts=st.lists(st.integers(0, 200), max_size=5))
def test_sse_decoder_raises_only_typed_errors(data: bytes, cuts: list[int]) -> None:
    decoder = SSEDecoder()
    bounds = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]

    def run() -> None:
        for start, end in itertools.pairwise(bounds):
            decoder.feed(data[start:end])
        decoder.flush()

    only_typed(run)


# -- stream accumulator ------------------------------------------------------------------------------
@fuzz(400)
@given(sequence=st.lists(events, max_size=6))
def test_accumulator_raises_only_typed_errors_and_keeps_the_partial(sequence: list[Any]) -> None:
    acc = StreamAccumulator(request_id=RID)

    def run() -> None:
        for event in sequence:
            acc.feed(event)
        acc.close()

    err = only_typed(run)
    if isinstance(err, StreamError):
        assert err.partial_response is not None and err.request_id == RID
        views(err.partial_response)
    views(acc.partial_response())


# -- response parser and success bodies ------------------------------------------------------------
@fuzz(400)
@given(raw=responses | json_values)
def test_parse_response_raises_only_typed_errors(raw: Any) -> None:
    holder: list[Any] = []
    only_typed(lambda: holder.append(parse_response(raw, request_id=RID)))
    for response in holder:
        views(response)


@fuzz(200)
@given(choice=json_values | st.fixed_dictionaries({"type": st.sampled_from(["function", "mcp", ""]) | json_values},
                                                   optional={"name": json_values, "function": json_values}))
def test_tool_choice_mapping_gives_the_responses_shape_or_a_config_error(choice: Any) -> None:
    try:
        wire = tool_choice_option(choice, names=["f"])
    except FoundryConfigError:
        return
    assert wire is None or wire in ("auto", "required", "none") or (isinstance(wire, dict) and wire["type"])
    if isinstance(wire, dict) and wire["type"] == "function":
        assert wire == {"type": "function", "name": "f"}


@fuzz(200)
@given(raw=items)
def test_parse_output_item_never_raises(raw: Any) -> None:
    item = parse_output_item(raw)
    assert item.type


@fuzz(200)
@given(body=json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=60),
       status=st.sampled_from([200, 201, 204]), ctype=st.sampled_from(["application/json", "text/html", ""]))
def test_success_body_decoder_raises_only_typed_errors(body: bytes, status: int, ctype: str) -> None:
    response = httpx.Response(status, content=body, headers={"content-type": ctype, "x-request-id": RID})
    holder: list[Any] = []
    err = only_typed(lambda: holder.append(parse_response(_json_object(response), request_id=RID)))
    if err is not None:
        assert err.request_id == RID
    for result in holder:
        views(result)


resource_bodies = st.fixed_dictionaries(
    {}, optional={k: json_values for k in ("id", "name", "version", "created_at", "metadata", "definition",
                                           "description", "versions", "has_more", "first_id")}
    | {"data": st.lists(json_values | st.fixed_dictionaries({}, optional={"name": json_values,
                                                                            "definition": json_values}),
                        max_size=3) | json_values},
) | json_values


def _agents(raw: Any) -> list[Agent]:
    """A page of agents read the way the client's list pages are."""
    return [Agent.from_wire(a) for a in page_data(raw)]


def _versions(raw: Any) -> list[AgentVersion]:
    return [AgentVersion.from_wire(v) for v in page_data(raw)]


@fuzz(300)
@given(raw=resource_bodies)
def test_resource_parsers_raise_only_typed_errors(raw: Any) -> None:
    def run() -> None:
        for parse in (Conversation.from_wire, ItemList.from_wire, Agent.from_wire, _agents, _versions):
            with contextlib.suppress(FoundryAgentsError):
                parsed = parse(raw)
                for version in parsed if isinstance(parsed, list) else [parsed]:
                    version = getattr(version, "latest", version)
                    if isinstance(version, AgentVersion):
                        _ = (version.kind, version.tools, version.function_names, version.output_format)

    if isinstance(raw, dict):
        run()
    else:
        only_typed(lambda: Conversation.from_wire(raw))


# -- the public stream shells (sync and async) -------------------------------------------------------
class _Wire(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Any:
        yield from self.chunks

    async def __aiter__(self) -> Any:
        for chunk in self.chunks:
            yield chunk


def _wire(sequence: list[Any], garbage: list[bytes], eol: bytes) -> bytes:
    frames = [(f"data: {json.dumps(e)}" if not isinstance(e, bytes) else e.decode("latin-1")).encode() + eol + eol
              for e in sequence]
    return b"".join(frames + garbage)


stream_inputs = st.tuples(st.lists(events, max_size=6), st.lists(st.sampled_from(LINE_BITS), max_size=3),
                          st.sampled_from([b"\n", b"\r\n", b"\r"]), st.integers(1, 64))


def _stream_response(raw: bytes, size: int) -> httpx.Response:
    chunks = [raw[i:i + size] for i in range(0, len(raw), size)]
    return httpx.Response(200, stream=_Wire(chunks),
                          headers={"content-type": "text/event-stream", "x-request-id": RID})


def _check_stream_error(err: FoundryAgentsError | None) -> None:
    if isinstance(err, StreamError):
        assert err.partial_response is not None and err.request_id == RID


@fuzz(250)
@given(case=stream_inputs)
def test_sync_stream_shell_raises_only_typed_errors(case: tuple[list[Any], list[bytes], bytes, int]) -> None:
    sequence, garbage, eol, size = case
    stream = ResponseStream(_stream_response(_wire(sequence, garbage, eol), size))
    _check_stream_error(only_typed(stream.get_final_response))


@fuzz(100)
@given(case=stream_inputs)
def test_async_stream_shell_raises_only_typed_errors(case: tuple[list[Any], list[bytes], bytes, int]) -> None:
    sequence, garbage, eol, size = case
    stream = AsyncResponseStream(_stream_response(_wire(sequence, garbage, eol), size))
    _check_stream_error(only_typed(lambda: asyncio.run(stream.get_final_response())))


# -- continuation tokens and resumed streams -----------------------------------------------------------
@fuzz(150)
@given(raw=st.text(max_size=40) | st.builds(lambda t: "fa1." + t, st.text(max_size=40))
       | json_values.map(lambda v: "fa1." + base64.urlsafe_b64encode(json.dumps(v).encode()).decode()))
def test_continuation_token_parser_raises_only_config_errors(raw: str) -> None:
    err = only_typed(lambda: ContinuationToken.from_str(raw))
    assert err is None or type(err).__name__ == "FoundryConfigError"


@fuzz(120)
@given(first=stream_inputs, resumes=st.lists(stream_inputs, max_size=4))
def test_resumed_stream_shell_raises_only_typed_errors(first: Any, resumes: list[Any]) -> None:
    """Whatever the first stream and each resumed stream hold, only typed errors escape."""
    answers = [_stream_response(_wire(seq, garbage, eol), size) for seq, garbage, eol, size in resumes]

    def reconnect(response_id: str, after: int | None) -> httpx.Response:
        if not answers:
            raise APIConnectionError("the resume request got no answer")
        return answers.pop(0)

    seq, garbage, eol, size = first
    saved = background.RESUME_BACKOFF
    background.RESUME_BACKOFF = 0.0
    try:
        stream = ResponseStream(_stream_response(_wire(seq, garbage, eol), size), reconnect=reconnect)
        _check_stream_error(only_typed(stream.get_final_response))
    finally:
        background.RESUME_BACKOFF = saved
session_bodies = st.fixed_dictionaries(
    {}, optional={k: json_values for k in ("agent_session_id", "id", "status", "version_indicator", "created_at",
                                           "last_accessed_at", "expires_at", "has_more", "last_id", "data")},
) | json_values


@fuzz(300)
@given(raw=session_bodies)
def test_session_and_page_parsers_raise_only_typed_errors(raw: Any) -> None:
    from foundry_agents.resources import AgentSession, next_after

    def run() -> None:
        with contextlib.suppress(FoundryAgentsError):
            session = AgentSession.from_wire(raw)
            _ = (session.id, session.agent_version)
        with contextlib.suppress(FoundryAgentsError):
            after = next_after(raw)
            assert after is None or (isinstance(after, str) and after)

    if isinstance(raw, dict):
        run()
    else:
        only_typed(lambda: AgentSession.from_wire(raw))
        only_typed(lambda: next_after(raw))


@fuzz(300)
@given(headers=st.dictionaries(st.sampled_from(["x-request-id", "x-ms-region", "x-ratelimit-remaining-requests",
                                                "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
                                                "x-ratelimit-limit-tokens", "other"]),
                               st.text(max_size=12), max_size=6))
def test_response_header_parser_never_raises(headers: dict[str, str]) -> None:
    from foundry_agents.headers import parse_headers

    parsed = parse_headers(headers)
    meta = parsed.as_metadata()
    assert all(v is not None for v in meta.values())
    remaining = parsed.rate_limit.remaining_tokens
    assert remaining is None or isinstance(remaining, int)
