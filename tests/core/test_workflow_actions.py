"""Workflow agents' ``workflow_action`` items in the stream accumulator (docs/protocol.md, "Workflow actions")."""

from __future__ import annotations

import pytest

from foundry_agents import (
    ItemAdded,
    ItemDone,
    MessageItem,
    ResponseDone,
    WorkflowActionItem,
    WorkflowActionUpdated,
)
from foundry_agents.streaming import StreamAccumulator

WF = {"type": "agent_reference", "name": "trip-planner", "version": "1"}


def action(action_id: str, status: str, **extra: object) -> dict:
    return {"type": "workflow_action", "id": f"wfa_{action_id}_{status}", "kind": "InvokeAzureAgent",
            "action_id": action_id, "status": status, "agent_reference": WF, **extra}


def message(text: str, agent: str, item_id: str) -> dict:
    return {"type": "message", "id": item_id, "role": "assistant", "status": "completed",
            "agent_reference": {"type": "agent_reference", "name": agent, "version": "1"},
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def added(item: dict, index: int) -> dict:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def done(item: dict, index: int) -> dict:
    return {"type": "response.output_item.done", "output_index": index, "item": item}


def updates(acc: StreamAccumulator, events: list[dict]) -> list[tuple[str | None, str | None]]:
    out = []
    for event in events:
        out += [(e.action.action_id, e.action.status) for e in acc.feed(event) if isinstance(e, WorkflowActionUpdated)]
    return out


def test_one_update_per_status_item_when_added_and_done_carry_the_same_item():
    # The shape Microsoft Agent Framework's Foundry hosting emits: a new item per status change.
    acc = StreamAccumulator()
    start, end = action("research", "in_progress"), action("research", "completed", previous_action_id=None)
    got = updates(acc, [added(start, 0), done(start, 0), added(end, 1), done(end, 1)])
    assert got == [("research", "in_progress"), ("research", "completed")]


def test_an_item_updated_in_place_reports_start_and_completion():
    acc = StreamAccumulator()
    got = updates(acc, [added(action("a", "in_progress"), 0), added(message("hi", "echo", "msg_1"), 1),
                        done(message("hi", "echo", "msg_1"), 1), done(action("a", "completed"), 0)])
    assert got == [("a", "in_progress"), ("a", "completed")]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # done without an item: the added item stands, no second update
        ([added(action("a", "in_progress"), 0), {"type": "response.output_item.done", "output_index": 0}],
         [("a", "in_progress")]),
        # done of an action never added: still reported once
        ([done(action("b", "failed"), 3)], [("b", "failed")]),
        # an index reused by an action after a message: reported
        ([added(message("x", "echo", "m"), 0), done(action("c", "completed"), 0)], [("c", "completed")]),
        # odd fields: wrong types read as absent, the update still arrives
        ([added({"type": "workflow_action", "action_id": 5, "status": None}, 0)], [(None, None)]),
    ],
)
def test_odd_rows(events, expected):
    assert updates(StreamAccumulator(), events) == expected


def test_updates_arrive_between_item_added_and_done_in_stream_order():
    acc = StreamAccumulator()
    seen = []
    for event in [added(action("a", "in_progress"), 0), done(action("a", "in_progress"), 0),
                  added(message("hi", "echo", "msg_1"), 1), done(message("hi", "echo", "msg_1"), 1),
                  added(action("a", "completed"), 2), done(action("a", "completed"), 2)]:
        seen += [type(e).__name__ for e in acc.feed(event)]
    assert seen == ["ItemAdded", "WorkflowActionUpdated", "ItemDone", "ItemAdded", "ItemDone",
                    "ItemAdded", "WorkflowActionUpdated", "ItemDone"]


def test_inner_messages_stay_separate_items_naming_their_agent():
    acc = StreamAccumulator()
    events = [added(action("p", "in_progress"), 0), done(action("p", "in_progress"), 0),
              added(message("Sunny.", "forecast", "msg_a"), 1), added(message("Echo: hi", "echo", "msg_b"), 2),
              {"type": "response.output_text.delta", "output_index": 1, "content_index": 0, "delta": "Sunny."},
              {"type": "response.output_text.delta", "output_index": 2, "content_index": 0, "delta": "Echo: hi"},
              done(message("Sunny.", "forecast", "msg_a"), 1), done(message("Echo: hi", "echo", "msg_b"), 2)]
    for event in events:
        acc.feed(event)
    partial = acc.partial_response()
    assert [(m.agent.name, m.text) for m in partial.messages] == [("forecast", "Sunny."), ("echo", "Echo: hi")]
    final = acc.feed({"type": "response.completed", "response": {"id": "resp_1", "status": "completed",
                                                                  "agent_reference": WF}})
    response = final[-1].response
    assert isinstance(final[-1], ResponseDone)
    assert [type(i) for i in response.output] == [WorkflowActionItem, MessageItem, MessageItem]
    assert [m.agent.name for m in response.messages] == ["forecast", "echo"]
    assert response.output_text == "Sunny.Echo: hi"


def test_item_events_carry_the_typed_item():
    acc = StreamAccumulator()
    out = acc.feed(added(action("a", "in_progress", parent_action_id="root"), 0))
    assert isinstance(out[0], ItemAdded) and isinstance(out[0].item, WorkflowActionItem)
    assert out[1].action.parent_action_id == "root"
    out = acc.feed(done(action("a", "in_progress", parent_action_id="root"), 0))
    assert [type(e) for e in out] == [ItemDone]
