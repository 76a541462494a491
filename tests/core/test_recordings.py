"""Every recorded responses call replayed through the core, streamed and not; request bodies
the core builds for the same scenarios match the recorded ones."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from foundry_agents import (
    ApprovalResponsePart,
    FoundryAgentsClient,
    Message,
    ResponseDone,
    TextDelta,
    TextPart,
    ToolResultPart,
)
from foundry_agents.response import parse_response
from tests._recordings import expected, is_agent_call, is_stream, replay_transport, response_entries

ENTRIES = list(response_entries())
AGENT_ENTRIES = [(n, e) for n, e in ENTRIES if is_agent_call(e)]

assert ENTRIES, "no recorded responses calls found in tests/recordings"


def ep_of(entry: dict[str, Any]) -> str:
    uri = entry["RequestUri"]
    head, _, rest = uri.partition("/api/projects/")
    return f"{head}/api/projects/{rest.split('/')[0]}"


def route_of(entry: dict[str, Any]) -> str:
    return "responses" if "/openai/v1/responses" in entry["RequestUri"] else "preview"


def neutral_input(value: Any) -> Any:
    """Rebuild the neutral call arguments a user would have written for a recorded input."""
    if not isinstance(value, list):
        return value
    out = []
    for item in value:
        kind = item.get("type", "message")
        if kind == "function_call_output":
            out.append(Message("tool", [ToolResultPart(item["call_id"], item["output"])]))
        elif kind == "mcp_approval_response":
            out.append(Message("tool", [ApprovalResponsePart(item["approval_request_id"], item["approve"], item.get("reason"))]))
        elif kind == "message":
            content = item["content"]
            parts = content if isinstance(content, str) else [TextPart(p["text"]) for p in content]
            out.append(Message(item["role"], parts))
        else:  # pragma: no cover - not in the recordings
            raise AssertionError(kind)
    return out


def call_kwargs(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ref = body.get("agent_reference") or body["agent"]
    agent = ref["name"] + (f":{ref['version']}" if ref.get("version") else "")
    kwargs = {k: body[k] for k in ("conversation", "previous_response_id", "tool_choice", "store", "metadata")
              if k in body}
    if "input" in body:
        kwargs["input"] = neutral_input(body["input"])
    return agent, kwargs


def normalise_body(body: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    for key in ("agent_reference", "agent"):
        if key in body:
            body[key].pop("id", None)  # the preview SDK also sent "name:version" as id
    if isinstance(body.get("input"), list):
        for item in body["input"]:
            item.setdefault("type", "message")
            if item["type"] == "message" and isinstance(item["content"], str):
                item["content"] = [{"type": "input_text", "text": item["content"]}]
    return body


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[n for n, _ in ENTRIES])
def test_every_recorded_response_parses(name, entry):
    want = expected(entry)
    if is_stream(entry):
        client = FoundryAgentsClient(ep_of(entry), api_key="t", route=route_of(entry),
                                     http_client=httpx.Client(transport=replay_transport(entry)))
        body = entry["RequestBody"]
        if is_agent_call(entry):
            agent, kwargs = call_kwargs(body)
        else:  # model-direct stream: replay through the same parser
            agent, kwargs = "model-direct", {"input": "x"}
        with client.stream_response(agent, **kwargs) as stream:
            events = list(stream)
        final = events[-1].response
        assert isinstance(events[-1], ResponseDone)
        deltas = [e.delta for e in events if isinstance(e, TextDelta)]
        assert "".join(deltas) == want["text"] and len(deltas) == want["deltas"]
    else:
        final = parse_response(entry["ResponseBody"], request_id=want["request_id"])
    assert final.id == want["id"]
    assert final.output_text == want["text"]
    assert [i.type for i in final.output] == want["item_types"]
    if want["usage"]:
        assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.total_tokens) == (
            want["usage"]["input_tokens"], want["usage"]["output_tokens"], want["usage"]["total_tokens"])
    assert (final.agent.version if final.agent else None) == want["version"]
    assert [(c.call_id, c.name, c.arguments) for c in final.function_calls] == want["function_calls"]
    assert [a.id for a in final.approval_requests] == want["approvals"]


@pytest.mark.parametrize(("name", "entry"), AGENT_ENTRIES, ids=[n for n, _ in AGENT_ENTRIES])
def test_core_builds_the_recorded_request_body(name, entry):
    seen: list[httpx.Request] = []
    client = FoundryAgentsClient(ep_of(entry), api_key="t", route=route_of(entry),
                                 http_client=httpx.Client(transport=replay_transport(entry, seen)))
    agent, kwargs = call_kwargs(entry["RequestBody"])
    if is_stream(entry):
        client.stream_response(agent, **kwargs).get_final_response()
    else:
        client.create_response(agent, **kwargs)
    assert normalise_body(json.loads(seen[0].content)) == normalise_body(entry["RequestBody"])
    assert seen[0].url.path == httpx.URL(entry["RequestUri"]).path


@pytest.mark.parametrize(("name", "entry"), [(n, e) for n, e in AGENT_ENTRIES if not is_stream(e)],
                         ids=[n for n, e in AGENT_ENTRIES if not is_stream(e)])
def test_non_streaming_replay_through_client(name, entry):
    client = FoundryAgentsClient(ep_of(entry), api_key="t", route=route_of(entry),
                                 http_client=httpx.Client(transport=replay_transport(entry)))
    agent, kwargs = call_kwargs(entry["RequestBody"])
    result = client.create_response(agent, **kwargs)
    want = expected(entry)
    assert (result.id, result.output_text, result.request_id) == (want["id"], want["text"], want["request_id"])
