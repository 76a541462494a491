"""Every recorded responses call (real, sanitized service traffic) replayed through
FoundryAgentLLM over httpx.MockTransport (sync): text, tool calls, usage and ids come out right,
streamed or not. Expectations are read straight from the recorded wire JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import CitationBlock, ThinkingBlock
from llama_index.core.llms import ChatMessage

from llama_index_foundry import FoundryAgentLLM
from tests.conftest import load_recording, recordings_dir

EP = "https://sanitized.services.ai.azure.com/api/projects/sanitized-project-name"


def response_calls() -> list[tuple[str, int]]:
    """``(recording, entry index)`` of every POST to a responses route."""
    path = recordings_dir()
    out = []
    for file in sorted(Path(path).glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        for index, entry in enumerate(data.get("Entries", []) if isinstance(data, dict) else []):
            if entry["RequestMethod"] == "POST" and "/responses" in entry["RequestUri"].split("?")[0]:
                out.append((file.stem, index))
    return out


CALLS = response_calls()
assert CALLS, "no recorded responses calls found in tests/recordings"


def final_response(entry: dict[str, Any]) -> dict[str, Any]:
    body = entry["ResponseBody"]
    if isinstance(body, dict):
        return body
    for line in body:
        if line.startswith("data: "):
            event = json.loads(line[len("data: "):])
            if event["type"] in ("response.completed", "response.incomplete"):
                return event["response"]
    raise AssertionError("no terminal event in the recorded stream")


def expected_text(response: dict[str, Any]) -> str:
    return "".join(p.get("text", "") for item in response["output"] if item["type"] == "message"
                   for p in item["content"] if p["type"] == "output_text")


def expected_calls(response: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(i["call_id"], i["name"], json.loads(i["arguments"] or "{}"))
            for i in response["output"] if i["type"] == "function_call"]


def agent_of(entry: dict[str, Any]) -> str:
    body = entry.get("RequestBody") or {}
    ref = body.get("agent_reference") or body.get("agent")
    if not ref:
        return "model-direct"  # a recorded model call: parsing is the same
    return ref["name"] + (f":{ref['version']}" if ref.get("version") else "")


def replay_llm(entry: dict[str, Any]) -> tuple[FoundryAgentLLM, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    body = entry["ResponseBody"]
    streamed = not isinstance(body, dict)
    headers = {"content-type": "text/event-stream; charset=utf-8" if streamed else "application/json",
               "x-request-id": "rec-req-1"}

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        if streamed:
            return httpx.Response(entry["StatusCode"], content="".join(body).encode(), headers=headers)
        return httpx.Response(entry["StatusCode"], json=body, headers=headers)

    llm = FoundryAgentLLM(agent_of(entry), project_endpoint=EP, api_key="recorded",
                          http_client=httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0)
    return llm, sent


@pytest.mark.parametrize(("name", "index"), CALLS, ids=[f"{n}#{i}" for n, i in CALLS])
def test_replay(name: str, index: int) -> None:
    entry = load_recording(name)[index]
    expected = final_response(entry)
    llm, sent = replay_llm(entry)
    messages = [ChatMessage(role="user", content="replayed")]
    streamed = not isinstance(entry["ResponseBody"], dict)
    if streamed:
        chunks = list(llm.stream_chat(messages))
        response = chunks[-1]
        assert "".join(c.delta or "" for c in chunks) == expected_text(expected)
        for chunk in chunks[:-1]:
            assert response.message.content.startswith(chunk.message.content or "")
    else:
        response = llm.chat(messages)
    message = response.message
    assert message.content == expected_text(expected)
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == expected_calls(expected)
    assert message.additional_kwargs["response_id"] == expected["id"]
    assert response.raw["usage"] == expected["usage"]
    usage = expected["usage"]
    assert response.additional_kwargs == {"prompt_tokens": usage["input_tokens"],
                                          "completion_tokens": usage["output_tokens"],
                                          "total_tokens": usage["total_tokens"]}
    ref = expected.get("agent_reference") or expected.get("agent")
    if ref:
        assert message.additional_kwargs["agent_name"] == ref["name"]
    # nothing the service sent is dropped: every output item is mapped somewhere
    kinds = [i["type"] for i in expected["output"]]
    kept = (kinds.count("message") + kinds.count("function_call") + kinds.count("reasoning")
            + len(message.additional_kwargs.get("server_tool_calls", []))
            + len(message.additional_kwargs.get("other_items", []))
            + sum(1 for i in expected["output"] if i["type"] == "mcp_approval_request"))
    assert kept == len(kinds)
    annotations = [a for i in expected["output"] if i["type"] == "message" for p in i["content"]
                   for a in p.get("annotations") or []]
    assert message.additional_kwargs.get("annotations", []) == annotations
    cites = [a for a in annotations if a["type"] in ("url_citation", "file_citation", "container_file_citation")]
    assert len([b for b in message.blocks if isinstance(b, CitationBlock)]) == len(cites)
    reasoning = [i for i in expected["output"] if i["type"] == "reasoning" and i.get("summary")]
    assert len([b for b in message.blocks if isinstance(b, ThinkingBlock)]) == len(reasoning)
    # and what we sent is an agent call the service accepts: no refused fields
    assert sent and not {"model", "tools", "temperature", "text", "instructions"} & set(sent[0])
