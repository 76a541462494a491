"""The neutral output items: one small tagged type per wire item, and the one function that maps them.

:func:`parse_output_item` is the only place that knows item shapes (docs/protocol.md, "Output
items"); the non-streaming path and the stream accumulator both use it. Every item keeps the wire
object whole in ``raw``. A field of the wrong type reads as absent (the wire value stays in
``raw``); an item type this version does not model becomes :class:`OtherItem`, never dropped.

The items of tools live in :mod:`foundry_agents.tool_items` (re-exported here): typed server-tool
items (image generation, code interpreter, file/web/memory search) subclass
:class:`ServerToolCallItem`, so ``isinstance(item, ServerToolCallItem)`` still finds every tool the
service ran. :class:`ComputerCallItem` and :class:`OAuthConsentRequestItem` are not server tools:
they are work the caller must do before the agent can go on (:data:`PENDING_ITEM_TYPES`).

Example:
    >>> item = parse_output_item({"type": "image_generation_call", "id": "ig_1", "status": "completed",
    ...                           "result": "aGk=", "output_format": "webp"})
    >>> type(item).__name__, item.mime_type, item.image_bytes()
    ('ImageGenerationCallItem', 'image/webp', b'hi')
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._wire import _int, _list, _str
from .reference import AgentRef
from .tool_items import (
    TOOL_ITEM_PARSERS,
    CodeInterpreterCallItem,
    CodeInterpreterImage,
    CodeInterpreterLogs,
    ComputerCallItem,
    FileSearchCallItem,
    FileSearchResult,
    ImageGenerationCallItem,
    MemoryRecord,
    MemorySearchCallItem,
    OAuthConsentRequestItem,
    ServerToolCallItem,
    WebSearchCallItem,
)

__all__ = [
    "PENDING_ITEM_TYPES",
    "Annotation",
    "CodeInterpreterCallItem",
    "CodeInterpreterImage",
    "CodeInterpreterLogs",
    "ComputerCallItem",
    "FileSearchCallItem",
    "FileSearchResult",
    "FunctionCallItem",
    "GeneratedFile",
    "ImageGenerationCallItem",
    "McpApprovalRequestItem",
    "MemoryRecord",
    "MemorySearchCallItem",
    "MessageItem",
    "OAuthConsentRequestItem",
    "OtherItem",
    "OutputItem",
    "OutputText",
    "ReasoningItem",
    "Refusal",
    "ServerToolCallItem",
    "StructuredOutputsItem",
    "WebSearchCallItem",
    "WorkflowActionItem",
    "parse_annotation",
    "parse_output_item",
]


def _agent_of(raw: Mapping[str, Any]) -> AgentRef | None:
    ref = raw.get("agent_reference") or raw.get("agent")  # "agent" in the preview dialect
    if not isinstance(ref, Mapping) or not ref.get("name"):
        return None
    version = ref.get("version")
    name = str(ref["name"])
    version = str(version) if version not in (None, "") else None
    try:
        return AgentRef(name, version)
    except ValueError:
        return None



# -- message content -------------------------------------------------------------------------------
@dataclass(slots=True)
class Annotation:
    """A citation on output text: ``url_citation``, ``file_citation``, ``container_file_citation``, ``file_path``.

    A ``container_file_citation`` names a file code interpreter wrote (``container_id`` and
    ``file_id``, downloadable); a ``file_path`` names a file by ``file_id`` and ``index``.
    """

    type: str
    url: str | None = None
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    file_id: str | None = None
    filename: str | None = None
    index: int | None = None
    container_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_annotation(raw: Mapping[str, Any]) -> Annotation:
    return Annotation(
        type=str(raw.get("type", "")),
        url=_str(raw.get("url")),
        title=_str(raw.get("title")),
        start_index=_int(raw.get("start_index")),
        end_index=_int(raw.get("end_index")),
        file_id=_str(raw.get("file_id")),
        filename=_str(raw.get("filename")),
        index=_int(raw.get("index")),
        container_id=_str(raw.get("container_id")),
        raw=dict(raw),
    )


@dataclass(slots=True)
class OutputText:
    text: str
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(slots=True)
class Refusal:
    refusal: str


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """A file the agent made (code interpreter), as a citation or an output names it.

    ``container_id`` is set for a file inside a code interpreter container (download it from the
    container); without it ``file_id`` is a plain uploaded file.
    """

    file_id: str
    container_id: str | None = None
    filename: str | None = None


# -- items -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class MessageItem:
    """An assistant message. ``content`` holds :class:`OutputText`, :class:`Refusal`, or raw dicts."""

    id: str | None
    role: str = "assistant"
    status: str | None = None
    content: list[OutputText | Refusal | dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "message"

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.content if isinstance(p, OutputText))

    @property
    def annotations(self) -> list[Annotation]:
        return [a for p in self.content if isinstance(p, OutputText) for a in p.annotations]

    @property
    def agent(self) -> AgentRef | None:
        """The agent that wrote this message (``agent_reference`` on the item), when it says.

        In a workflow agent's output each inner agent's message names that inner agent.
        """
        return _agent_of(self.raw)


@dataclass(slots=True)
class FunctionCallItem:
    """A client-side function call the caller must run and answer with ``function_call_output``."""

    id: str | None
    call_id: str
    name: str
    arguments: str
    status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "function_call"

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; raises ``ValueError`` naming the call when they are not a JSON object."""
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"arguments of function call {self.name!r} ({self.call_id}) are not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise ValueError(f"arguments of function call {self.name!r} ({self.call_id}) are not a JSON object")
        return value


