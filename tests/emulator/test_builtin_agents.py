"""Behaviour of every built-in scripted agent (in-process, JSON path)."""

from __future__ import annotations

import json

import pytest

from .helpers import events_of, respond, text_of


async def test_echo_latest_and_pinned_versions(client):
    latest = (await respond(client, "echo", "hello")).json()
    assert text_of(latest) == "Echo v2: hello"
    assert latest["agent_reference"] == {"type": "agent_reference", "name": "echo", "version": "2"}
    pinned = (await respond(client, "echo", "hello", version="1")).json()
    assert text_of(pinned) == "Echo: hello"
    assert pinned["agent_reference"]["version"] == "1"
    assert pinned["output"][0]["agent_reference"]["version"] == "1"
    assert pinned["output"][0]["response_id"] == pinned["id"]


async def test_grounded_answers_from_system_context(client):
    items = [
        {"type": "message", "role": "system", "content": "Paris is the capital of France. Berlin is in Germany."},
        {"type": "message", "role": "user", "content": "What is the capital of France?"},
    ]
    body = (await respond(client, "grounded", items)).json()
    assert text_of(body) == "Paris is the capital of France."


async def test_grounded_llamaindex_style_context_in_user_message(client):
    prompt = (
        "Context information is below.\n---------------------\n"
        "The Eiffel Tower is 330 metres tall. It was completed in 1889.\n"
        "---------------------\nGiven the context information and not prior knowledge, answer the query.\n"
        "Query: How tall is the Eiffel Tower?\nAnswer: "
    )
    body = (await respond(client, "grounded", prompt)).json()
    assert text_of(body) == "The Eiffel Tower is 330 metres tall."


async def test_grounded_says_it_does_not_know(client):
    body = (await respond(client, "grounded", "What is the airspeed of a swallow?")).json()
    assert text_of(body) == "I don't know based on the provided context."


async def test_weather_round_trip(client):
    first = (await respond(client, "weather", "What's the weather in Seattle?")).json()
    [call] = first["output"]
    assert call["type"] == "function_call" and call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == {"location": "Seattle"}
    assert call["id"].startswith("fc_") and call["call_id"].startswith("call_")
    out = [{"type": "function_call_output", "call_id": call["call_id"], "output": "72F and sunny"}]
    second = (await respond(client, "weather", out, previous_response_id=first["id"])).json()
    assert text_of(second) == "The weather in Seattle: 72F and sunny"
    assert second["previous_response_id"] == first["id"]


async def test_weather_without_city_asks(client):
    body = (await respond(client, "weather", "what's the weather like?")).json()
    assert body["output"][0]["type"] == "message"


async def test_approval_approve_and_deny(client):
    first = (await respond(client, "approval", "How do I rotate keys?")).json()
    assert [i["type"] for i in first["output"]] == ["mcp_list_tools", "mcp_approval_request"]
    request = first["output"][1]
    assert request["id"].startswith("mcpr_") and request["server_label"] == "docs"
    assert first["output"][0]["id"].startswith("mcpl_")
    approve = [{"type": "mcp_approval_response", "approval_request_id": request["id"], "approve": True}]
    second = (await respond(client, "approval", approve, previous_response_id=first["id"])).json()
    assert [i["type"] for i in second["output"]] == ["mcp_call", "message"]
    call = second["output"][0]
    assert call["id"].startswith("mcp_") and call["approval_request_id"] == request["id"]
    assert call["output"] in text_of(second)
    deny = [{"type": "mcp_approval_response", "approval_request_id": request["id"], "approve": False}]
    third = (await respond(client, "approval", deny, previous_response_id=first["id"])).json()
    assert [i["type"] for i in third["output"]] == ["message"]
    assert "denied" in text_of(third)


