"""Output mapping: responses and stream events -> AIMessage / AIMessageChunk (table-driven)."""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from foundry_agents import Usage, parse_response
from foundry_agents.streaming import StreamAccumulator
from langchain_foundry_agents import PROVIDER
from langchain_foundry_agents._outputs import (
    ChunkMapper,
    response_metadata,
    to_ai_message,
    usage_metadata,
)
from tests.langchain._support import response_body, stream_events

USAGE_ROWS = [
    ("none", None, None),
    ("zeros", Usage(), {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0,
                        "input_token_details": {"cache_read": 0}, "output_token_details": {"reasoning": 0}}),
    ("details", Usage(10, 5, 15, cached_tokens=4, reasoning_tokens=2),
     {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15,
      "input_token_details": {"cache_read": 4}, "output_token_details": {"reasoning": 2}}),
]


@pytest.mark.parametrize(("name", "usage", "expected"), USAGE_ROWS, ids=[r[0] for r in USAGE_ROWS])
def test_usage_mapping(name: str, usage: Usage | None, expected: Any) -> None:
    assert usage_metadata(usage) == expected


def test_usage_without_details_counts_zero() -> None:
    msg = to_ai_message(parse_response(response_body([], usage={"input_tokens": 3, "output_tokens": 1})))
    assert msg.usage_metadata == {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4,
                                  "input_token_details": {"cache_read": 0}, "output_token_details": {"reasoning": 0}}


TEXT = {"type": "message", "id": "msg_1", "role": "assistant",
        "content": [{"type": "output_text", "text": "Paris is sunny.", "annotations": []}]}
CITED = {"type": "message", "id": "msg_2", "role": "assistant", "content": [
    {"type": "output_text", "text": "See Contoso.", "annotations": [
        {"type": "url_citation", "url": "https://c.example", "title": "Contoso", "start_index": 4, "end_index": 11},
        {"type": "file_citation", "file_id": "file-1", "filename": "notes.md", "index": 3}]}]}
REASONING = {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Thinking."},
                                                             {"type": "summary_text", "text": "More."}]}
CALL = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
        "arguments": '{"location": "Paris"}'}
CALL2 = {"type": "function_call", "id": "fc_2", "call_id": "call_2", "name": "get_weather",
         "arguments": '{"location": "Lyon"}'}
BAD_CALL = {"type": "function_call", "id": "fc_3", "call_id": "call_3", "name": "f", "arguments": "{nope"}
EMPTY_ARGS = {"type": "function_call", "id": "fc_4", "call_id": "call_4", "name": "now", "arguments": ""}
LIST_ARGS = {"type": "function_call", "id": "fc_5", "call_id": "call_5", "name": "f", "arguments": "[1]"}
WEB = {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "q"}}
BING = {"type": "bing_grounding_call", "id": "fc_b", "call_id": "call_b", "arguments": '{"query":"q"}', "status": "completed"}
BING_OUT = {"type": "bing_grounding_call_output", "id": "fco_b", "call_id": "call_b", "output": "", "status": "completed"}
APPROVAL = {"type": "mcp_approval_request", "id": "mcpr_1", "server_label": "docs", "name": "search_docs", "arguments": "{}"}
LIST_TOOLS = {"type": "mcp_list_tools", "id": "mcpl_1", "server_label": "docs", "tools": []}
MCP_CALL = {"type": "mcp_call", "id": "mcp_1", "server_label": "docs", "name": "search_docs", "arguments": "{}",
            "output": "found", "approval_request_id": "mcpr_0"}
