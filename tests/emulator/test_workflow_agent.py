"""The emulator's workflow agents: ``kind: workflow`` in the agents file and the built-in ``trip-planner``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from foundry_agents.emulator import AgentsFileError, create_app

from .helpers import AUTH, events_of, respond

EXAMPLE = Path(__file__).resolve().parents[2] / "foundry_agents" / "emulator" / "examples" / "agents.yaml"


async def _client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers=AUTH)


def _shape(output: list[dict]) -> list[tuple]:
    """(type, action_id, status, parent, previous, agent) per item: the order a user sees."""
    return [(i["type"], i.get("action_id"), i.get("status") if i["type"] == "workflow_action" else None,
             i.get("parent_action_id"), i.get("previous_action_id"), i["agent_reference"]["name"])
            for i in output if i["type"] in ("workflow_action", "message")]


EXPECTED = [
    ("workflow_action", "researcher_1", "in_progress", None, None, "research-and-write"),
    ("message", None, None, None, None, "researcher"),
    ("workflow_action", "researcher_1", "completed", None, None, "research-and-write"),
    ("workflow_action", "parallel_2", "in_progress", None, "researcher_1", "research-and-write"),
    ("workflow_action", "parallel_2_forecast_1", "in_progress", "parallel_2", None, "research-and-write"),
    ("workflow_action", "parallel_2_echo_2", "in_progress", "parallel_2", None, "research-and-write"),
    ("message", None, None, None, None, "forecast"),
    ("message", None, None, None, None, "echo"),
    ("workflow_action", "parallel_2_forecast_1", "completed", "parallel_2", None, "research-and-write"),
    ("workflow_action", "parallel_2_echo_2", "completed", "parallel_2", None, "research-and-write"),
    ("workflow_action", "parallel_2", "completed", None, "researcher_1", "research-and-write"),
    ("workflow_action", "writer_3", "in_progress", None, "parallel_2", "research-and-write"),
    ("message", None, None, None, None, "writer"),
    ("workflow_action", "writer_3", "completed", None, "parallel_2", "research-and-write"),
]


async def test_sequence_and_parallel_steps_in_the_json_output():
    async with await _client(create_app(agents_file=EXAMPLE)) as c:
        body = (await respond(c, "research-and-write", "Plan a trip to Paris")).json()
    assert body["status"] == "completed"
    assert _shape(body["output"]) == EXPECTED
    messages = {i["agent_reference"]["name"]: i["content"][0]["text"] for i in body["output"] if i["type"] == "message"}
    assert messages["forecast"].startswith("The weather in Paris:")  # input: request
    assert "Answers from specialist agents:" in messages["echo"]  # later steps read earlier answers
    assert messages["writer"].startswith("In short:") and messages["forecast"] in messages["writer"]
    actions = [i for i in body["output"] if i["type"] == "workflow_action"]
    assert all(i["id"].startswith("wfa_") for i in actions) and len({i["id"] for i in actions}) == len(actions)
    assert {i["kind"] for i in actions} == {"InvokeAzureAgent", "Parallel"}
    invoke = next(i for i in actions if i["action_id"] == "writer_3")
    assert invoke["agent"] == {"type": "agent_reference", "name": "writer", "version": "1"}


async def test_stream_interleaves_actions_with_inner_messages_as_the_json_does():
    async with await _client(create_app(agents_file=EXAMPLE)) as c:
        streamed = events_of(await respond(c, "research-and-write", "Plan a trip to Paris", stream=True))
    numbers = [data["sequence_number"] for _, data in streamed]
    assert numbers == list(range(len(streamed)))
    done_items = [data["item"] for kind, data in streamed if kind == "response.output_item.done"]
    assert _shape(done_items) == EXPECTED
    # an action item is added and done as it is (its status is not rewritten in the added event)
    added = [data["item"] for kind, data in streamed
             if kind == "response.output_item.added" and data["item"]["type"] == "workflow_action"]
    assert [(i["action_id"], i["status"]) for i in added] == [(a[1], a[2]) for a in EXPECTED if a[0] == "workflow_action"]
    final = streamed[-1][1]["response"]
    assert streamed[-1][0] == "response.completed"
    assert _shape(final["output"]) == EXPECTED
    # each output_index holds one item: no inner message merged into another
    indexes = [data["output_index"] for kind, data in streamed if kind == "response.output_item.added"]
    assert indexes == list(range(len(final["output"])))


async def test_builtin_trip_planner_runs_researcher_and_forecast_in_parallel_then_writer():
    async with await _client(create_app()) as c:
        body = (await respond(c, "trip-planner", "Plan a weekend in Lisbon")).json()
        agent = (await c.get("/api/projects/emulator/agents/trip-planner", params={"api-version": "v1"})).json()
    assert agent["versions"]["latest"]["definition"]["kind"] == "workflow"
    started = [i["action_id"] for i in body["output"] if i["type"] == "workflow_action" and i["status"] == "in_progress"]
    assert started == ["parallel_1", "parallel_1_researcher_1", "parallel_1_forecast_2", "writer_2"]
    writer = [i for i in body["output"] if i["type"] == "message"][-1]
    assert writer["agent_reference"]["name"] == "writer" and "Lisbon" in writer["content"][0]["text"]


async def test_a_failing_inner_agent_fails_its_action_and_the_response():
    app = create_app(extra_agents=[{"name": "wf", "kind": "workflow",
                                    "steps": [{"agent": "echo"}, {"agent": "broken"}, {"agent": "writer"}]}])
    async with await _client(app) as c:
        body = (await respond(c, "wf", "hi")).json()
    assert body["status"] == "failed"
    assert "broken" in body["error"]["message"] and "broken_2" in body["error"]["message"]
    assert [(i["action_id"], i["status"]) for i in body["output"] if i["type"] == "workflow_action"] == [
        ("echo_1", "in_progress"), ("echo_1", "completed"), ("broken_2", "in_progress"), ("broken_2", "failed")]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "wf", "kind": "workflow"}, "needs 'steps'"),
        ({"name": "wf", "kind": "workflow", "steps": []}, "needs 'steps'"),
        ({"name": "wf", "kind": "workflow", "steps": [{"agnt": "echo"}]}, "steps[0]: expected {agent: NAME}"),
        ({"name": "wf", "kind": "workflow", "steps": [{"parallel": []}]}, "'parallel' must be a non-empty list"),
        ({"name": "wf", "kind": "workflow", "steps": [{"parallel": [{"parallel": [{"agent": "echo"}]}]}]},
         "parallel[0]: expected {agent: NAME}"),
        ({"name": "wf", "kind": "workflow", "steps": [{"agent": "echo", "input": "all"}]}, "'input' must be"),
        ({"name": "wf", "kind": "workflow", "steps": [{"agent": "nobody"}]}, "runs agent 'nobody', which is not defined"),
    ],
)
def test_malformed_workflows_are_refused_at_start_naming_the_step(entry, message):
    with pytest.raises(AgentsFileError, match=message.replace("[", r"\[").replace("{", r"\{")):
        create_app(extra_agents=[entry])
