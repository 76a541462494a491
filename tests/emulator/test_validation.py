"""Validation errors match the service's codes, messages and envelope."""

from __future__ import annotations

import pytest

from .helpers import PROJECT, respond

URL = f"{PROJECT}/openai/v1/responses"


def error_of(resp):
    body = resp.json()
    assert set(body["error"]) == {"code", "message", "param", "type", "details", "additionalInfo"}
    assert body["error"]["additionalInfo"]["request_id"] == resp.headers["x-request-id"]
    return body["error"]


async def test_deprecated_agent_key_on_v1(client):
    resp = await client.post(URL, json={"input": "x", "agent": {"type": "agent_reference", "name": "echo"}})
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["code"] == "invalid_payload"
    assert err["message"] == "The 'agent' property is deprecated. Use 'agent_reference' instead."


@pytest.mark.parametrize("field", ["model", "tools", "temperature", "top_p", "text", "instructions", "reasoning",
                                   "parallel_tool_calls", "max_tool_calls", "top_logprobs"])
async def test_refused_field_single(client, field):
    value = {"model": "gpt-4o", "tools": [], "temperature": 0.5, "top_p": 0.5, "text": {"format": {"type": "text"}},
             "instructions": "x", "reasoning": {"effort": "low"}, "parallel_tool_calls": False,
             "max_tool_calls": 3, "top_logprobs": 2}[field]
    resp = await respond(client, "echo", "x", **{field: value})
    err = error_of(resp)
    assert resp.status_code == 400
    assert (err["code"], err["message"], err["param"]) == ("invalid_payload", "Not allowed when agent is specified.", field)
    assert err["details"] == []


async def test_refused_fields_several_in_details(client):
    resp = await respond(client, "echo", "x", temperature=0.1, tools=[])
    err = error_of(resp)
    assert err["param"] is None
    assert {d["param"] for d in err["details"]} == {"temperature", "tools"}
    assert all(d["code"] == "ValidationError" for d in err["details"])


async def test_same_model_as_agent_is_allowed(client):
    assert (await respond(client, "echo", "x", model="gpt-4.1-mini")).status_code == 200


async def test_conversation_and_previous_response_together(client):
    resp = await respond(client, "echo", "x", conversation="conv_1", previous_response_id="resp_1")
    assert resp.status_code == 400 and error_of(resp)["code"] == "invalid_payload"


async def test_missing_agent_reference(client):
    resp = await client.post(URL, json={"input": "x"})
    assert resp.status_code == 400


async def test_unknown_agent_and_version(client):
    resp = await respond(client, "nobody", "x")
    assert resp.status_code == 404 and "nobody" in error_of(resp)["message"]
    resp = await respond(client, "echo", "x", version="99")
    err = error_of(resp)
    assert resp.status_code == 404 and "echo" in err["message"] and "99" in err["message"]


@pytest.mark.parametrize("header", [None, "Bearer ", "Basic abc", "token"])
async def test_auth_required(app, header):
    import httpx

    headers = {"Authorization": header} if header is not None else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as c:
        resp = await c.post(URL, json={"input": "x", "agent_reference": {"name": "echo"}}, headers=headers)
    assert resp.status_code == 401
    assert "x-request-id" in resp.headers and "apim-request-id" in resp.headers


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"role": "user", "content": "no type"}, "type"),
        ({"type": "message", "role": "user", "content": "x", "status": None}, "status"),
        ({"type": "mcp_list_tools", "server_label": "docs", "tools": []}, "mcp_list_tools"),
        ({"type": "web_search_call", "id": "ws_1", "status": "completed"}, "web_search_call"),
        ({"type": "reasoning", "id": "rs_1", "summary": []}, "encrypted_content"),
        ({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi"}]}, "annotations"),
        ({"type": "function_call_output", "call_id": "call_unknown", "output": "x"}, "call_unknown"),
        ({"type": "message", "role": "robot", "content": "x"}, "robot"),
    ],
)
async def test_strict_input_items(client, item, fragment):
    resp = await respond(client, "echo", [item])
    assert resp.status_code == 400
    err = error_of(resp)
    assert fragment in err["message"] or fragment in (err["param"] or "")


async def test_lenient_input_option_accepts_role_shorthand():
    import httpx

    from foundry_agents.emulator import create_app

    app = create_app(strict_input=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers={"Authorization": "Bearer t"}) as c:
        resp = await respond(c, "echo", [{"role": "user", "content": "short"}])
    assert resp.status_code == 200


async def test_replayed_assistant_with_annotations_is_fine(client):
    items = [
        {"type": "message", "role": "user", "content": "a"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "b", "annotations": []}]},
        {"type": "message", "role": "user", "content": "c"},
    ]
    assert (await respond(client, "echo", items)).status_code == 200


async def test_unknown_route_is_enveloped(client):
    resp = await client.get(f"{PROJECT}/nowhere")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


async def test_preview_routes_need_api_version(client):
    resp = await client.post(f"{PROJECT}/openai/responses", json={"input": "x", "agent": {"name": "echo"}})
    assert resp.status_code == 400 and error_of(resp)["param"] == "api-version"