@dataclass(slots=True)
class ReasoningItem:
    id: str | None
    summary: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "reasoning"

    @property
    def text(self) -> str:
        return "\n\n".join(self.summary)


@dataclass(slots=True)
class McpApprovalRequestItem:
    """An MCP tool call waiting for the caller's approval (answer with an approval response)."""

    id: str
    server_label: str | None
    name: str | None
    arguments: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "mcp_approval_request"


@dataclass(slots=True)
class StructuredOutputsItem:
    """A structured output captured during the response (Foundry-only ``structured_outputs``); ``output`` is JSON."""

    id: str | None
    output: Any = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "structured_outputs"


@dataclass(slots=True)
class WorkflowActionItem:
    """One step of a workflow agent (``workflow_action``): which action, of what kind, and its status.

    ``action_kind`` is the wire field ``kind`` (the workflow's action type, e.g. ``InvokeAzureAgent``);
    ``status`` is ``in_progress``, ``completed``, ``failed`` or ``cancelled``. A workflow agent
    streams these between its inner agents' messages (docs/protocol.md, "Workflow actions").
    """

    id: str | None
    action_id: str | None
    action_kind: str | None = None
    status: str | None = None
    parent_action_id: str | None = None
    previous_action_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "workflow_action"

    @property
    def agent(self) -> AgentRef | None:
        """The agent the item names (``agent_reference``): the workflow agent itself."""
        return _agent_of(self.raw)

    @property
    def invoked_agent(self) -> str | None:
        """The inner agent an ``InvokeAzureAgent`` action runs, when the item names it (``agent.name``)."""
        target = self.raw.get("agent")
        return _str(target.get("name")) if isinstance(target, Mapping) else None

    def summary(self) -> dict[str, Any]:
        """The action as a small JSON-ready dict: what both adapters put in their events."""
        out = {"item_id": self.id, "action_id": self.action_id, "kind": self.action_kind, "status": self.status,
               "parent_action_id": self.parent_action_id, "previous_action_id": self.previous_action_id,
               "agent_name": self.invoked_agent}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(slots=True)
class OtherItem:
    """An item type this version does not model (kept whole in ``raw``)."""

    type: str
    id: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


OutputItem = (
    MessageItem | FunctionCallItem | ReasoningItem | McpApprovalRequestItem | OAuthConsentRequestItem
    | ComputerCallItem | ServerToolCallItem | StructuredOutputsItem | WorkflowActionItem | OtherItem
)