UNKNOWN = {"type": "hologram_projection", "id": "hp_1", "beam": 3}
REFUSAL = {"type": "message", "id": "msg_r", "role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]}

# name, output items, expected text, tool call ids, invalid ids, standard block types (content_blocks)
OUTPUT_ROWS: list[tuple[str, list[dict[str, Any]], str, list[str], list[str], list[str]]] = [
    ("text", [TEXT], "Paris is sunny.", [], [], ["text"]),
    ("empty output", [], "", [], [], []),
    ("citations", [CITED], "See Contoso.", [], [], ["text"]),
    ("reasoning then text", [REASONING, TEXT], "Paris is sunny.", [], [], ["reasoning", "reasoning", "text"]),
    ("parallel calls", [CALL, CALL2], "", ["call_1", "call_2"], [], ["tool_call", "tool_call"]),
    ("malformed arguments", [BAD_CALL], "", [], ["call_3"], ["invalid_tool_call"]),
    ("empty arguments", [EMPTY_ARGS], "", ["call_4"], [], ["tool_call"]),
    ("non-object arguments", [LIST_ARGS], "", [], ["call_5"], ["invalid_tool_call"]),
    ("web search", [WEB, CITED], "See Contoso.", [], [], ["server_tool_call", "server_tool_result", "text"]),
    ("bing grounding (Foundry-only)", [BING, BING_OUT, TEXT], "Paris is sunny.", [], [],
     ["server_tool_call", "server_tool_result", "text"]),
    ("approval pending", [LIST_TOOLS, APPROVAL], "", [], [], ["server_tool_call", "server_tool_result", "non_standard"]),
    ("mcp call", [MCP_CALL, TEXT], "Paris is sunny.", [], [], ["server_tool_call", "server_tool_result", "text"]),
    ("unknown item kept", [UNKNOWN, TEXT], "Paris is sunny.", [], [], ["non_standard", "text"]),
    # langchain-core's translator keeps a refusal as "non_standard" up to 1.7.2 and as "refusal" later.
    ("refusal", [REFUSAL], "", [], [], [("non_standard", "refusal")]),
]


def same_kinds(blocks: list[Any], kinds: list[Any]) -> bool:
    """Block types as expected; an expected tuple lists the types langchain-core versions give."""
    types = [b["type"] for b in blocks]
    return len(types) == len(kinds) and all(t in k if isinstance(k, tuple) else t == k for t, k in zip(types, kinds, strict=True))


@pytest.mark.parametrize(("name", "output", "text", "calls", "invalid", "kinds"), OUTPUT_ROWS,
                         ids=[r[0] for r in OUTPUT_ROWS])
def test_response_mapping(name: str, output: list[dict[str, Any]], text: str, calls: list[str],
                          invalid: list[str], kinds: list[str]) -> None:
    msg = to_ai_message(parse_response(response_body(output), request_id="req-1"))
    assert msg.id == "resp_1"
    assert msg.text == text
    assert [c["id"] for c in msg.tool_calls] == calls
    assert [c["id"] for c in msg.invalid_tool_calls] == invalid
    assert same_kinds(msg.content_blocks, kinds), msg.content_blocks
    assert [b["index"] for b in msg.content] == list(range(len(msg.content)))
    if name == "refusal":
        assert "No." in repr(msg.content_blocks)  # the refusal text is kept either way


LENIENT = pytest.mark.xfail(
    strict=True, reason="langchain-core parses streamed tool-call arguments with parse_partial_json, so "
    "'{nope' becomes a call with {} when streamed; invoke reports it as an invalid tool call")
STREAM_ROWS = [pytest.param(*row, marks=LENIENT) if row[0] == "malformed arguments" else row for row in OUTPUT_ROWS]


@pytest.mark.parametrize(("name", "output", "text", "calls", "invalid", "kinds"), STREAM_ROWS,
                         ids=[r[0] for r in OUTPUT_ROWS])
def test_stream_chunks_add_up_to_the_message(name: str, output: list[dict[str, Any]], text: str, calls: list[str],
                                             invalid: list[str], kinds: list[str]) -> None:
    body = response_body(output, usage={"input_tokens": 7, "output_tokens": 3, "total_tokens": 10})
    acc, mapper = StreamAccumulator(request_id="req-1"), ChunkMapper()
    chunks = [c for event in stream_events(body) for e in acc.feed(event) if (c := mapper.feed(e)) is not None]
    full = reduce(lambda a, b: a + b, chunks)
    expected = to_ai_message(parse_response(body, request_id="req-1"))
    assert chunks[-1].chunk_position == "last"
    assert full.content == expected.content
    assert full.tool_calls == expected.tool_calls
    assert [c["id"] for c in full.invalid_tool_calls] == invalid
    assert full.usage_metadata == expected.usage_metadata
    assert full.response_metadata == expected.response_metadata
    assert full.id == expected.id == "resp_1"
    assert same_kinds(full.content_blocks, kinds), full.content_blocks


def test_citations_become_standard_citations() -> None:
    msg = to_ai_message(parse_response(response_body([CITED])))
    (block,) = msg.content_blocks
    assert block["annotations"][0] == {"type": "citation", "url": "https://c.example", "title": "Contoso",
                                       "start_index": 4, "end_index": 11}
    assert block["annotations"][1]["type"] == "citation" and block["annotations"][1]["title"] == "notes.md"


def test_bing_grounding_maps_to_server_tool_call_and_result() -> None:
    call, result, _ = to_ai_message(parse_response(response_body([BING, BING_OUT, TEXT]))).content_blocks
    assert call["name"] == "bing_grounding" and call["args"] == {"query": "q"} and call["id"] == "call_b"
    assert result["tool_call_id"] == "call_b" and result["status"] == "success"


def test_pending_approvals_in_metadata_and_content() -> None:
    msg = to_ai_message(parse_response(response_body([LIST_TOOLS, APPROVAL])))
    assert msg.response_metadata["pending_approvals"] == [
        {"id": "mcpr_1", "server_label": "docs", "name": "search_docs", "arguments": "{}"}]
    assert msg.response_metadata["finish_reason"] == "approval_required"
    assert msg.content_blocks[-1]["value"]["id"] == "mcpr_1"


METADATA_ROWS = [
    ("model named", {}, {"model_name": "gpt-4o", "agent_name": "echo", "agent_version": "1", "finish_reason": "stop"}),
    ("empty model falls back to name:version", {"model": ""}, {"model_name": "echo:1"}),
    ("conversation", {"conversation": {"id": "conv_1"}}, {"conversation_id": "conv_1"}),
    ("incomplete", {"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}},
     {"status": "incomplete", "incomplete_reason": "max_output_tokens", "finish_reason": "max_output_tokens"}),
]


@pytest.mark.parametrize(("name", "extra", "expected"), METADATA_ROWS, ids=[r[0] for r in METADATA_ROWS])
def test_response_metadata(name: str, extra: dict[str, Any], expected: dict[str, Any]) -> None:
    meta = response_metadata(parse_response({**response_body([TEXT]), **extra}, request_id="req-7"))
    assert meta["id"] == "resp_1" and meta["model_provider"] == "azure_foundry" and meta["request_id"] == "req-7"
    assert expected.items() <= meta.items()
    assert None not in meta.values()


def test_chunks_carry_only_their_delta() -> None:
    acc, mapper = StreamAccumulator(), ChunkMapper()
    body = response_body([TEXT])
    chunks = [c for event in stream_events(body) for e in acc.feed(event) if (c := mapper.feed(e)) is not None]
    texts = [c.content[0]["text"] for c in chunks[:-1]]
    assert "".join(texts) == "Paris is sunny." and all(len(t) <= 3 for t in texts)
    assert all(isinstance(c, AIMessageChunk) and c.usage_metadata is None for c in chunks[:-1])


def test_terminal_only_stream_still_yields_everything() -> None:
    """A server that sends only response.completed: the last chunk carries the whole output."""
    body = response_body([REASONING, CALL, TEXT])
    acc, mapper = StreamAccumulator(), ChunkMapper()
    events = [{"type": "response.created", "response": {**body, "output": []}}, {"type": "response.completed", "response": body}]
    chunks = [c for event in events for e in acc.feed(event) if (c := mapper.feed(e)) is not None]
    full = reduce(lambda a, b: a + b, chunks)
    expected = to_ai_message(parse_response(body))
    assert full.content == expected.content and full.tool_calls == expected.tool_calls


def test_annotations_only_in_done_item_are_not_lost() -> None:
    body = response_body([CITED])
    events = [e for e in stream_events(body) if e["type"] != "response.output_text.annotation.added"]
    acc, mapper = StreamAccumulator(), ChunkMapper()
    chunks = [c for event in events for e in acc.feed(event) if (c := mapper.feed(e)) is not None]
    assert reduce(lambda a, b: a + b, chunks).content == to_ai_message(parse_response(body)).content


@pytest.mark.parametrize("item", [
    {"type": "mcp_call", "name": "search", "server_label": "docs", "arguments": "{}", "output": "ok"},
    {"type": "mcp_list_tools", "server_label": "docs", "tools": []},
    {"type": "web_search_call", "status": "completed", "action": {"type": "search"}},
    {"type": "code_interpreter_call", "code": "1+1", "outputs": []},
], ids=lambda item: item["type"])
def test_server_items_without_id_still_give_standard_blocks(item: dict[str, Any]) -> None:
    msg = to_ai_message(parse_response(response_body([item])))
    blocks = msg.content_blocks
    assert blocks[0]["type"] == "server_tool_call" and blocks[0]["id"] == ""
    assert blocks[1]["type"] == "server_tool_result" and blocks[1]["tool_call_id"] == ""


def test_a_block_the_translator_cannot_read_is_kept_as_non_standard() -> None:
    odd = {"type": "reasoning", "summary": [5], "index": 1}
    msg = AIMessage([{"type": "text", "text": "Hi", "annotations": [], "index": 0}, odd],
                    response_metadata={"model_provider": PROVIDER})
    blocks = msg.content_blocks
    assert blocks[0]["type"] == "text" and blocks[0]["text"] == "Hi"
    assert blocks[1] == {"type": "non_standard", "value": odd}
