"""Input mapping (pure): LlamaIndex ChatMessage -> neutral Message -> wire items, table-driven."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from foundry_agents import FoundryConfigError, to_input_items
from foundry_agents.messages import (
    ApprovalResponsePart,
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llama_index_foundry import approval_message
from llama_index_foundry._messages import APPROVAL_KEY, to_foundry_messages

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def one(message: ChatMessage) -> Message:
    [out] = to_foundry_messages([message])
    return out


CASES: list[tuple[str, ChatMessage, Message]] = [
    ("user text", ChatMessage(role="user", content="Hi"), Message("user", (TextPart("Hi"),))),
    ("system kept", ChatMessage(role="system", content="Context: X"), Message("system", (TextPart("Context: X"),))),
    ("developer", ChatMessage(role="developer", content="D"), Message("developer", (TextPart("D"),))),
    ("empty text dropped", ChatMessage(role="user", content=""), Message("user", ())),
    ("several text blocks", ChatMessage(role="user", blocks=[TextBlock(text="a"), TextBlock(text="b")]),
     Message("user", (TextPart("a"), TextPart("b")))),
    ("image url", ChatMessage(role="user", blocks=[ImageBlock(url="https://x.test/cat.png", detail="low")]),
     Message("user", (ImagePart(url="https://x.test/cat.png", detail="low"),))),
    ("image odd detail ignored", ChatMessage(role="user", blocks=[ImageBlock(url="https://x.test/a.png", detail="ultra")]),
     Message("user", (ImagePart(url="https://x.test/a.png"),))),
    ("image bytes", ChatMessage(role="user", blocks=[ImageBlock(image=PNG)]),
     Message("user", (ImagePart(url="data:image/png;base64," + base64.b64encode(PNG).decode()),))),
    ("document url", ChatMessage(role="user", blocks=[DocumentBlock(url="https://x.test/a.pdf")]),
     Message("user", (FilePart(url="https://x.test/a.pdf", mime_type="application/pdf"),))),
    ("document bytes titled", ChatMessage(role="user", blocks=[DocumentBlock(data=b"%PDF-1.4 x", title="a.pdf",
                                                                              document_mimetype="application/pdf")]),
     Message("user", (FilePart(data=b"%PDF-1.4 x", filename="a.pdf", mime_type="application/pdf"),))),
    ("citable flattened", ChatMessage(role="user", blocks=[CitableBlock(title="t", source="s", content="quoted")]),
     Message("user", (TextPart("quoted"),))),
    ("cache point skipped", ChatMessage(role="user", blocks=[TextBlock(text="a"),
                                                              CachePoint(cache_control=CacheControl(type="ephemeral"))]),
     Message("user", (TextPart("a"),))),
    ("assistant with ids", ChatMessage(role="assistant", content="Echo: hi",
                                       additional_kwargs={"response_id": "resp_1", "agent_name": "echo"}),
     Message("assistant", (TextPart("Echo: hi"),), response_id="resp_1", agent="echo")),
    ("assistant foreign (no ids)", ChatMessage(role="assistant", content="x"), Message("assistant", (TextPart("x"),))),
    ("assistant thinking and citations skipped",
     ChatMessage(role="assistant", blocks=[ThinkingBlock(content="hmm"), TextBlock(text="A"),
                                           CitationBlock(cited_content="A", source="u", title="t",
                                                         additional_location_info={})]),
     Message("assistant", (TextPart("A"),))),
    ("assistant tool call block", ChatMessage(role="assistant", blocks=[
        ToolCallBlock(tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"location": "Paris"})]),
     Message("assistant", (ToolCallPart("call_1", "get_weather", '{"location": "Paris"}'),))),
    ("tool call string kwargs", ChatMessage(role="assistant", blocks=[
        ToolCallBlock(tool_call_id="c", tool_name="f", tool_kwargs="")]),
     Message("assistant", (ToolCallPart("c", "f", "{}"),))),
    ("legacy tool_calls dicts, dedup with blocks", ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="call_1", tool_name="f", tool_kwargs={})],
        additional_kwargs={"tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": '{"a": 1}'}}]}),
     Message("assistant", (ToolCallPart("call_1", "f", "{}"), ToolCallPart("call_2", "g", '{"a": 1}')))),
    ("tool result", ChatMessage(role="tool", content="72F", additional_kwargs={"tool_call_id": "call_1"}),
     Message("tool", (ToolResultPart("call_1", "72F"),))),
    ("function role is a tool result", ChatMessage(role="function", content="1", additional_kwargs={"tool_call_id": "c"}),
     Message("tool", (ToolResultPart("c", "1"),))),
    ("approval helper", approval_message("mcpr_1", False, "no"),
     Message("user", (ApprovalResponsePart("mcpr_1", False, "no"),))),
    ("approval on a tool message", ChatMessage(role="tool", content="", additional_kwargs={
        APPROVAL_KEY: {"approval_request_id": "mcpr_2", "approve": True}}),
     Message("tool", (ApprovalResponsePart("mcpr_2", True),))),
]


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=[c[0] for c in CASES])
def test_maps(name: str, message: ChatMessage, expected: Message) -> None:
    assert one(message) == expected


def test_whole_history_goes_to_wire_items() -> None:
    history = [
        ChatMessage(role="system", content="Use the context."),
        ChatMessage(role="user", content="Weather?"),
        ChatMessage(role="assistant", blocks=[ToolCallBlock(tool_call_id="call_1", tool_name="get_weather",
                                                            tool_kwargs={"location": "Paris"})]),
        ChatMessage(role="tool", content="72F", additional_kwargs={"tool_call_id": "call_1"}),
    ]
    items = to_input_items(to_foundry_messages(history))
    assert [i["type"] for i in items] == ["message", "message", "function_call", "function_call_output"]
    assert items[0]["role"] == "system"
    assert items[3] == {"type": "function_call_output", "call_id": "call_1", "output": "72F"}


def test_image_path_is_a_local_part_the_core_uploads(tmp_path: Any) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    part = one(ChatMessage(role="user", blocks=[ImageBlock(path=path, detail="low")])).parts[0]
    assert part == ImagePart(path=str(path), detail="low")


def test_document_path_is_a_local_part_the_core_uploads(tmp_path: Any) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello")
    part = one(ChatMessage(role="user", blocks=[DocumentBlock(path=path, title="input_document")])).parts[0]
    assert isinstance(part, FilePart)
    assert part.path == str(path) and part.data is None and part.filename is None


BAD: list[tuple[str, ChatMessage, str | None]] = [
    ("tool without call id", ChatMessage(role="tool", content="x"), "tool_call_id"),
    ("audio", ChatMessage(role="user", blocks=[AudioBlock(audio=b"RIFF0000WAVE", format="wav")]), "audio"),
    ("tool call on a user message", ChatMessage(role="user", blocks=[ToolCallBlock(tool_name="f")]), "tool call"),
    ("legacy call without name", ChatMessage(role="assistant", additional_kwargs={"tool_calls": [{"id": "c"}]}),
     "function name"),
    ("approval without id", ChatMessage(role="user", additional_kwargs={APPROVAL_KEY: {"approve": True}}),
     "approval_request_id"),
    ("tool_calls not a list", ChatMessage(role="assistant", content="x", additional_kwargs={"tool_calls": True}),
     r"message 0: additional_kwargs\['tool_calls'\] must be a list of tool calls .*got bool"),
    ("tool_calls a dict", ChatMessage(role="assistant", additional_kwargs={"tool_calls": {"id": "c"}}),
     "must be a list of tool calls"),
    ("tool call entry not a call", ChatMessage(role="assistant", additional_kwargs={"tool_calls": ["f"]}),
     "lacks its id or function name"),
    ("image detail not allowed", ChatMessage(role="user", blocks=[ImageBlock(url="https://x/a.png", detail="huge")]),
     None),
]


@pytest.mark.parametrize(("name", "message", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_config_error(name: str, message: ChatMessage, needle: str | None) -> None:
    if needle is None:  # accepted: an unknown detail is left to the service's default
        assert to_foundry_messages([message])
        return
    with pytest.raises(FoundryConfigError, match=needle):
        to_foundry_messages([message])


def test_unreadable_image_path_is_a_config_error(tmp_path: Any) -> None:
    path = tmp_path / "gone.png"
    path.write_bytes(PNG)
    message = ChatMessage(role="user", blocks=[ImageBlock(path=path)])
    path.unlink()  # removed between building the message and sending it
    with pytest.raises(FoundryConfigError, match="message 0: cannot read the ImageBlock"):
        to_foundry_messages([message])


def test_approval_message_needs_id() -> None:
    with pytest.raises(FoundryConfigError):
        approval_message("", True)


def test_roles_cover_message_role() -> None:
    for role in MessageRole:
        msg = ChatMessage(role=role, content="x", additional_kwargs={"tool_call_id": "c"})
        assert to_foundry_messages([msg])[0].role in ("system", "developer", "user", "assistant", "tool")


@pytest.mark.parametrize("call_id", [[], {"id": "call_1"}, 7])
def test_a_tool_message_whose_call_id_is_not_a_string_is_refused_clearly(call_id: Any) -> None:
    # found by the adapters' fuzz test: a list id used to crash the computer-call lookup (TypeError)
    message = ChatMessage(role=MessageRole.TOOL, content="42", additional_kwargs={"tool_call_id": call_id})
    with pytest.raises(FoundryConfigError, match="tool_call_id"):
        to_input_items(to_foundry_messages([message]))
