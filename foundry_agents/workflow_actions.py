"""A workflow agent's output, as the adapters report it (docs/protocol.md, "Workflow actions").

One place for what both adapters' events carry: :func:`workflow_action_event` per action update
(:meth:`~foundry_agents.response.WorkflowActionItem.summary` plus the item's ``output_index``), and
:func:`inner_agent_name`, which inner agent wrote a message.
"""

from __future__ import annotations

from typing import Any

from .reference import AgentRef
from .response import AgentResponse, MessageItem, OutputItem, WorkflowActionItem

__all__ = ["inner_agent_name", "workflow_action_event", "workflow_action_events"]


def inner_agent_name(item: OutputItem, agent: AgentRef | None) -> str | None:
    """The inner agent that wrote a message of a workflow agent's response whose agent is ``agent``.

    ``None`` for other items and for messages of the agent called itself.
    """
    ref = item.agent if isinstance(item, MessageItem) else None
    if ref is None or (agent is not None and ref.name == agent.name):
        return None
    return ref.name


def workflow_action_event(action: WorkflowActionItem, output_index: int) -> dict[str, Any]:
    """What the adapters' workflow-action events carry: :meth:`WorkflowActionItem.summary` and the item's index."""
    return {**action.summary(), "output_index": output_index}


def workflow_action_events(response: AgentResponse) -> list[dict[str, Any]]:
    """The event data of every action of a complete response, in order (what a non-streamed call reports)."""
    return [workflow_action_event(i, n) for n, i in enumerate(response.output) if isinstance(i, WorkflowActionItem)]
