"""A Foundry workflow agent in LangChain: content blocks, custom events, LCEL and sub-agent use (emulator)."""

from __future__ import annotations

import re
from functools import reduce
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_foundry_agents import WORKFLOW_ACTION_EVENT, ChatFoundryAgent, foundry_agent_tool

QUESTION = "Plan a weekend in Lisbon"
#: trip-planner: researcher and forecast in parallel, then writer (emulator built-in).
STATUSES = [("parallel_1", "in_progress"), ("parallel_1_researcher_1", "in_progress"),
            ("parallel_1_forecast_2", "in_progress"), ("parallel_1_researcher_1", "completed"),
            ("parallel_1_forecast_2", "completed"), ("parallel_1", "completed"),
            ("writer_2", "in_progress"), ("writer_2", "completed")]
_ID = re.compile(r"\b[a-z]+_[0-9A-Za-z]{16,}\b")


@pytest.fixture
def planner(emulator_endpoint: str, emulator_token: str) -> ChatFoundryAgent:
    return ChatFoundryAgent("trip-planner", project_endpoint=emulator_endpoint, api_key=emulator_token)


def normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return _ID.sub("<id>", value) if isinstance(value, str) else value


class Actions(BaseCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if name == WORKFLOW_ACTION_EVENT:
            self.seen.append(data)


class AsyncActions(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if name == WORKFLOW_ACTION_EVENT:
            self.seen.append(data)


def statuses(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["status"]) for e in events]


def test_invoke_keeps_actions_and_each_inner_agents_text_block(planner: ChatFoundryAgent) -> None:
    reply = planner.invoke(QUESTION)
    kinds = [b["type"] for b in reply.content]
    assert kinds.count("workflow_action") == len(STATUSES)
    texts = [(b.get("agent_name"), b["text"]) for b in reply.content if b["type"] == "text"]
    assert [who for who, _ in texts] == ["researcher", "forecast", "writer"]  # one block each, not merged
    assert texts[1][1].startswith("The weather in Lisbon")
    assert statuses(reply.response_metadata["workflow_actions"]) == STATUSES
    writer = reply.response_metadata["workflow_actions"][-1]
    assert writer["kind"] == "InvokeAzureAgent" and writer["agent_name"] == "writer"
    standard = [b for b in reply.content_blocks if b["type"] == "non_standard"]
    assert [b["value"]["action_id"] for b in standard] == [a for a, _ in STATUSES]


def test_stream_adds_up_to_invoke_and_both_dispatch_the_same_events(planner: ChatFoundryAgent) -> None:
    streamed, invoked = Actions(), Actions()
    chunks = list(planner.stream(QUESTION, config={"callbacks": [streamed]}))
    reply = planner.invoke(QUESTION, config={"callbacks": [invoked]})
    full = reduce(lambda a, b: a + b, chunks)
    assert normalized(full.content) == normalized(reply.content)
    assert normalized(full.response_metadata["workflow_actions"]) == normalized(reply.response_metadata["workflow_actions"])
    assert statuses(streamed.seen) == statuses(invoked.seen) == STATUSES
    assert normalized(streamed.seen) == normalized(invoked.seen)
    assert [e["output_index"] for e in streamed.seen] == [e["output_index"] for e in invoked.seen]


async def test_astream_events_shows_the_actions_between_the_inner_agents_tokens(planner: ChatFoundryAgent) -> None:
    order: list[str] = []
    async for event in planner.astream_events(QUESTION, version="v2"):
        if event["event"] == "on_custom_event" and event["name"] == WORKFLOW_ACTION_EVENT:
            order.append(f"{event['data']['action_id']}:{event['data']['status']}")
        elif event["event"] == "on_chat_model_stream":
            for block in event["data"]["chunk"].content:
                if isinstance(block, dict) and block.get("agent_name") and (not order or order[-1] != block["agent_name"]):
                    order.append(block["agent_name"])
    assert order == ["parallel_1:in_progress", "parallel_1_researcher_1:in_progress",
                     "parallel_1_forecast_2:in_progress", "researcher", "forecast",
                     "parallel_1_researcher_1:completed", "parallel_1_forecast_2:completed", "parallel_1:completed",
                     "writer_2:in_progress", "writer", "writer_2:completed"]


async def test_ainvoke_dispatches_the_actions_to_async_handlers(planner: ChatFoundryAgent) -> None:
    handler = AsyncActions()
    await planner.ainvoke(QUESTION, config={"callbacks": [handler]})
    assert statuses(handler.seen) == STATUSES


def test_workflow_agent_as_one_step_of_an_lcel_chain(planner: ChatFoundryAgent) -> None:
    chain = ChatPromptTemplate.from_messages([("human", "Plan a weekend in {city}")]) | planner | StrOutputParser()
    handler = Actions()
    answer = chain.invoke({"city": "Oslo"}, config={"callbacks": [handler]})
    assert "In short:" in answer and "Oslo" in answer
    assert statuses(handler.seen) == STATUSES


async def test_workflow_agent_as_a_sub_agent_tool_shows_its_actions(planner: ChatFoundryAgent) -> None:
    tool = foundry_agent_tool(planner)
    seen = [e async for e in tool.astream_events({"question": QUESTION}, version="v2")
            if e["event"] == "on_custom_event" and e["name"] == WORKFLOW_ACTION_EVENT]
    assert statuses([e["data"] for e in seen]) == STATUSES
    assert all(e["parent_ids"] for e in seen)  # dispatched inside the sub-agent's run, under the tool
    answer = tool.invoke({"question": QUESTION})
    assert "In short:" in answer
