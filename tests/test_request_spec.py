"""The request bodies both adapters build are valid against the published API spec.

Each history goes through the adapter's converter, ``FoundryAgent.plan`` and the core's body
builder, exactly as a call would, and the body is validated against Foundry's
``CreateResponseRequest`` (see ``tests/_spec.py``). Stateless (``store=False``) replay is the case
that sends the whole history again, assistant turns included.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import DocumentBlock, ImageBlock, TextBlock, ToolCallBlock
from llama_index.core.llms import ChatMessage

from foundry_agents import FoundryAgent, Message
from foundry_agents.request import build_response_body
from langchain_foundry_agents import approval_message as lc_approval
from langchain_foundry_agents._messages import to_neutral_messages
from llama_index_foundry._messages import approval_message as li_approval
from llama_index_foundry._messages import to_foundry_messages

from ._spec import spec_errors

EP = "http://127.0.0.1:9/api/projects/p"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
AGENT_META = {"model_provider": "azure_foundry", "agent_name": "weather"}


def body_for(messages: list[Message], **options: Any) -> dict[str, Any]:
    agent = FoundryAgent("weather:3", project_endpoint=EP, api_key="k", **options)
    plan = agent.plan(messages)
    return build_response_body(agent.ref, input=plan.input, **plan.options)


LANGCHAIN: dict[str, list[Any]] = {
    "user text": [HumanMessage("Hi")],
    "system and developer": [SystemMessage("Be brief"), HumanMessage("Hi")],
    "assistant text": [HumanMessage("Hi"), AIMessage("Hello!"), HumanMessage("And?")],
    "assistant text blocks": [HumanMessage("Hi"), AIMessage([{"type": "text", "text": "He", "annotations": []},
                                                            {"type": "text", "text": "llo"}]),
                              HumanMessage("And?")],
    "agent reply replayed": [HumanMessage("Hi"), AIMessage("Sunny", id="resp_1", response_metadata=AGENT_META),
                             HumanMessage("And tomorrow?")],
    "tool call and result": [
        HumanMessage("Weather?"),
        AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}]),
        ToolMessage("sunny", tool_call_id="call_1"),
    ],
    "text with tool call": [
        HumanMessage("Weather?"),
        AIMessage("Let me check.", tool_calls=[{"name": "get_weather", "args": {}, "id": "call_1"}]),
        ToolMessage([{"type": "text", "text": "sunny"}], tool_call_id="call_1"),
    ],
    "images": [HumanMessage([{"type": "text", "text": "What is this?"},
                             {"type": "image", "url": "https://x/a.png"},
                             {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
                             {"type": "image_url", "image_url": {"url": "https://x/b.png", "detail": "low"}},
                             {"type": "image", "file_id": "assistant-1"}])],
    "files": [HumanMessage([{"type": "file", "base64": "JVBERg==", "mime_type": "application/pdf",
                             "filename": "a.pdf"},
                            {"type": "file", "url": "https://x/a.pdf"},
                            {"type": "file", "file_id": "assistant-2"}])],
    "approval": [HumanMessage("Run it"), lc_approval("mcpr_1", True, reason="fine")],
    "computer call and screenshot": [
        HumanMessage("Press the button"),
        AIMessage([{"type": "computer_call", "id": "cu_1", "call_id": "call_1", "action": {"type": "screenshot"},
                    "pending_safety_checks": [], "status": "completed", "index": 0}],
                  tool_calls=[{"name": "computer_use", "args": {"type": "screenshot"}, "id": "call_1"}]),
        ToolMessage([{"type": "image", "base64": "iVBORw0K", "mime_type": "image/png"}], tool_call_id="call_1"),
    ],
    "denial on a tool message": [ToolMessage([{"type": "mcp_approval_response", "approval_request_id": "mcpr_1",
                                               "approve": False}], tool_call_id="mcpr_1")],
}

LLAMA_INDEX: dict[str, list[ChatMessage]] = {
    "user text": [ChatMessage(role="user", content="Hi")],
    "system and developer": [ChatMessage(role="system", content="Be brief"),
                             ChatMessage(role="developer", content="Use metric"),
                             ChatMessage(role="user", content="Hi")],
    "assistant text": [ChatMessage(role="user", content="Hi"), ChatMessage(role="assistant", content="Hello!"),
                       ChatMessage(role="user", content="And?")],
    "assistant text blocks": [ChatMessage(role="user", content="Hi"),
                              ChatMessage(role="assistant", blocks=[TextBlock(text="He"), TextBlock(text="llo")]),
                              ChatMessage(role="user", content="And?")],
    "agent reply replayed": [ChatMessage(role="user", content="Hi"),
                             ChatMessage(role="assistant", content="Sunny",
                                         additional_kwargs={"response_id": "resp_1", "agent_name": "weather"}),
                             ChatMessage(role="user", content="And tomorrow?")],
    "tool call blocks and result": [
        ChatMessage(role="user", content="Weather?"),
        ChatMessage(role="assistant", blocks=[TextBlock(text="Checking."),
                                              ToolCallBlock(tool_call_id="call_1", tool_name="get_weather",
                                                            tool_kwargs={"city": "Paris"})]),
        ChatMessage(role="tool", content="sunny", additional_kwargs={"tool_call_id": "call_1"}),
    ],
    "legacy tool calls": [
        ChatMessage(role="assistant", content=None, additional_kwargs={"tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
        ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "call_1"}),
    ],
    "images": [ChatMessage(role="user", blocks=[TextBlock(text="What is this?"),
                                                ImageBlock(url="https://x/a.png", detail="high"),
                                                ImageBlock(image=PNG, image_mimetype="image/png")])],
    "files": [ChatMessage(role="user", blocks=[DocumentBlock(data=b"%PDF-1.4", title="a.pdf"),
                                               DocumentBlock(url="https://x/a.pdf")])],
    "approval": [ChatMessage(role="user", content="Run it"), li_approval("mcpr_1", False, reason="no")],
}


def _assert_valid(body: dict[str, Any]) -> None:
    errors = spec_errors(body)
    assert not errors, f"{errors}\nbody: {body}"


@pytest.mark.parametrize("store", [False, None], ids=["stateless", "stored"])
@pytest.mark.parametrize("name", list(LANGCHAIN))
def test_langchain_history_bodies_are_spec_valid(name: str, store: bool | None) -> None:
    options = {"store": store} if store is not None else {}
    _assert_valid(body_for(to_neutral_messages(LANGCHAIN[name]), **options))


@pytest.mark.parametrize("store", [False, None], ids=["stateless", "stored"])
@pytest.mark.parametrize("name", list(LLAMA_INDEX))
def test_llama_index_history_bodies_are_spec_valid(name: str, store: bool | None) -> None:
    options = {"store": store} if store is not None else {}
    _assert_valid(body_for(to_foundry_messages(LLAMA_INDEX[name]), **options))


def test_stateless_replay_sends_the_assistant_turn_as_string_content() -> None:
    body = body_for(to_neutral_messages(LANGCHAIN["agent reply replayed"]), store=False)
    assert "previous_response_id" not in body
    assert body["input"][1] == {"type": "message", "role": "assistant", "content": "Sunny"}


def test_the_validator_rejects_the_old_replay_shape() -> None:
    """Guards the helper itself: ``output_text`` without id/status is what the spec refuses."""
    old = {"type": "message", "role": "assistant",
           "content": [{"type": "output_text", "text": "Sunny", "annotations": []}]}
    body = {"agent_reference": {"type": "agent_reference", "name": "weather"}, "input": [old]}
    assert spec_errors(body)


def test_recorded_overrides_match_the_recordings() -> None:
    """Each place the helper relaxes the spec is backed by a request the real service accepted."""
    from ._spec import RECORDED_OVERRIDES
    from .conftest import load_recording

    for name, (not_required, recording) in RECORDED_OVERRIDES.items():
        item_type = {"OpenAI.MCPApprovalResponse": "mcp_approval_response"}[name]
        sent = [item for entry in load_recording(recording) if entry.get("StatusCode") == 200
                for item in _input_items(entry) if item.get("type") == item_type]
        assert sent and all(not (not_required & set(item)) for item in sent)


def _input_items(entry: dict[str, Any]) -> list[dict[str, Any]]:
    import json

    body = entry.get("RequestBody")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return []
    items = body.get("input") if isinstance(body, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
