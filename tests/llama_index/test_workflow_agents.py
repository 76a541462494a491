"""A Foundry workflow agent in LlamaIndex: instrumentation events, stream chunks, workflow events (emulator)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers.base import BaseEventHandler
from llama_index.core.instrumentation.events.base import BaseEvent
from llama_index.core.workflow import Context, StartEvent, StopEvent, Workflow, step

from llama_index_foundry import (
    FoundryAgentLLM,
    FoundryWorkflowActionEvent,
    WorkflowActionEvent,
    foundry_agent_tool,
)

Make = Callable[..., FoundryAgentLLM]
QUESTION = [ChatMessage(role="user", content="Plan a weekend in Lisbon")]
STATUSES = [("parallel_1", "in_progress"), ("parallel_1_researcher_1", "in_progress"),
            ("parallel_1_forecast_2", "in_progress"), ("parallel_1_researcher_1", "completed"),
            ("parallel_1_forecast_2", "completed"), ("parallel_1", "completed"),
            ("writer_2", "in_progress"), ("writer_2", "completed")]


class Recorder(BaseEventHandler):
    events: list[FoundryWorkflowActionEvent] = []

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if isinstance(event, FoundryWorkflowActionEvent):
            self.events.append(event)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder(events=[])
    root = get_dispatcher()
    root.add_event_handler(handler)
    try:
        yield handler
    finally:
        root.event_handlers.remove(handler)


def statuses(items: list[Any]) -> list[tuple[str, str]]:
    return [((i["action_id"], i["status"]) if isinstance(i, dict) else (i.action_id, i.status)) for i in items]


def test_chat_dispatches_the_actions_and_keeps_each_inner_message(make_llm: Make, recorder: Recorder) -> None:
    reply = make_llm("trip-planner").chat(QUESTION)
    assert statuses(recorder.events) == STATUSES
    assert recorder.events[-1].kind == "InvokeAzureAgent" and recorder.events[-1].agent_name == "writer"
    kwargs = reply.message.additional_kwargs
    assert statuses(kwargs["workflow_actions"]) == STATUSES
    inner = kwargs["agent_messages"]
    assert [m["agent_name"] for m in inner] == ["researcher", "forecast", "writer"]
    assert inner[1]["text"].startswith("The weather in Lisbon") and all(m["item_id"] for m in inner)


def test_stream_chat_sends_the_same_events_as_chat(make_llm: Make, recorder: Recorder) -> None:
    llm = make_llm("trip-planner")
    chunks = list(llm.stream_chat(QUESTION))
    streamed = list(recorder.events)
    recorder.events.clear()
    reply = llm.chat(QUESTION)
    assert statuses(streamed) == statuses(recorder.events) == STATUSES
    assert [e.output_index for e in streamed] == [e.output_index for e in recorder.events]
    in_chunks = [c.message.additional_kwargs["workflow_action"] for c in chunks
                 if "workflow_action" in c.message.additional_kwargs]
    assert statuses(in_chunks) == STATUSES
    assert chunks[-1].message.content == reply.message.content
    assert statuses(chunks[-1].message.additional_kwargs["workflow_actions"]) == STATUSES


async def test_astream_chat_and_achat_dispatch_too(make_llm: Make, recorder: Recorder) -> None:
    llm = make_llm("trip-planner")
    async for _ in await llm.astream_chat(QUESTION):
        pass
    await llm.achat(QUESTION)
    assert statuses(recorder.events) == STATUSES + STATUSES


class Planner(Workflow):
    """A user workflow relaying the agent's actions to the workflow's event stream."""

    def __init__(self, llm: FoundryAgentLLM, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.llm = llm

    @step
    async def plan(self, ctx: Context, ev: StartEvent) -> StopEvent:
        text = ""
        async for chunk in await self.llm.astream_chat([ChatMessage(role="user", content=ev.question)]):
            action = WorkflowActionEvent.from_chunk(chunk)
            if action is not None:
                ctx.write_event_to_stream(action)
            text = chunk.message.content or text
        return StopEvent(result=text)


async def test_a_llamaindex_workflow_streams_the_actions(make_llm: Make) -> None:
    handler = Planner(make_llm("trip-planner"), timeout=60).run(question="Plan a weekend in Lisbon")
    seen = [e async for e in handler.stream_events() if isinstance(e, WorkflowActionEvent)]
    result = await handler
    assert statuses(seen) == STATUSES
    assert "The weather in Lisbon" in result


def test_workflow_agent_as_a_sub_agent_tool(make_llm: Make, recorder: Recorder) -> None:
    tool = foundry_agent_tool(make_llm("trip-planner"))
    answer = tool.call(question="Plan a weekend in Lisbon")
    assert "In short:" in str(answer)
    assert statuses(recorder.events) == STATUSES


def test_from_chunk_of_other_chunks_is_none() -> None:
    assert WorkflowActionEvent.from_chunk(object()) is None
