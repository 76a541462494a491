"""Every recorded responses call, replayed through ChatFoundryAgent (invoke for JSON, stream for SSE)."""

from __future__ import annotations

import json
from functools import reduce
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_foundry_agents import ChatFoundryAgent
from tests._recordings import expected, is_stream, replay_transport, response_entries

ENTRIES = list(response_entries())

assert ENTRIES, "no recorded responses calls found in tests/recordings"


def model_for(entry: dict[str, Any]) -> ChatFoundryAgent:
    uri = entry["RequestUri"]
    head, _, rest = uri.partition("/api/projects/")
    body = entry.get("RequestBody") or {}
    ref = body.get("agent_reference") or body.get("agent") or {"name": "model-direct"}
    transport = replay_transport(entry)
    return ChatFoundryAgent(
        ref["name"], project_endpoint=f"{head}/api/projects/{rest.split('/')[0]}", api_key="t", max_retries=0,
        route="responses" if "/openai/v1/responses" in uri else "preview",
        http_client=httpx.Client(transport=transport), http_async_client=httpx.AsyncClient(transport=transport),
    )


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[n for n, _ in ENTRIES])
def test_recording_yields_the_expected_message(name: str, entry: dict[str, Any]) -> None:
    want = expected(entry)
    llm = model_for(entry)
    if is_stream(entry):
        chunks = list(llm.stream([HumanMessage("replayed")]))
        message: AIMessage = reduce(lambda a, b: a + b, chunks)
        assert chunks[-1].chunk_position == "last"
        assert sum(1 for c in chunks if any(b.get("type") == "text" and b.get("text") for b in c.content)) == want["deltas"]
    else:
        message = llm.invoke([HumanMessage("replayed")])
    assert message.id == want["id"] == message.response_metadata["id"]
    assert message.text == want["text"]
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        (cid, n, json.loads(args)) for cid, n, args in want["function_calls"]]
    assert [a["id"] for a in message.response_metadata.get("pending_approvals", [])] == want["approvals"]
    assert message.response_metadata.get("agent_version") == want["version"]
    assert message.response_metadata.get("request_id") == want["request_id"]
    usage = want["usage"]
    if usage:
        assert message.usage_metadata is not None
        assert (message.usage_metadata["input_tokens"], message.usage_metadata["output_tokens"],
                message.usage_metadata["total_tokens"]) == (usage["input_tokens"], usage["output_tokens"],
                                                            usage["total_tokens"])
        details = usage.get("input_tokens_details") or {}
        assert message.usage_metadata["input_token_details"]["cache_read"] == details.get("cached_tokens", 0)
    else:
        assert message.usage_metadata is None
    assert len(message.content_blocks) >= len(want["item_types"]) - want["item_types"].count("mcp_list_tools")


@pytest.mark.parametrize(("name", "entry"), [(n, e) for n, e in ENTRIES if not is_stream(e)],
                         ids=[n for n, e in ENTRIES if not is_stream(e)])
async def test_recording_async_invoke_matches_sync(name: str, entry: dict[str, Any]) -> None:
    llm = model_for(entry)
    sync, asyn = llm.invoke("replayed"), await llm.ainvoke("replayed")
    assert (sync.content, sync.tool_calls, sync.usage_metadata, sync.id) == (
        asyn.content, asyn.tool_calls, asyn.usage_metadata, asyn.id)
