"""Server tools' status changes reach LangChain callbacks and ``astream_events`` while a stream runs.

The emulator's ``coder`` runs code interpreter (in_progress, interpreting, completed) and
``painter`` image generation (in_progress, generating, completed); each change is the custom
event ``TOOL_PROGRESS_EVENT`` of the model's run, in the order the service sent them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler

from langchain_foundry_agents import TOOL_PROGRESS_EVENT, WORKFLOW_ACTION_EVENT, ChatFoundryAgent


class Progress(BaseCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append((name, data))


class AsyncProgress(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append((name, data))


@pytest.fixture
def make(emulator_endpoint: str, emulator_token: str) -> Any:
    def factory(agent: str) -> ChatFoundryAgent:
        return ChatFoundryAgent(agent, project_endpoint=emulator_endpoint, api_key=emulator_token, max_retries=0)
    return factory


def _statuses(seen: list[tuple[str, dict[str, Any]]], item_type: str) -> list[str]:
    return [data["status"] for name, data in seen if name == TOOL_PROGRESS_EVENT and data["item_type"] == item_type]


@pytest.mark.parametrize(("agent", "item_type", "expected"), [
    ("coder", "code_interpreter_call", ["in_progress", "interpreting", "completed"]),
    ("painter", "image_generation_call", ["in_progress", "generating", "completed"]),
])
def test_a_stream_reports_each_tool_status_as_a_custom_event(make: Any, agent: str, item_type: str,
                                                             expected: list[str]) -> None:
    handler = Progress()
    chunks = list(make(agent).stream("Draw and sum 1, 2, 3", config={"callbacks": [handler]}))
    assert chunks
    assert _statuses(handler.seen, item_type) == expected
    ids = {data["item_id"] for name, data in handler.seen if name == TOOL_PROGRESS_EVENT}
    assert len(ids) == 1 and all(isinstance(i, str) and i for i in ids)
    assert all(name != WORKFLOW_ACTION_EVENT for name, _ in handler.seen)


async def test_astream_and_astream_events_report_the_same_statuses(make: Any) -> None:
    handler = AsyncProgress()
    llm = make("coder")
    async for _ in llm.astream("Sum 4, 5, 6", config={"callbacks": [handler]}):
        pass
    assert _statuses(handler.seen, "code_interpreter_call") == ["in_progress", "interpreting", "completed"]

    events = [e async for e in llm.astream_events("Sum 4, 5, 6", version="v2")
              if e["event"] == "on_custom_event" and e["name"] == TOOL_PROGRESS_EVENT]
    assert [e["data"]["status"] for e in events] == ["in_progress", "interpreting", "completed"]
    runs = {e["run_id"] for e in events}
    assert len(runs) == 1


def test_invoke_reports_no_progress(make: Any) -> None:
    handler = Progress()
    reply = make("coder").invoke("Sum 1, 2", config={"callbacks": [handler]})
    assert reply.content
    assert _statuses(handler.seen, "code_interpreter_call") == []
