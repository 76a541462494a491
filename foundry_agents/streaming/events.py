"""The neutral stream events: what a stream yields, one small tagged type per kind of delta.

Every event carries what the adapters need to build their framework's chunk; the last event of
a stream is always :class:`ResponseDone` with the same final response a non-streaming call returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..response import (
    AgentResponse,
    Annotation,
    OutputItem,
    WorkflowActionItem,
)
from ..workflow_actions import workflow_action_event

__all__ = [
    "AnnotationAdded",
    "CodeDelta",
    "FunctionCallDelta",
    "ImagePartial",
    "ItemAdded",
    "ItemDone",
    "ReasoningDelta",
    "RefusalDelta",
    "ResponseDone",
    "ResponseStarted",
    "StreamEvent",
    "TextDelta",
    "ToolCallProgress",
    "WorkflowActionUpdated",
]


@dataclass(slots=True)
class ResponseStarted:
    """The service accepted the request (``response.created``)."""

    response: AgentResponse


@dataclass(slots=True)
class ItemAdded:
    output_index: int
    item: OutputItem


@dataclass(slots=True)
class TextDelta:
    delta: str
    output_index: int
    content_index: int
    item_id: str | None = None


@dataclass(slots=True)
class FunctionCallDelta:
    """Arguments of a function call, piece by piece. The first delta of a call has ``first=True``
    (and an empty ``delta``); every delta names the call."""

    delta: str
    output_index: int
    call_id: str
    name: str
    item_id: str | None = None
    first: bool = False


@dataclass(slots=True)
class ReasoningDelta:
    delta: str
    output_index: int
    summary_index: int
    item_id: str | None = None


@dataclass(slots=True)
class RefusalDelta:
    """Refusal text, piece by piece (the final message holds it as a ``Refusal`` part)."""

    delta: str
    output_index: int
    content_index: int
    item_id: str | None = None


@dataclass(slots=True)
class AnnotationAdded:
    annotation: Annotation
    output_index: int
    content_index: int
    item_id: str | None = None


@dataclass(slots=True)
class ItemDone:
    """An output item is complete (any type, unknown ones included)."""

    output_index: int
    item: OutputItem


@dataclass(slots=True)
class WorkflowActionUpdated:
    """A workflow agent's action started, finished or failed: one event per status change.

    Sent next to the :class:`ItemAdded` / :class:`ItemDone` of a ``workflow_action`` item, once per
    item and again only when the item's ``done`` form changes its status, so a consumer sees each
    action start and complete in stream order without duplicates.
    """

    action: WorkflowActionItem
    output_index: int

    def data(self) -> dict[str, Any]:
        """What the adapters' events carry (:func:`~foundry_agents.workflow_actions.workflow_action_event`)."""
        return workflow_action_event(self.action, self.output_index)


@dataclass(slots=True)
class ImagePartial:
    """A partial image while the image generation tool works (base64 ``b64``, ``index`` from 0).

    The final image is the item's ``result_b64`` in :class:`ItemDone` and the final response.
    """

    output_index: int
    item_id: str | None
    index: int
    b64: str
    output_format: str | None = None


@dataclass(slots=True)
class CodeDelta:
    """Code interpreter's code, piece by piece (the item in :class:`ItemDone` holds it whole)."""

    output_index: int
    item_id: str | None
    delta: str


@dataclass(slots=True)
class ToolCallProgress:
    """A tool the service runs changed status: ``item_type`` (``web_search_call``, ``mcp_call``, ...)
    is ``in_progress``, ``searching``, ``interpreting``, ``generating``, ``completed`` or ``failed``."""

    output_index: int
    item_id: str | None
    item_type: str
    status: str


@dataclass(slots=True)
class ResponseDone:
    """The terminal event: the final response (status completed or incomplete)."""

    response: AgentResponse


StreamEvent = (
    ResponseStarted | ItemAdded | TextDelta | RefusalDelta | FunctionCallDelta | ReasoningDelta | AnnotationAdded
    | WorkflowActionUpdated | ImagePartial | CodeDelta | ToolCallProgress | ItemDone | ResponseDone
)
