"""Output mapping (pure): AgentResponse and stream events -> ChatResponse, table-driven."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import CitationBlock, TextBlock, ThinkingBlock, ToolCallBlock

from foundry_agents.response import parse_annotation, parse_response
from foundry_agents.streaming import StreamAccumulator
from llama_index_foundry._outputs import (
    StreamMapper,
    to_chat_response,
    to_completion_response,
    tool_selections,
)

AGENT = {"type": "agent_reference", "name": "weather", "version": "3"}
USAGE = {"input_tokens": 11, "output_tokens": 7, "total_tokens": 18,
         "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 2}}


def msg(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": annotations or []}]}


def resp(*output: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "resp_1", "status": "completed", "model": "gpt-4o", "agent_reference": AGENT,
            "output": list(output), "usage": USAGE, **extra}


CITE = {"type": "url_citation", "url": "https://w.test/a", "title": "A", "start_index": 0, "end_index": 5}
FILE_PATH = {"type": "file_path", "file_id": "assistant-1", "index": 3}
CALL = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
        "arguments": '{"location": "Paris"}', "status": "completed"}

# name, wire response, expected text, expected block types, expected additional_kwargs subset
CASES: list[tuple[str, dict[str, Any], str, list[type], dict[str, Any]]] = [
    ("text", resp(msg("Hello")), "Hello", [TextBlock],
     {"response_id": "resp_1", "agent_name": "weather", "agent_version": "3", "model": "gpt-4o"}),
    ("empty model -> name:version", resp(msg("x"), model=""), "x", [TextBlock], {"model": "weather:3"}),
    ("no usage, no agent", {"id": "caresp_9", "status": "completed", "output": [msg("x")]}, "x", [TextBlock],
     {"response_id": "caresp_9"}),
    ("two messages concatenated", resp(msg("a"), msg("b")), "ab", [TextBlock], {}),
    ("function call", resp(CALL), "", [TextBlock, ToolCallBlock], {}),
    ("bad JSON arguments kept as string", resp({**CALL, "arguments": "{oops"}), "", [TextBlock, ToolCallBlock], {}),
    ("reasoning", resp({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "think"}]},
                       msg("A")), "A", [ThinkingBlock, TextBlock], {}),
    ("citations accumulate", resp(msg("Hello world", [CITE, {**CITE, "start_index": 6, "end_index": 11}, FILE_PATH])),
     "Hello world", [TextBlock, CitationBlock, CitationBlock, CitationBlock],
     {"annotations": [CITE, {**CITE, "start_index": 6, "end_index": 11}, FILE_PATH]}),
    ("pending approval", resp({"type": "mcp_list_tools", "id": "mcpl_1", "server_label": "s", "tools": []},
                              {"type": "mcp_approval_request", "id": "mcpr_1", "server_label": "s",
                               "name": "search", "arguments": "{}"}), "", [TextBlock],
     {"approval_requests": [{"id": "mcpr_1", "server_label": "s", "name": "search", "arguments": "{}"}],
      "server_tool_calls": [{"type": "mcp_list_tools", "id": "mcpl_1", "server_label": "s", "tools": []}]}),
    ("answered approval not pending", resp({"type": "mcp_approval_request", "id": "mcpr_1", "server_label": "s",
                                            "name": "n", "arguments": "{}"},
                                           {"type": "mcp_call", "id": "mcp_1", "approval_request_id": "mcpr_1"},
                                           msg("done")), "done", [TextBlock], {}),
    ("unknown item kept", resp({"type": "brand_new_thing", "id": "x_1", "payload": 1}, msg("ok")), "ok",
     [TextBlock], {"other_items": [{"type": "brand_new_thing", "id": "x_1", "payload": 1}]}),
    ("refusal", resp({"type": "message", "id": "m", "content": [{"type": "refusal", "refusal": "no"}]}), "",
     [TextBlock], {"refusal": "no"}),
    ("incomplete", resp(msg("part"), status="incomplete", incomplete_details={"reason": "max_output_tokens"}),
     "part", [TextBlock], {"status": "incomplete", "incomplete_reason": "max_output_tokens"}),
    ("conversation", resp(msg("x"), conversation={"id": "conv_1"}), "x", [TextBlock], {"conversation_id": "conv_1"}),
]


@pytest.mark.parametrize(("name", "wire", "text", "blocks", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_to_chat_response(name: str, wire: dict[str, Any], text: str, blocks: list[type],
                          kwargs: dict[str, Any]) -> None:
    chat = to_chat_response(parse_response(wire))
    assert chat.message.content == text
    assert [type(b) for b in chat.message.blocks] == blocks
    for key, value in kwargs.items():
        assert chat.message.additional_kwargs[key] == value
    assert chat.raw == wire
    if wire.get("usage"):
        assert chat.additional_kwargs == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}


def test_citation_block_fields() -> None:
    chat = to_chat_response(parse_response(resp(msg("Hello world", [CITE]))))
    block = chat.message.blocks[1]
    assert isinstance(block, CitationBlock)
    assert block.cited_content == TextBlock(text="Hello")
    assert (block.source, block.title) == ("https://w.test/a", "A")
    assert block.additional_location_info == {"start_index": 0, "end_index": 5}


def test_tool_selections() -> None:
    chat = to_chat_response(parse_response(resp(CALL, {**CALL, "call_id": "call_2", "arguments": ""})))
    calls = tool_selections(chat.message)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "get_weather", {"location": "Paris"}), ("call_2", "get_weather", {})]


def test_tool_selections_bad_json() -> None:
    chat = to_chat_response(parse_response(resp({**CALL, "arguments": "{oops"})))
    with pytest.raises(ValueError, match="not JSON"):
        tool_selections(chat.message)


def test_completion_response() -> None:
    comp = to_completion_response(to_chat_response(parse_response(resp(msg("Hi")))))
    assert comp.text == "Hi"
    assert comp.raw["usage"]["input_tokens"] == 11
    assert comp.additional_kwargs["response_id"] == "resp_1"
    assert comp.additional_kwargs["prompt_tokens"] == 11


# -- streaming ------------------------------------------------------------------------------------
def wire_stream(final: dict[str, Any], text: str, *, chunks: int = 3, call: bool = False,
                reasoning: str = "", annotations: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    created = {k: v for k, v in final.items() if k not in ("output", "usage")} | {"status": "in_progress"}
    events: list[dict[str, Any]] = [{"type": "response.created", "response": created}]
    index = 0
    if reasoning:
        events += [{"type": "response.output_item.added", "output_index": 0,
                    "item": {"type": "reasoning", "id": "rs_1", "summary": []}},
                   {"type": "response.reasoning_summary_text.delta", "output_index": 0, "summary_index": 0,
                    "delta": reasoning},
                   {"type": "response.output_item.done", "output_index": 0,
                    "item": {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": reasoning}]}}]
        index = 1
    if call:
        events += [{"type": "response.output_item.added", "output_index": index, "item": {**CALL, "arguments": ""}},
                   {"type": "response.function_call_arguments.delta", "output_index": index, "delta": CALL["arguments"]},
                   {"type": "response.output_item.done", "output_index": index, "item": CALL}]
        index += 1
    if text:
        events.append({"type": "response.output_item.added", "output_index": index,
                       "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}})
        size = max(1, len(text) // chunks)
        for start in range(0, len(text), size):
            events.append({"type": "response.output_text.delta", "output_index": index, "content_index": 0,
                           "delta": text[start:start + size]})
        for ann in annotations or []:
            events.append({"type": "response.output_text.annotation.added", "output_index": index,
                           "content_index": 0, "annotation": ann})
        events.append({"type": "response.output_item.done", "output_index": index, "item": msg(text, annotations)})
    events.append({"type": "response.completed", "response": final})
    return events


def run_mapper(events: list[dict[str, Any]]) -> list[Any]:
    acc, mapper, chunks = StreamAccumulator(), StreamMapper(), []
    for raw in events:
        for event in acc.feed(raw):
            chunk = mapper.feed(event)
            if chunk is not None:
                chunks.append(chunk)
    return chunks


STREAMS = [
    ("text", dict(text="Hello there, world")),
    ("call then text", dict(text="It is 72F", call=True)),
    ("call only", dict(text="", call=True)),
    ("reasoning", dict(text="Answer", reasoning="Let me think")),
    ("citations", dict(text="Hello world", annotations=[CITE, FILE_PATH])),
]


@pytest.mark.parametrize(("name", "opts"), STREAMS, ids=[s[0] for s in STREAMS])
def test_stream_chunks_accumulate_and_end_like_one_shot(name: str, opts: dict[str, Any]) -> None:
    output = []
    if opts.get("reasoning"):
        output.append({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": opts["reasoning"]}]})
    if opts.get("call"):
        output.append(CALL)
    if opts["text"]:
        output.append(msg(opts["text"], opts.get("annotations")))
    final = resp(*output)
    chunks = run_mapper(wire_stream(final, **opts))
    text = ""
    for chunk in chunks[:-1]:
        text += chunk.delta
        assert chunk.message.content == text  # accumulated text on every chunk
        assert chunk.message.additional_kwargs["response_id"] == "resp_1"
        assert chunk.raw is None
    last = chunks[-1]
    assert last.delta == ""
    assert last.raw == final
    one_shot = to_chat_response(parse_response(final))
    assert last.message == one_shot.message
    assert last.additional_kwargs == one_shot.additional_kwargs


def test_stream_tool_call_arrives_complete() -> None:
    chunks = run_mapper(wire_stream(resp(CALL), "", call=True))
    with_calls = [c for c in chunks if tool_selections(c.message)]
    assert with_calls and all(tool_selections(c.message)[0].tool_kwargs == {"location": "Paris"} for c in with_calls)


def test_stream_reasoning_delta_kwarg() -> None:
    chunks = run_mapper(wire_stream(resp(msg("A")), "A", reasoning="why"))
    assert [c.additional_kwargs for c in chunks if c.message.additional_kwargs.get("thinking_delta")] == [{}]
    thinking = [c for c in chunks if c.message.additional_kwargs.get("thinking_delta") == "why"]
    assert thinking and isinstance(thinking[0].message.blocks[0], ThinkingBlock)


def test_stream_annotations_not_overwritten() -> None:
    chunks = run_mapper(wire_stream(resp(msg("Hello world", [CITE, FILE_PATH])), "Hello world",
                                    annotations=[CITE, FILE_PATH]))
    seen = [len(c.message.additional_kwargs.get("annotations", [])) for c in chunks]
    assert seen == sorted(seen) and seen[-1] == 2


def test_per_delta_work_does_not_grow_with_the_answer() -> None:
    """Structural, not timed: a late chunk holds no more objects than an early one, and the
    annotations list is shared between text chunks rather than copied per delta."""
    from foundry_agents.streaming import AnnotationAdded, TextDelta

    mapper = StreamMapper()
    mapper.feed(AnnotationAdded(parse_annotation({"type": "url_citation", "url": "u"}), 0, 0))
    chunks = [mapper.feed(TextDelta("abcd", 0, 0)) for _ in range(2_000)]
    first, last = chunks[0], chunks[-1]
    assert last.message.content == "abcd" * 2_000 and last.delta == "abcd"
    assert len(last.message.blocks) == len(first.message.blocks) == 1
    assert last.message.additional_kwargs.keys() == first.message.additional_kwargs.keys()
    assert last.message.additional_kwargs["annotations"] is first.message.additional_kwargs["annotations"]
