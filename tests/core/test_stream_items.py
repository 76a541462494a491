"""Streams of tool items: partial images, code deltas, progress, OAuth consent and computer calls.

Each sequence is what the service sends (OpenAI's Response*Event shapes; Foundry's consent event
as Agent Framework reads it); the streamed final response must equal the non-streamed parse of
the same final response object.
"""

from __future__ import annotations

from typing import Any

import pytest

from foundry_agents import (
    CodeDelta,
    ComputerCallItem,
    ImagePartial,
    ItemAdded,
    ItemDone,
    OAuthConsentRequestItem,
    ResponseDone,
    StreamDecodeError,
    ToolCallProgress,
    parse_response,
)
from foundry_agents.streaming import StreamAccumulator

from .test_items import CODE, COMPUTER, CONSENT, IMAGE, WEB_SEARCH


def _events(*events: dict[str, Any]) -> list[dict[str, Any]]:
    """Number the events as the service does."""
    return [{**e, "sequence_number": n} for n, e in enumerate(events)]


def _created() -> dict[str, Any]:
    return {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}}


def _completed(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.completed", "response": {"id": "resp_1", "status": "completed", "output": list(items)}}


def _feed(events: list[dict[str, Any]]) -> tuple[StreamAccumulator, list[Any]]:
    acc = StreamAccumulator(request_id="rid")
    out: list[Any] = []
    for event in events:
        out += acc.feed(event)
    return acc, out


def _added(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def _done(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done", "output_index": index, "item": item}


def _progress(kind: str, index: int, item_id: str) -> dict[str, Any]:
    return {"type": f"response.{kind}", "output_index": index, "item_id": item_id}


IMAGE_STREAM = _events(
    _created(),
    _added(0, {"type": "image_generation_call", "id": "ig_1", "status": "in_progress", "result": None}),
    _progress("image_generation_call.in_progress", 0, "ig_1"),
    _progress("image_generation_call.generating", 0, "ig_1"),
    {"type": "response.image_generation_call.partial_image", "output_index": 0, "item_id": "ig_1",
     "partial_image_index": 0, "partial_image_b64": "cGFydDA=", "output_format": "png", "size": "1024x1024"},
    {"type": "response.image_generation_call.partial_image", "output_index": 0, "item_id": "ig_1",
     "partial_image_index": 1, "partial_image_b64": "cGFydDE=", "output_format": "png"},
    _progress("image_generation_call.completed", 0, "ig_1"),
    _done(0, IMAGE),
    _completed(IMAGE),
)

CODE_STREAM = _events(
    _created(),
    _added(0, {**CODE, "status": "in_progress", "code": "", "outputs": None}),
    _progress("code_interpreter_call.in_progress", 0, "ci_1"),
    {"type": "response.code_interpreter_call_code.delta", "output_index": 0, "item_id": "ci_1", "delta": "print("},
    {"type": "response.code_interpreter_call_code.delta", "output_index": 0, "item_id": "ci_1", "delta": "1+1)"},
    {"type": "response.code_interpreter_call_code.done", "output_index": 0, "item_id": "ci_1", "code": "print(1+1)"},
    _progress("code_interpreter_call.interpreting", 0, "ci_1"),
    _progress("code_interpreter_call.completed", 0, "ci_1"),
    _done(0, CODE),
    _completed(CODE),
)

SEARCH_STREAM = _events(
    _created(),
    _added(0, {"type": "web_search_call", "id": "ws_1", "status": "in_progress"}),
    _progress("web_search_call.in_progress", 0, "ws_1"),
    _progress("web_search_call.searching", 0, "ws_1"),
    _progress("web_search_call.completed", 0, "ws_1"),
    _done(0, WEB_SEARCH),
    _added(1, {"type": "mcp_call", "id": "mcp_1", "name": "search", "arguments": ""}),
    _progress("mcp_call.in_progress", 1, "mcp_1"),
    _progress("mcp_call.failed", 1, "mcp_1"),
    _done(1, {"type": "mcp_call", "id": "mcp_1", "name": "search", "arguments": "{}", "error": "boom"}),
    _completed(WEB_SEARCH, {"type": "mcp_call", "id": "mcp_1", "name": "search", "arguments": "{}", "error": "boom"}),
)

CONSENT_STREAM = _events(
    _created(),
    _added(0, CONSENT),
    {"type": "response.oauth_consent_requested", "output_index": 0, "id": "oauthreq_1",
     "consent_link": CONSENT["consent_link"], "server_label": "github"},
    _done(0, CONSENT),
    _completed(CONSENT),
)

COMPUTER_STREAM = _events(
    _created(),
    _added(0, {**COMPUTER, "status": "in_progress"}),
    _done(0, COMPUTER),
    _completed(COMPUTER),
)

STREAMS = {"image generation": IMAGE_STREAM, "code interpreter": CODE_STREAM, "web search and mcp": SEARCH_STREAM,
           "oauth consent": CONSENT_STREAM, "computer call": COMPUTER_STREAM}


@pytest.mark.parametrize("events", STREAMS.values(), ids=list(STREAMS))
def test_a_streamed_response_equals_the_parse_of_its_final_object(events: list[dict[str, Any]]) -> None:
    _, out = _feed(events)
    assert isinstance(out[-1], ResponseDone)
    assert out[-1].response == parse_response(events[-1]["response"], request_id="rid")


def test_partial_images_stream_in_order_and_the_final_image_is_the_done_item() -> None:
    _, out = _feed(IMAGE_STREAM)
    assert [(e.index, e.b64, e.output_format, e.item_id) for e in out if isinstance(e, ImagePartial)] == [
        (0, "cGFydDA=", "png", "ig_1"), (1, "cGFydDE=", "png", "ig_1")]
    assert [e.status for e in out if isinstance(e, ToolCallProgress)] == ["in_progress", "generating", "completed"]
    [done] = [e for e in out if isinstance(e, ItemDone)]
    assert done.item.image_bytes() == b"\x89PNG\r\n\x1a\nfake"  # type: ignore[union-attr]
    assert out[-1].response.images[0].result_b64 == IMAGE["result"]


def test_code_deltas_accumulate_into_the_item_until_the_done_item_replaces_it() -> None:
    acc, out = _feed(CODE_STREAM[:5])  # created, added, in_progress, two deltas
    assert [e.delta for e in out if isinstance(e, CodeDelta)] == ["print(", "1+1)"]
    assert acc.partial_response().output[0].code == "print(1+1)"  # type: ignore[union-attr]
    _, out = _feed(CODE_STREAM)
    [done] = [e for e in out if isinstance(e, ItemDone)]
    assert done.item.code == "print(1+1)" and done.item.logs == "2"  # type: ignore[union-attr]
    assert [e.status for e in out if isinstance(e, ToolCallProgress)] == ["in_progress", "interpreting", "completed"]


def test_code_done_replaces_the_deltas_when_they_were_lost() -> None:
    acc, _ = _feed([CODE_STREAM[0], CODE_STREAM[1], CODE_STREAM[3],
                    {**CODE_STREAM[5], "code": "print(2)"}])
    assert acc.partial_response().output[0].code == "print(2)"  # type: ignore[union-attr]


def test_progress_events_name_the_tool_and_its_status() -> None:
    _, out = _feed(SEARCH_STREAM)
    assert [(e.output_index, e.item_id, e.item_type, e.status) for e in out if isinstance(e, ToolCallProgress)] == [
        (0, "ws_1", "web_search_call", "in_progress"), (0, "ws_1", "web_search_call", "searching"),
        (0, "ws_1", "web_search_call", "completed"), (1, "mcp_1", "mcp_call", "in_progress"),
        (1, "mcp_1", "mcp_call", "failed")]


def test_an_oauth_consent_arrives_once_as_a_pending_item() -> None:
    _, out = _feed(CONSENT_STREAM)
    consents = [e.item for e in out if isinstance(e, ItemDone) and isinstance(e.item, OAuthConsentRequestItem)]
    assert [c.consent_link for c in consents] == [CONSENT["consent_link"]]  # the event repeats the item: once
    final = out[-1].response
    assert [i.type for i in final.pending_items] == ["oauth_consent_request"]


def test_a_consent_event_without_an_item_still_surfaces_the_link() -> None:
    acc, out = _feed(_events(_created(), {"type": "response.oauth_consent_requested", "output_index": 0,
                                          "item_id": "oauthreq_9", "consent_link": "https://login.example/c",
                                          "server_label": "jira"}))
    assert [type(e).__name__ for e in out] == ["ResponseStarted", "ItemAdded", "ItemDone"]
    partial = acc.partial_response()
    assert [(c.id, c.consent_link, c.server_label) for c in partial.oauth_consent_requests] == [
        ("oauthreq_9", "https://login.example/c", "jira")]
    # A terminal event without output keeps it.
    [done] = acc.feed({"type": "response.completed", "response": {"id": "resp_1", "status": "completed"}})
    assert [c.consent_link for c in done.response.oauth_consent_requests] == ["https://login.example/c"]


def test_a_computer_call_is_pending_when_its_stream_ends() -> None:
    _, out = _feed(COMPUTER_STREAM)
    assert isinstance(out[1], ItemAdded) and isinstance(out[1].item, ComputerCallItem)
    final = out[-1].response
    assert [(c.call_id, c.action) for c in final.computer_calls] == [("call_1", COMPUTER["action"])]
    assert final.pending_items == final.computer_calls


@pytest.mark.parametrize("event", [
    {"type": "response.image_generation_call.partial_image", "output_index": 0, "partial_image_index": 0,
     "partial_image_b64": None},
    {"type": "response.image_generation_call.partial_image", "output_index": 0, "partial_image_index": "one",
     "partial_image_b64": "eA=="},
    {"type": "response.code_interpreter_call_code.delta", "output_index": 0, "delta": 5},
    {"type": "response.web_search_call.searching", "output_index": "zero"},
])
def test_a_malformed_tool_event_raises_a_decode_error_with_the_partial_response(event: dict[str, Any]) -> None:
    acc, _ = _feed([_created()])
    with pytest.raises(StreamDecodeError) as info:
        acc.feed(event)
    assert info.value.partial_response is not None and info.value.partial_response.id == "resp_1"


def test_unknown_tool_events_are_still_skipped() -> None:
    _, out = _feed(_events(_created(), {"type": "response.hologram_call.materializing", "output_index": 0},
                           {"type": "response.output_text.done", "output_index": 0, "text": "x"}))
    assert [type(e).__name__ for e in out] == ["ResponseStarted"]
