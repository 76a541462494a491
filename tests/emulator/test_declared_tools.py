"""Agents created through the API call the tools their definition declares (as the SDK samples expect)."""

from __future__ import annotations

import json

from .helpers import PROJECT, respond, text_of

V1 = {"api-version": "v1"}


def _function(name: str, description: str, properties: dict) -> dict:
    parameters = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    return {"type": "function", "name": name, "description": description, "parameters": parameters, "strict": True}


async def _create(client, name: str, tools: list[dict], **body) -> None:
    definition = {"kind": "prompt", "model": "gpt-4.1-mini", "tools": tools}
    resp = await client.post(f"{PROJECT}/agents/{name}/versions", params=V1, json={"definition": definition, **body})
    assert resp.status_code == 200, resp.text


async def test_function_tool_is_called_with_schema_arguments(client):
    tools = [
        _function("get_stock", "Get a stock price for a ticker.", {"ticker": {"type": "string"}}),
        _function(
            "get_horoscope",
            "Get today's horoscope for an astrological sign.",
            {"sign": {"type": "string"}, "days": {"type": "integer"}, "tone": {"type": "string", "enum": ["calm", "wild"]}},
        ),
    ]
    await _create(client, "stars", tools)
    first = (await respond(client, "stars", "My horoscope for 3 days, wild please? I am an Aquarius.")).json()
    (call,) = first["output"]
    assert call["type"] == "function_call" and call["name"] == "get_horoscope"
    assert json.loads(call["arguments"]) == {"sign": "Aquarius", "days": 3, "tone": "wild"}
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "Otters ahead."}
    second = (await respond(client, "stars", [output], previous_response_id=first["id"])).json()
    assert text_of(second) == "get_horoscope returned: Otters ahead."


async def test_mcp_tool_asks_approval_under_its_own_label(client):
    mcp = {"type": "mcp", "server_label": "api-specs", "server_url": "https://mcp.invalid", "require_approval": "always"}
    await _create(client, "specs", [mcp])
    first = (await respond(client, "specs", "Summarize the readme")).json()
    assert [(i["type"], i["server_label"]) for i in first["output"]] == [
        ("mcp_list_tools", "api-specs"), ("mcp_approval_request", "api-specs")
    ]
    approve = {"type": "mcp_approval_response", "approve": True, "approval_request_id": first["output"][1]["id"]}
    second = (await respond(client, "specs", [approve], previous_response_id=first["id"])).json()
    assert second["output"][0]["type"] == "mcp_call" and text_of(second).startswith("According to the api-specs tool:")


async def test_scripted_agents_keep_their_behaviour_and_plain_agents_echo(client):
    # A new version of the built-in weather agent still answers like weather.
    await _create(client, "weather", [_function("get_weather", "Weather.", {"location": {"type": "string"}})])
    reply = (await respond(client, "weather", "Weather in Lima?")).json()
    assert json.loads(reply["output"][0]["arguments"]) == {"location": "Lima"}
    # metadata.emulator_behavior still wins; an agent without tools echoes.
    await _create(client, "picked", [_function("f", "F.", {})], metadata={"emulator_behavior": "echo"})
    assert text_of((await respond(client, "picked", "hi")).json()) == "Echo: hi"
    await _create(client, "plain", [])
    assert text_of((await respond(client, "plain", "hi")).json()) == "Echo: hi"


async def test_json_schema_format_answers_in_that_shape(client):
    calendar = {"type": "object", "properties": {"name": {"type": "string"}, "date": {"type": "string"},
                                                 "participants": {"type": "array", "items": {"type": "string"}}}}
    other = {"type": "object", "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}}}
    for name, schema in (("cal", calendar), ("trip", other)):
        text = {"format": {"type": "json_schema", "name": "Out", "schema": schema}}
        body = {"definition": {"kind": "prompt", "model": "m", "text": text}}
        assert (await client.post(f"{PROJECT}/agents/{name}/versions", params=V1, json=body)).status_code == 200
    event = json.loads(text_of((await respond(client, "cal", "Ann and Bob meet at the fair on 2025-05-01.")).json()))
    assert event["date"] == "2025-05-01" and event["participants"] == ["Ann", "Bob"]
    trip = json.loads(text_of((await respond(client, "trip", "Book 3 nights in Lisbon")).json()))
    assert trip == {"city": "Lisbon", "nights": 3}
