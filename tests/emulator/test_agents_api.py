"""Agent management routes: shapes as recorded."""

from __future__ import annotations

from .helpers import PROJECT, respond, text_of

V1 = {"api-version": "v1"}


async def test_get_agent_and_versions(client):
    agent = (await client.get(f"{PROJECT}/agents/echo", params=V1)).json()
    assert agent["object"] == "agent" and agent["id"] == "echo"
    assert agent["versions"]["latest"]["id"] == "echo:2" and agent["versions"]["latest"]["version"] == "2"
    versions = (await client.get(f"{PROJECT}/agents/echo/versions", params=V1)).json()
    assert [v["version"] for v in versions["data"]] == ["2", "1"]
    assert (versions["first_id"], versions["last_id"], versions["has_more"], versions["object"]) == ("echo:2", "echo:1", False, "list")
    empty = (await client.get(f"{PROJECT}/agents/echo/versions", params={**V1, "after": "echo:1"})).json()
    assert empty == {"data": [], "has_more": False, "object": "list"}
    one = (await client.get(f"{PROJECT}/agents/echo/versions/1", params=V1)).json()
    assert one["object"] == "agent.version" and one["definition"]["kind"] == "prompt"
    listed = (await client.get(f"{PROJECT}/agents", params={**V1, "limit": 100})).json()
    assert "weather" in {a["name"] for a in listed["data"]}


async def test_create_version_and_use_it(client):
    body = {"definition": {"kind": "prompt", "model": "gpt-4o", "instructions": "Be brief."}, "description": "mine"}
    created = (await client.post(f"{PROJECT}/agents/echo/versions", params=V1, json=body)).json()
    assert created["id"] == "echo:3" and created["version"] == "3" and created["description"] == "mine"
    reply = (await respond(client, "echo", "hi")).json()
    assert text_of(reply) == "Echo v3: hi" and reply["model"] == "gpt-4o" and reply["instructions"] == "Be brief."
    new = (await client.post(f"{PROJECT}/agents/MyAgent/versions", params=V1, json=body)).json()
    assert new["id"] == "MyAgent:1"
    deleted = (await client.delete(f"{PROJECT}/agents/MyAgent/versions/1", params=V1)).json()
    assert deleted == {"object": "agent.version.deleted", "name": "MyAgent", "version": "1", "deleted": True}
    assert (await client.get(f"{PROJECT}/agents/MyAgent", params=V1)).status_code == 404


async def test_behaviour_from_metadata(client):
    body = {"definition": {"kind": "prompt", "model": "m"}, "metadata": {"emulator_behavior": "grounded"}}
    await client.post(f"{PROJECT}/agents/rag/versions", params=V1, json=body)
    reply = (await respond(client, "rag", "Unknown thing?")).json()
    assert text_of(reply) == "I don't know based on the provided context."


async def test_workflow_needs_preview_header(client):
    body = {"definition": {"kind": "workflow", "workflow": "kind: workflow\n"}}
    resp = await client.post(f"{PROJECT}/agents/wf/versions", params=V1, json=body)
    assert resp.status_code == 403
    err = resp.json()["error"]
    assert err["code"] == "preview_feature_required" and "WorkflowAgents=V1Preview" in err["message"]
    ok = await client.post(
        f"{PROJECT}/agents/wf/versions", params=V1, json=body,
        headers={"Foundry-Features": "HostedAgents=V1Preview,WorkflowAgents=V1Preview"},
    )
    assert ok.status_code == 200


async def test_delete_agent(client):
    assert (await client.delete(f"{PROJECT}/agents/flaky", params=V1)).json() == {"object": "agent.deleted", "name": "flaky", "deleted": True}
    assert (await respond(client, "flaky", "x")).status_code == 404


async def test_per_agent_endpoint(client):
    resp = await client.post(
        f"{PROJECT}/agents/echo/endpoint/protocols/openai/responses", params=V1, json={"input": "via path"}
    )
    body = resp.json()
    assert text_of(body) == "Echo v2: via path" and body["agent_reference"]["name"] == "echo"


async def test_any_project_name(client):
    resp = await client.post("/api/projects/other-project/openai/v1/responses", json={"input": "x", "agent_reference": {"name": "echo"}})
    assert resp.status_code == 200
