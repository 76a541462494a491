"""Input mapping: LangChain messages -> neutral messages -> wire items (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from foundry_agents import (
    ApprovalResponsePart,
    FilePart,
    FoundryConfigError,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    to_input_items,
)
from langchain_foundry_agents import PROVIDER, UnsupportedContentError, approval_message
from langchain_foundry_agents._messages import to_neutral_messages

OURS = {"model_provider": PROVIDER, "agent_name": "weather"}

ROWS: list[tuple[str, Any, Message]] = [
    ("plain human", HumanMessage("Hi"), Message("user", (TextPart("Hi"),))),
    ("empty human", HumanMessage(""), Message("user", ())),
    ("system", SystemMessage("Be brief."), Message("system", (TextPart("Be brief."),))),
    ("developer chat message", ChatMessage(role="developer", content="ctx"), Message("developer", (TextPart("ctx"),))),
    ("user chat message", ChatMessage(role="user", content="yo"), Message("user", (TextPart("yo"),))),
    ("text blocks and strings", HumanMessage(["a", {"type": "text", "text": "b"}]),
     Message("user", (TextPart("a"), TextPart("b")))),
    ("v1 image url", HumanMessage([{"type": "image", "url": "https://x/cat.png"}]),
     Message("user", (ImagePart(url="https://x/cat.png"),))),
    ("v1 image base64", HumanMessage([{"type": "image", "base64": "AAA", "mime_type": "image/jpeg"}]),
     Message("user", (ImagePart(url="data:image/jpeg;base64,AAA"),))),
    ("v1 image file id", HumanMessage([{"type": "image", "file_id": "file-1"}]),
     Message("user", (ImagePart(file_id="file-1"),))),
    ("v0 image base64", HumanMessage([{"type": "image", "source_type": "base64", "data": "QQ", "mime_type": "image/png"}]),
     Message("user", (ImagePart(url="data:image/png;base64,QQ"),))),
    ("v0 image id", HumanMessage([{"type": "image", "source_type": "id", "id": "file-2"}]),
     Message("user", (ImagePart(file_id="file-2"),))),
    ("openai image_url dict", HumanMessage([{"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "low"}}]),
     Message("user", (ImagePart(url="https://x/a.png", detail="low"),))),
    ("openai image_url string", HumanMessage([{"type": "image_url", "image_url": "https://x/b.png"}]),
     Message("user", (ImagePart(url="https://x/b.png"),))),
    ("v1 file base64 with filename in extras",
     HumanMessage([{"type": "file", "base64": "JVBE", "mime_type": "application/pdf", "extras": {"filename": "a.pdf"}}]),
     Message("user", (FilePart(data="data:application/pdf;base64,JVBE", filename="a.pdf"),))),
    ("v1 file url", HumanMessage([{"type": "file", "url": "https://x/doc.pdf"}]),
     Message("user", (FilePart(url="https://x/doc.pdf"),))),
    ("v1 file id", HumanMessage([{"type": "file", "file_id": "file-3"}]), Message("user", (FilePart(file_id="file-3"),))),
    ("openai chat file block",
     HumanMessage([{"type": "file", "file": {"filename": "t.pdf", "file_data": "data:application/pdf;base64,JV"}}]),
     Message("user", (FilePart(data="data:application/pdf;base64,JV", filename="t.pdf"),))),
    ("text-plain inline", HumanMessage([{"type": "text-plain", "text": "notes", "mime_type": "text/plain"}]),
     Message("user", (TextPart("notes"),))),
    ("responses-native input parts",
     HumanMessage([{"type": "input_text", "text": "t"}, {"type": "input_image", "file_id": "f", "detail": "high"},
                   {"type": "input_file", "file_url": "https://x/f.pdf"}]),
     Message("user", (TextPart("t"), ImagePart(file_id="f", detail="high"), FilePart(url="https://x/f.pdf")))),
    ("foreign AI message is replayed, not chained", AIMessage("earlier", id="run-123"),
     Message("assistant", (TextPart("earlier"),))),
    ("our AI message chains", AIMessage("sunny", id="resp_9", response_metadata=OURS),
     Message("assistant", (TextPart("sunny"),), response_id="resp_9", agent="weather")),
    ("our AI message with Responses-style content and a tool call",
     AIMessage([{"type": "reasoning", "summary": [], "index": 0}, {"type": "text", "text": "Let me", "index": 1},
                {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}", "index": 2}],
               id="caresp_7", response_metadata=OURS,
               tool_calls=[{"name": "get_weather", "args": {"location": "Paris"}, "id": "c1"}]),
     Message("assistant", (TextPart("Let me"), ToolCallPart("c1", "get_weather", '{"location": "Paris"}')),
             response_id="caresp_7", agent="weather")),
    ("v1 standard content replay", AIMessage([{"type": "text", "text": "x"}, {"type": "server_tool_call", "id": "ws",
                                              "name": "web_search", "args": {}}]),
     Message("assistant", (TextPart("x"),))),
    ("invalid tool call is replayed with its raw arguments",
     AIMessage("", invalid_tool_calls=[{"name": "f", "args": "{oops", "id": "c2", "error": None, "type": "invalid_tool_call"}]),
     Message("assistant", (ToolCallPart("c2", "f", "{oops"),))),
    ("AI chunk maps like a message", AIMessageChunk(content="part", id="resp_5", response_metadata=OURS),
     Message("assistant", (TextPart("part"),), response_id="resp_5", agent="weather")),
    ("tool string", ToolMessage("72F", tool_call_id="c1"), Message("tool", (ToolResultPart("c1", "72F"),))),
    ("tool list content", ToolMessage([{"type": "text", "text": "72F"}], tool_call_id="c1"),
     Message("tool", (ToolResultPart("c1", [{"type": "text", "text": "72F"}]),))),
    ("approval answer (helper)", approval_message("mcpr_1", False, reason="no"),
     Message("user", (ApprovalResponsePart("mcpr_1", False, "no"),))),
    ("approval answer in a tool message",
     ToolMessage([{"type": "mcp_approval_response", "approval_request_id": "mcpr_2", "approve": True}], tool_call_id="mcpr_2"),
     Message("tool", (ApprovalResponsePart("mcpr_2", True),))),
]


@pytest.mark.parametrize(("name", "message", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_message_mapping(name: str, message: Any, expected: Message) -> None:
    assert to_neutral_messages([message]) == [expected]


BAD_ROWS = [
    ("audio", HumanMessage([{"type": "audio", "base64": "AA", "mime_type": "audio/wav"}]), "audio"),
    ("unknown block", HumanMessage([{"type": "hologram"}]), "unknown content block type"),
    ("image without source", HumanMessage([{"type": "image"}]), "needs url, base64 or file_id"),
    ("chat message with odd role", ChatMessage(role="critic", content="x"), "role 'critic'"),
    ("function message", FunctionMessage(name="f", content="x"), "cannot be sent"),
]


@pytest.mark.parametrize(("name", "message", "fragment"), BAD_ROWS, ids=[r[0] for r in BAD_ROWS])
def test_unsupported_input_raises_naming_it(name: str, message: Any, fragment: str) -> None:
    with pytest.raises(UnsupportedContentError, match=fragment) as info:
        to_neutral_messages([HumanMessage("ok"), message])
    assert "message 1" in str(info.value)


def test_tool_output_is_json_encoded_on_the_wire() -> None:
    items = to_input_items(to_neutral_messages([ToolMessage([{"type": "text", "text": "72F"}], tool_call_id="c1"),
                                                ToolMessage("plain", tool_call_id="c2")]))
    assert items == [
        {"type": "function_call_output", "call_id": "c1", "output": '[{"type": "text", "text": "72F"}]'},
        {"type": "function_call_output", "call_id": "c2", "output": "plain"},
    ]


def test_approval_helper_accepts_pending_entry_and_block() -> None:
    pending = {"id": "mcpr_3", "server_label": "docs", "name": "search_docs", "arguments": "{}"}
    assert approval_message(pending, True).content == [
        {"type": "mcp_approval_response", "approval_request_id": "mcpr_3", "approve": True}]
    block = {"type": "mcp_approval_request", "id": "mcpr_4", "index": 1}
    assert approval_message(block, False).content[0]["approval_request_id"] == "mcpr_4"
    with pytest.raises(ValueError, match="approval request id"):
        approval_message({}, True)


def test_system_message_is_never_dropped() -> None:
    neutral = to_neutral_messages([SystemMessage("rules"), HumanMessage("q")])
    assert to_input_items(neutral, system_role="developer")[0]["role"] == "developer"
    assert to_input_items(neutral)[0]["role"] == "system"
    with pytest.raises(ValueError, match="system_message_role='refuse'"):
        to_input_items(neutral, system_role="refuse")


@pytest.mark.parametrize(("block", "fragment"), [
    ({"type": 5}, "'type' must be a string, got 5"),
    ({"type": ["image"]}, "'type' must be a string"),
    ({"type": None, "text": "x"}, "'type' must be a string"),
    ({"type": "image", "url": "https://x/a.png", "extras": 5}, "'extras' must be a dict, got int"),
    ({"type": "file", "base64": "AA", "extras": "a.pdf"}, "'extras' must be a dict, got str"),
    ({"type": "file", "base64": "AA", "metadata": ["a.pdf"]}, "'metadata' must be a dict, got list"),
    ({"type": "image", "url": "https://x/a.png", "detail": "huge"}, "detail must be one of"),
    ({"type": "mcp_approval_response", "approve": True}, "needs approval_request_id"),
    (7, "must be a str or a dict, got int"),
], ids=["int type", "list type", "null type", "int extras", "str extras", "list metadata", "bad detail",
        "approval without id", "int block"])
def test_malformed_blocks_raise_a_package_error_naming_message_and_block(block: Any, fragment: str) -> None:
    with pytest.raises(UnsupportedContentError, match=fragment) as info:
        to_neutral_messages([HumanMessage("ok"), HumanMessage.model_construct(content=["hi", block])])
    assert "message 1 (HumanMessage), block 1" in str(info.value)
    assert isinstance(info.value, FoundryConfigError) and isinstance(info.value, ValueError)


def test_malformed_approval_on_assistant_or_tool_turn_is_a_package_error() -> None:
    bad = [{"type": "mcp_approval_response", "approval_request_id": 3}]
    for message in (AIMessage(bad), ToolMessage(bad, tool_call_id="c")):
        with pytest.raises(UnsupportedContentError, match="approval_request_id"):
            to_neutral_messages([message])


def test_assistant_text_blocks_with_odd_text_and_arguments_still_map() -> None:
    msg = AIMessage([{"type": "text", "text": None}, {"type": "text", "text": 42}],
                    tool_calls=[{"name": "f", "args": {"when": object}, "id": "c1"}])
    (neutral,) = to_neutral_messages([msg])
    assert neutral.parts[0] == TextPart("42")
    assert "when" in neutral.parts[1].arguments
