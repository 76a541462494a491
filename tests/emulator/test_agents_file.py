"""User-defined scripted agents from YAML and JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from foundry_agents.emulator import AgentsFileError, create_app, load_agents_file

from .helpers import AUTH, respond, text_of

EXAMPLE = Path(__file__).resolve().parents[2] / "foundry_agents" / "emulator" / "examples" / "agents.yaml"


async def _client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers=AUTH)


async def test_example_yaml_rules_and_versions():
    async with await _client(create_app(agents_file=EXAMPLE)) as c:
        v1 = (await respond(c, "support", "hi", version="1")).json()
        assert text_of(v1) == "Sorry, I can only help with orders and refunds. You said: hi"
        refund = (await respond(c, "support", "I want a REFUND")).json()
        assert text_of(refund) == "Refunds are processed within 5 business days."
        assert refund["agent_reference"]["version"] == "2"
        call = (await respond(c, "support", "where is order #42?")).json()
        fc = call["output"][0]
        assert fc["type"] == "function_call" and json.loads(fc["arguments"]) == {"order_id": "42"}
        assert call["tools"][0]["name"] == "get_order"
        out = [{"type": "function_call_output", "call_id": fc["call_id"], "output": "shipped"}]
        done = (await respond(c, "support", out, previous_response_id=call["id"])).json()
        assert text_of(done) == "Here is your order: shipped"
        faq = (await respond(c, "faq", [
            {"type": "message", "role": "system", "content": "The office opens at 9am."},
            {"type": "message", "role": "user", "content": "When does the office open?"},
        ])).json()
        assert text_of(faq) == "The office opens at 9am."
        # built-ins are still there
        assert (await respond(c, "echo", "x")).status_code == 200


async def test_json_file(tmp_path):
    path = tmp_path / "agents.json"
    path.write_text(json.dumps({"agents": [{"name": "fixed", "reply": "Always this."}]}))
    async with await _client(create_app(agents_file=path)) as c:
        assert text_of((await respond(c, "fixed", "anything")).json()) == "Always this."


async def test_extra_agents_dicts():
    app = create_app(extra_agents=[{"name": "hello", "versions": [{"reply": "Hello!", "model": "m1"}]}])
    async with await _client(app) as c:
        body = (await respond(c, "hello", "x")).json()
    assert text_of(body) == "Hello!" and body["model"] == "m1"


@pytest.mark.parametrize("content", ['{"agents": {"x": 1}}', '{"agents": [{"reply": "no name"}]}', "not json"])
def test_malformed_files(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(AgentsFileError):
        load_agents_file(path)
