"""The protocol facts of docs/protocol.md, as the emulator answers them."""

from __future__ import annotations

import openai
import pytest

from foundry_agents.emulator import EMULATOR_TOKEN
from tests.conftest import load_recording

from .helpers import PROJECT, respond, text_of

ENDPOINT = f"{PROJECT}/agents/echo/endpoint/protocols/openai"
V1 = "?api-version=v1"


# -- "model": "" next to an agent --------------------------------------------------------------------

async def test_empty_model_next_to_an_agent_is_absent(client):
    first = await respond(client, "echo", "one", model="")
    assert first.status_code == 200, first.text
    follow = await respond(client, "echo", "two", model="", previous_response_id=first.json()["id"])
    assert follow.status_code == 200 and text_of(follow.json()).endswith(": two")


async def test_empty_model_on_the_per_agent_endpoint(client):
    resp = await client.post(f"{ENDPOINT}/responses{V1}", json={"input": "hi", "model": ""})
    assert resp.status_code == 200, resp.text


async def test_other_model_is_still_refused(client):
    err = (await respond(client, "echo", "x", model="gpt-4o")).json()["error"]
    assert (err["code"], err["param"]) == ("invalid_payload", "model")


# -- role items without "type" -----------------------------------------------------------------------

async def test_system_item_without_type_is_accepted(client):
    items = [{"role": "system", "content": "Be brief."}, {"type": "message", "role": "user", "content": "hi"}]
    resp = await respond(client, "echo", items)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("index", [0, 1])
async def test_user_item_without_type_is_invalid_value_at_the_item(client, index):
    items = [{"type": "message", "role": "user", "content": "ok"}] * index + [{"role": "user", "content": "hi"}]
    resp = await respond(client, "echo", items)
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert (err["code"], err["param"]) == ("invalid_value", f"input[{index}]")


# -- conversations under the per-agent endpoint ------------------------------------------------------

async def test_conversation_routes_under_the_per_agent_endpoint(client):
    created = await client.post(f"{ENDPOINT}/conversations{V1}", json={"items": [
        {"type": "message", "role": "user", "content": "seed"}]})
    assert created.status_code == 200, created.text
    conv = created.json()
    assert conv["object"] == "conversation" and conv["id"].startswith("conv_")
    resp = await client.post(f"{ENDPOINT}/responses{V1}", json={"input": "next", "conversation": conv["id"]})
    assert resp.status_code == 200 and text_of(resp.json()).endswith(": next")
    items = (await client.get(f"{ENDPOINT}/conversations/{conv['id']}/items{V1}")).json()["data"]
    assert len(items) == 3  # seed, the new input, the answer
    # the same conversation is visible at project level
    assert (await client.get(f"{PROJECT}/openai/v1/conversations/{conv['id']}")).status_code == 200
    assert (await client.delete(f"{ENDPOINT}/conversations/{conv['id']}{V1}")).json()["deleted"] is True


@pytest.mark.parametrize(("path", "status"), [("nobody", 404), ("bad..name-", 400)])
async def test_per_agent_conversations_need_a_known_agent(client, path, status):
    resp = await client.post(f"{PROJECT}/agents/{path}/endpoint/protocols/openai/conversations{V1}", json={})
    assert resp.status_code == status and "error" in resp.json()


def test_openai_sdk_creates_conversations_on_the_per_agent_endpoint(emulator):
    # What get_openai_client(agent_name="echo") builds: base URL + api-version=v1 on every call.
    sdk = openai.OpenAI(base_url=f"{emulator.endpoint}/agents/echo/endpoint/protocols/openai",
                        api_key=EMULATOR_TOKEN, default_query={"api-version": "v1"}, max_retries=0)
    conv = sdk.conversations.create(items=[{"type": "message", "role": "user", "content": "hello"}])
    resp = sdk.responses.create(input="and again", conversation=conv.id)
    assert resp.output_text.endswith(": and again")
    assert sdk.conversations.retrieve(conv.id).id == conv.id


# -- Foundry-Features and preview kinds --------------------------------------------------------------

async def test_preview_feature_403_matches_the_recording(client):
    [entry] = load_recording("agent_version_create_403")
    recorded = entry["ResponseBody"]["error"]
    resp = await client.post(f"{PROJECT}/agents/workflow-agent-preview-test/versions{V1}", json=entry["RequestBody"])
    assert resp.status_code == entry["StatusCode"] == 403
    got = resp.json()["error"]
    for key in ("code", "message", "type", "details"):
        assert got[key] == recorded[key], key


async def test_sdk_preview_flags_unlock_workflow_agents(client):
    # azure-ai-projects with allow_preview=True sends this list on agent operations (docs/protocol.md).
    flags = "WorkflowAgents=V1Preview,ExternalAgents=V1Preview,DraftAgents=V1Preview,AgentsOptimization=V2Preview"
    body = {"definition": {"kind": "workflow", "workflow": "kind: workflow"}}
    resp = await client.post(f"{PROJECT}/agents/wf/versions{V1}", json=body, headers={"Foundry-Features": flags})
    assert resp.status_code == 200, resp.text


async def test_per_agent_endpoint_needs_no_feature_header(client):
    resp = await client.post(f"{ENDPOINT}/responses{V1}", json={"input": "hi"})
    assert resp.status_code == 200