#: Item types that mean the caller has work to do before the agent can go on.
PENDING_ITEM_TYPES = frozenset({"function_call", "mcp_approval_request", "oauth_consent_request", "computer_call"})


# -- parsers: one per item type, dispatched by table ----------------------------------------------
def _content_part(raw: Any) -> OutputText | Refusal | dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {"type": "unknown", "value": raw}
    kind = raw.get("type")
    if kind == "output_text":
        return OutputText(str(raw.get("text") or ""),
                          [parse_annotation(a) for a in _list(raw.get("annotations")) if isinstance(a, Mapping)])
    if kind == "refusal":
        return Refusal(str(raw.get("refusal") or ""))
    return dict(raw)


def _message(raw: dict[str, Any]) -> MessageItem:
    content = raw.get("content")
    return MessageItem(id=_str(raw.get("id")), role=_str(raw.get("role")) or "assistant", status=_str(raw.get("status")),
                       content=[_content_part(p) for p in content] if isinstance(content, list) else [],
                       raw=raw)


def _function_call(raw: dict[str, Any]) -> FunctionCallItem:
    args = raw.get("arguments")
    return FunctionCallItem(id=_str(raw.get("id")), call_id=str(raw.get("call_id") or raw.get("id") or ""),
                            name=str(raw.get("name") or ""),
                            arguments=args if isinstance(args, str) else json.dumps(args or {}),
                            status=_str(raw.get("status")), raw=raw)


def _reasoning(raw: dict[str, Any]) -> ReasoningItem:
    summary = [str(s.get("text", "")) if isinstance(s, Mapping) else str(s) for s in _list(raw.get("summary"))]
    return ReasoningItem(id=_str(raw.get("id")), summary=summary, raw=raw)


def _approval(raw: dict[str, Any]) -> McpApprovalRequestItem:
    return McpApprovalRequestItem(id=str(raw.get("id") or ""), server_label=_str(raw.get("server_label")),
                                  name=_str(raw.get("name")), arguments=_str(raw.get("arguments")), raw=raw)


def _structured_outputs(raw: dict[str, Any]) -> StructuredOutputsItem:
    return StructuredOutputsItem(id=_str(raw.get("id")), output=raw.get("output"), raw=raw)


def _workflow_action(raw: dict[str, Any]) -> WorkflowActionItem:
    return WorkflowActionItem(id=_str(raw.get("id")), action_id=_str(raw.get("action_id")),
                              action_kind=_str(raw.get("kind")), status=_str(raw.get("status")),
                              parent_action_id=_str(raw.get("parent_action_id")),
                              previous_action_id=_str(raw.get("previous_action_id")), raw=raw)


_ITEM_PARSERS: dict[str, Callable[[dict[str, Any]], OutputItem]] = {
    "message": _message,
    "function_call": _function_call,
    "reasoning": _reasoning,
    "mcp_approval_request": _approval,
    "structured_outputs": _structured_outputs,
    "workflow_action": _workflow_action,
    **TOOL_ITEM_PARSERS,
}


def _is_server_tool(kind: str) -> bool:
    return kind.endswith("_call") or kind.endswith("_call_output") or kind == "mcp_list_tools"


def parse_output_item(raw: Mapping[str, Any]) -> OutputItem:
    """Map one wire output item to its neutral type (pure, never raises on unknown shapes)."""
    if not isinstance(raw, Mapping):
        return OtherItem(type="unknown", id=None, raw={"value": raw})
    data = dict(raw)
    kind = str(data.get("type") or "")
    parser = _ITEM_PARSERS.get(kind)
    if parser is not None:
        return parser(data)
    if _is_server_tool(kind):
        return ServerToolCallItem(type=kind, id=_str(data.get("id")), status=_str(data.get("status")), raw=data)
    return OtherItem(type=kind or "unknown", id=_str(data.get("id")), raw=data)
