"""SSE framing, event order, switches, and JSON/SSE equivalence."""

from __future__ import annotations

import re

import httpx
import pytest

from foundry_agents.emulator import create_app

from .helpers import AUTH, events_of, parse_sse, respond, text_of

TEXT_ORDER = re.compile(
    r"^response\.created response\.in_progress response\.output_item\.added response\.content_part\.added"
    r"( response\.output_text\.delta)+ response\.output_text\.done response\.content_part\.done"
    r" response\.output_item\.done response\.completed$"
)


def assert_framing(resp: httpx.Response) -> list:
    assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "x-request-id" in resp.headers and "apim-request-id" in resp.headers
    events = events_of(resp)
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))
    for kind, data in events:
        assert data["type"] == kind
    assert "[DONE]" not in resp.text
    return events


async def test_text_stream_order_and_payloads(client):
    resp = await respond(client, "echo", "stream me please", stream=True)
    events = assert_framing(resp)
    assert TEXT_ORDER.match(" ".join(k for k, _ in events))
    created = events[0][1]["response"]
    assert created["status"] == "in_progress" and created["output"] == [] and created["usage"] is None
    deltas = [d for k, d in events if k == "response.output_text.delta"]
    assert all(d["logprobs"] == [] and isinstance(d["obfuscation"], str) for d in deltas)
    done_text = next(d["text"] for k, d in events if k == "response.output_text.done")
    assert "".join(d["delta"] for d in deltas) == done_text == "Echo v2: stream me please"
    final = events[-1][1]["response"]
    assert final["status"] == "completed" and text_of(final) == done_text


async def test_stream_and_json_share_output_and_usage(client):
    json_body = (await respond(client, "researcher", "history of Kyoto")).json()
    events = events_of(await respond(client, "researcher", "history of Kyoto", stream=True))
    final = events[-1][1]["response"]
    assert final["usage"] == json_body["usage"]
    assert [i["type"] for i in final["output"]] == [i["type"] for i in json_body["output"]]
    assert text_of(final) == text_of(json_body)


async def test_researcher_stream_has_reasoning_and_annotation_events(client):
    events = events_of(await respond(client, "researcher", "Who founded Rome?", stream=True))
    kinds = [k for k, _ in events]
    for kind in (
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_text.annotation.added",
    ):
        assert kind in kinds
    assert kinds.index("response.output_text.annotation.added") < kinds.index("response.output_text.done")


async def test_function_call_stream(client):
    events = events_of(await respond(client, "weather", "Weather in Boston?", stream=True))
    kinds = [k for k, _ in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert events[2][1]["item"]["arguments"] == ""
    args = "".join(d["delta"] for k, d in events if k == "response.function_call_arguments.delta")
    done = next(d for k, d in events if k == "response.function_call_arguments.done")
    assert args == done["arguments"] == '{"location":"Boston"}'
    assert kinds[-2:] == ["response.output_item.done", "response.completed"]


async def test_parallel_calls_stream(client):
    events = events_of(await respond(client, "triage", "weather and history of Rome", stream=True))
    added = [d["item"]["name"] for k, d in events if k == "response.output_item.added"]
    assert added == ["ask_weather", "ask_researcher"]


@pytest.mark.parametrize(("done", "keep_alive"), [(True, None), (False, 0.01)])
async def test_switches(done, keep_alive):
    app = create_app(done_sentinel=done, keep_alive=keep_alive)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers=AUTH) as c:
        resp = await respond(c, "slow", "a b c", stream=True, metadata={"delay": "0.02"})
    parsed = parse_sse(resp.text)
    assert resp.text.endswith("data: [DONE]\n\n") is done
    assert any(k == ":" for k, _ in parsed) is bool(keep_alive)
    assert events_of(resp)[-1][0] == "response.completed"


async def test_preview_dialect_stream(client):
    resp = await client.post(
        "/api/projects/emulator/openai/responses",
        params={"api-version": "2025-11-15-preview"},
        json={"input": "hi", "stream": True, "agent": {"type": "agent_reference", "name": "echo", "id": "echo:1"}},
    )
    events = assert_framing(resp)
    first = events[0][1]
    assert list(first)[:2] == ["type", "sequence_number"]
    assert first["response"]["agent"] == {"type": "agent_id", "name": "echo", "version": "1"}
    item = events[2][1]["item"]
    assert item["created_by"] == {"agent": {"type": "agent_id", "name": "echo", "version": "1"}}