async def test_researcher_citations_reasoning_and_usage(client):
    body = (await respond(client, "researcher", "Tell me about the history of Rome")).json()
    assert [i["type"] for i in body["output"]] == ["reasoning", "web_search_call", "message"]
    reasoning, search, msg = body["output"]
    assert reasoning["id"].startswith("rs_") and reasoning["summary"][0]["type"] == "summary_text"
    assert search["id"].startswith("ws_") and search["action"]["type"] == "search"
    part = msg["content"][0]
    assert len(part["annotations"]) == 2
    for annotation in part["annotations"]:
        assert annotation["type"] == "url_citation"
        cited = part["text"][annotation["start_index"]:annotation["end_index"]]
        assert cited in ("Contoso Encyclopedia", "Example Wiki")
    assert body["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    assert body["model"] == "o4-mini"


@pytest.mark.parametrize(
    ("question", "tools"),
    [
        ("What's the weather in Paris?", ["ask_weather"]),
        ("Explain the history of Paris", ["ask_researcher"]),
        ("What's the weather in Paris and what is its history?", ["ask_weather", "ask_researcher"]),
    ],
)
async def test_triage_routes(client, question, tools):
    body = (await respond(client, "triage", question)).json()
    assert [i["name"] for i in body["output"]] == tools
    outputs = [
        {"type": "function_call_output", "call_id": c["call_id"], "output": f"answer from {c['name']}"}
        for c in body["output"]
    ]
    final = (await respond(client, "triage", outputs, previous_response_id=body["id"])).json()
    for call in body["output"]:
        assert f"answer from {call['name']}" in text_of(final)


async def test_triage_partial_outputs_rejected_if_unknown_call(client):
    body = (await respond(client, "triage", "weather and history of Oslo")).json()
    bad = [{"type": "function_call_output", "call_id": "call_nope", "output": "x"}]
    resp = await respond(client, "triage", bad, previous_response_id=body["id"])
    assert resp.status_code == 400


async def test_calendar_structured_output(client):
    text = "Alice and Bob are going to a science fair this Friday, November 7, 2025."
    body = (await respond(client, "calendar", text)).json()
    assert body["text"]["format"]["type"] == "json_schema" and body["text"]["format"]["strict"] is True
    event = json.loads(text_of(body))
    assert event == {"name": "Science fair", "date": "2025-11-07", "participants": ["Alice", "Bob"]}
    assert set(event) == set(body["text"]["format"]["schema"]["required"])


async def test_forecast_answers_in_text_the_same_for_the_same_city(client):
    first = (await respond(client, "forecast", "What's the weather in Paris?")).json()
    again = (await respond(client, "forecast", "Weather in Paris?")).json()
    assert [i["type"] for i in first["output"]] == ["message"]  # no client-side work pending
    assert text_of(first).startswith("The weather in Paris: ") and text_of(first).endswith(" C.")
    assert text_of(again) == text_of(first)
    other = (await respond(client, "forecast", "And in Rome?")).json()
    assert text_of(other).startswith("The weather in Rome: ")
    asks = (await respond(client, "forecast", "how is the weather?")).json()
    assert text_of(asks) == "Which city would you like the weather for?"


async def test_forecast_streams_the_same_answer(client):
    body = (await respond(client, "forecast", "Weather in Oslo?")).json()
    events = events_of(await respond(client, "forecast", "Weather in Oslo?", stream=True))
    deltas = "".join(data["delta"] for event, data in events if event == "response.output_text.delta")
    assert deltas == text_of(body)


# The merge prompt both adapters' fan-out helpers send (answers may span lines).
MERGE = (
    "Question: Weather in Paris, and its history?\n\n"
    "Answers from specialist agents:\n- weather: The weather in Paris: sunny, 21 C.\n"
    "- research: Paris was founded\nin the 3rd century BC\n\n"
    "Combine these answers into one complete reply to the question."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MERGE, "In short: The weather in Paris: sunny, 21 C. Paris was founded in the 3rd century BC."),
        ("a draft   with  spaces", "a draft with spaces."),
        ("   ", "Nothing to write about yet."),
    ],
)
async def test_writer_merges_specialist_answers(client, text, expected):
    body = (await respond(client, "writer", text)).json()
    assert text_of(body) == expected
