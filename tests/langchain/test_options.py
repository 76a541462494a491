"""ChatFoundryAgent's call options come from the core's one table (foundry_agents/options.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from foundry_agents.options import OPTIONS, Option, adapter_fields
from langchain_foundry_agents import ChatFoundryAgent

from ._support import answering, mock_model, response_body

REPLY = response_body([{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": "Hello there", "annotations": []}]}])
#: A value for every default option (the core's name).
VALUES = {"conversation": "conv_1", "previous_response_id": None, "store": True, "tool_choice": "none",
          "structured_inputs": {"city": "Paris"}, "metadata": {"k": "v"}, "include": ["reasoning.encrypted_content"],
          "max_output_tokens": 50, "truncation": "auto", "extra_body": {"user": "u1"},
          "background": True, "keep_uploads": True}


def test_every_default_row_is_a_model_field():
    assert set(adapter_fields()) <= set(ChatFoundryAgent.model_fields)
    assert set(VALUES) == set(adapter_fields().values())


def test_default_fields_reach_the_request_body():
    seen: list[dict[str, Any]] = []
    fields = {field: VALUES[core] for field, core in adapter_fields().items() if VALUES[core] is not None}
    mock_model(answering(REPLY, seen), **fields).invoke("hi")
    for core, value in VALUES.items():
        if value is None:
            continue
        if core == "extra_body":
            assert seen[0]["user"] == "u1"
        elif OPTIONS[core].wire is None:  # not a body field (keep_uploads steers the upload rule)
            assert core not in seen[0]
        else:
            assert seen[0][OPTIONS[core].wire or core] == value


def test_bad_default_fails_at_construction_naming_the_option():
    with pytest.raises(ValueError, match="max_output_tokens must be a positive integer"):
        mock_model(answering(REPLY), max_output_tokens=-3)


def test_a_new_table_row_needs_no_adapter_change(monkeypatch):
    monkeypatch.setitem(OPTIONS, "service_tier", Option("service_tier", "service_tier", "call", "tier"))
    seen: list[dict[str, Any]] = []
    model = mock_model(answering(REPLY, seen))
    model.invoke("hi", service_tier="flex")
    asyncio.run(model.ainvoke("hi", service_tier="auto"))
    assert [b["service_tier"] for b in seen] == ["flex", "auto"]


def test_request_metadata_and_conversation_id_map_per_call():
    seen: list[dict[str, Any]] = []
    mock_model(answering(REPLY, seen)).invoke("hi", conversation_id="conv_9", request_metadata={"a": "b"})
    assert seen[0]["conversation"] == "conv_9" and seen[0]["metadata"] == {"a": "b"}


def test_streaming_true_makes_invoke_and_ainvoke_stream():
    seen: list[dict[str, Any]] = []
    model = mock_model(answering(REPLY, seen), streaming=True)
    assert model.invoke("hi").text == "Hello there"
    assert asyncio.run(model.ainvoke("hi")).text == "Hello there"
    assert [b.get("stream") for b in seen] == [True, True]
    seen.clear()
    mock_model(answering(REPLY, seen)).invoke("hi")
    assert "stream" not in seen[0]
