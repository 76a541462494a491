"""FoundryAgentLLM's call options come from the core's one table (foundry_agents/options.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from foundry_agents.options import OPTIONS, Option, adapter_fields
from llama_index_foundry import FoundryAgentLLM
from tests.llama_index._support import Recorder, mock_llm

REPLY = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4o",
         "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                     "content": [{"type": "output_text", "text": "Hello there", "annotations": []}]}]}
VALUES = {"conversation": "conv_1", "previous_response_id": None, "store": True, "tool_choice": "none",
          "structured_inputs": {"city": "Paris"}, "metadata": {"k": "v"}, "include": ["reasoning.encrypted_content"],
          "max_output_tokens": 50, "truncation": "auto", "extra_body": {"user": "u1"},
          "background": True, "keep_uploads": True}


def _recorder() -> Recorder:
    return Recorder(lambda body: httpx.Response(200, json=REPLY))


def test_every_default_row_is_a_model_field():
    assert set(adapter_fields()) <= set(FoundryAgentLLM.model_fields)
    assert set(VALUES) == set(adapter_fields().values())


def test_default_fields_reach_the_request_body():
    rec = _recorder()
    fields = {field: VALUES[core] for field, core in adapter_fields().items() if VALUES[core] is not None}
    mock_llm(rec, **fields).complete("hi")
    for core, value in VALUES.items():
        if value is None:
            continue
        if core == "extra_body":
            assert rec.bodies[0]["user"] == "u1"
        elif OPTIONS[core].wire is None:  # not a body field (keep_uploads steers the upload rule)
            assert core not in rec.bodies[0]
        else:
            assert rec.bodies[0][OPTIONS[core].wire or core] == value


def test_bad_default_fails_at_construction_naming_the_option():
    with pytest.raises(ValueError, match="truncation"):
        mock_llm(_recorder(), truncation="sometimes")


def test_a_new_table_row_needs_no_adapter_change(monkeypatch):
    monkeypatch.setitem(OPTIONS, "service_tier", Option("service_tier", "service_tier", "call", "tier"))
    rec = _recorder()
    llm = mock_llm(rec)
    llm.chat([ChatMessage(role="user", content="hi")], service_tier="flex")
    asyncio.run(llm.achat([ChatMessage(role="user", content="hi")], service_tier="auto"))
    assert [b["service_tier"] for b in rec.bodies] == ["flex", "auto"]


def test_adapter_names_map_per_call():
    rec = _recorder()
    mock_llm(rec).chat([ChatMessage(role="user", content="hi")], conversation_id="conv_9",
                       request_metadata={"a": "b"})
    assert rec.bodies[0]["conversation"] == "conv_9" and rec.bodies[0]["metadata"] == {"a": "b"}
