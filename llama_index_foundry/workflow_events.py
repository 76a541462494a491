"""A Foundry workflow agent's actions as LlamaIndex events.

Each action update of a workflow agent (docs/protocol.md, "Workflow actions") reaches LlamaIndex
three ways, all carrying the same fields (``action_id``, ``kind``, ``status``,
``parent_action_id``, ``previous_action_id``, ``agent_name``, ``item_id``, ``output_index``):

- the instrumentation event :class:`FoundryWorkflowActionEvent`, dispatched by
  :class:`~llama_index_foundry.FoundryAgentLLM` (add a handler to
  ``llama_index.core.instrumentation.get_dispatcher()`` to see it): one per status change while
  streaming, one per ``workflow_action`` item of the response otherwise;
- in streams, a chunk whose ``additional_kwargs["workflow_action"]`` holds it, and the final
  message's ``additional_kwargs["workflow_actions"]``;
- for LlamaIndex workflows, :class:`WorkflowActionEvent`, a workflow ``Event`` a step can put on
  the workflow's stream: ``ctx.write_event_to_stream(WorkflowActionEvent.from_chunk(chunk))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events.base import BaseEvent
from llama_index.core.workflow import Event

__all__ = ["FoundryWorkflowActionEvent", "WorkflowActionEvent", "dispatch_actions"]

dispatcher = get_dispatcher(__name__)


class FoundryWorkflowActionEvent(BaseEvent):
    """Instrumentation event: a Foundry workflow agent's action started, finished or failed."""

    action_id: str | None = None
    kind: str | None = None
    status: str | None = None
    parent_action_id: str | None = None
    previous_action_id: str | None = None
    agent_name: str | None = None
    item_id: str | None = None
    output_index: int | None = None

    @classmethod
    def class_name(cls) -> str:
        return "FoundryWorkflowActionEvent"


class WorkflowActionEvent(Event):
    """The same action update as a LlamaIndex workflow event (for ``ctx.write_event_to_stream``)."""

    action_id: str | None = None
    kind: str | None = None
    status: str | None = None
    parent_action_id: str | None = None
    previous_action_id: str | None = None
    agent_name: str | None = None
    item_id: str | None = None
    output_index: int | None = None

    @classmethod
    def from_chunk(cls, chunk: Any) -> WorkflowActionEvent | None:
        """The action a stream chunk reports (``None`` for other chunks)."""
        data = getattr(getattr(chunk, "message", None), "additional_kwargs", {}).get("workflow_action")
        return cls(**data) if isinstance(data, Mapping) else None


def dispatch_actions(actions: Iterable[Mapping[str, Any]]) -> None:
    """Send each action as a :class:`FoundryWorkflowActionEvent` to the instrumentation handlers."""
    for data in actions:
        dispatcher.event(FoundryWorkflowActionEvent(**data))
