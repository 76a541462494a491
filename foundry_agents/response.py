"""The neutral response model: one final object for streamed and non-streamed calls.

:func:`parse_response` maps a wire ``response`` object (docs/protocol.md, "Response object and
pending work") to :class:`AgentResponse`;
:func:`parse_output_item` maps one output item and is the only place that knows item shapes, used
by the non-streaming path and the stream accumulator alike. Unknown item types and fields are
kept (``raw``), never dropped and never fatal: a field of the wrong type reads as absent (the wire
value stays in ``raw``). Only a response that is not a JSON object at all raises
(:class:`~foundry_agents.errors.UnexpectedResponseError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ResponseFailedError, StreamResponseFailedError, UnexpectedResponseError
from .headers import ResponseHeaders
from .reference import AgentRef
from .usage import Usage, parse_usage

__all__ = [
    "AgentResponse",
    "Annotation",
    "FunctionCallItem",
    "McpApprovalRequestItem",
    "MessageItem",
    "OtherItem",
    "OutputItem",
    "OutputText",
    "ReasoningItem",
    "Refusal",
    "ServerToolCallItem",
    "WorkflowActionItem",
    "parse_annotation",
    "parse_output_item",
    "failed_error",
    "parse_response",
]


@dataclass(slots=True)
class Annotation:
    """A citation on output text: ``url_citation``, ``file_citation``, ``container_file_citation``, ``file_path``."""

    type: str
    url: str | None = None
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    file_id: str | None = None
    filename: str | None = None
    index: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def _str(value: Any) -> str | None:
    """A wire string field: the string, or ``None`` when absent or of another type."""
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
        raw=dict(raw),
    )


@dataclass(slots=True)
class OutputText:
    text: str
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(slots=True)
class Refusal:
    refusal: str


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
class ServerToolCallItem:
    """A tool the service ran itself (web/file search, code interpreter, MCP, Bing, ...), or its output."""

    type: str
    id: str | None
    status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str | None:
        return self.raw.get("name")

    @property
    def arguments(self) -> Any:
        return self.raw.get("arguments", self.raw.get("action", self.raw.get("queries")))

    @property
    def output(self) -> Any:
        return self.raw.get("output", self.raw.get("results", self.raw.get("outputs")))


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
    MessageItem | FunctionCallItem | ReasoningItem | McpApprovalRequestItem | ServerToolCallItem
    | WorkflowActionItem | OtherItem
)

#: Item types that mean the caller has work to do before the agent can go on.
PENDING_ITEM_TYPES = frozenset({"function_call", "mcp_approval_request", "oauth_consent_request"})


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
    "workflow_action": _workflow_action,
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


@dataclass(slots=True)
class AgentResponse:
    """The outcome of one agent call, identical whether it was streamed or not.

    Example:
        >>> r = parse_response({"id": "resp_1", "status": "completed", "model": "gpt-4o",
        ...     "output": [{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}],
        ...     "agent_reference": {"type": "agent_reference", "name": "echo", "version": "2"}})
        >>> r.output_text, str(r.agent)
        ('Hi', 'echo:2')
    """

    id: str
    status: str
    model: str | None = None
    agent: AgentRef | None = None
    conversation_id: str | None = None
    previous_response_id: str | None = None
    output: list[OutputItem] = field(default_factory=list)
    usage: Usage | None = None
    error: dict[str, Any] | None = None
    incomplete_reason: str | None = None
    created_at: int | None = None
    request_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    #: A hosted agent's session (top-level ``agent_session_id``): send it back to reach the same session.
    agent_session_id: str | None = None
    #: Request id, region and rate limits from the HTTP answer (``None`` when built from JSON alone).
    headers: ResponseHeaders | None = field(default=None, repr=False)

    @property
    def output_text(self) -> str:
        """All assistant text, messages joined in order."""
        return "".join(i.text for i in self.output if isinstance(i, MessageItem))

    @property
    def messages(self) -> list[MessageItem]:
        return [i for i in self.output if isinstance(i, MessageItem)]

    @property
    def function_calls(self) -> list[FunctionCallItem]:
        return [i for i in self.output if isinstance(i, FunctionCallItem)]

    @property
    def approval_requests(self) -> list[McpApprovalRequestItem]:
        """MCP approval requests in this response that still wait for an answer."""
        answered = {_str(i.raw.get("approval_request_id")) for i in self.output if i.type == "mcp_call"}
        return [i for i in self.output if isinstance(i, McpApprovalRequestItem) and i.id not in answered]

    @property
    def pending_items(self) -> list[OutputItem]:
        """Everything the caller must act on: function calls, approval requests, OAuth consent.

        A response with pending work still has status ``completed`` (docs/protocol.md, "Response
        object and pending work").
        """
        approvals = {a.id for a in self.approval_requests}
        return [i for i in self.output if i.type in PENDING_ITEM_TYPES
                and (i.type != "mcp_approval_request" or i.id in approvals)]

    @property
    def workflow_actions(self) -> list[WorkflowActionItem]:
        """A workflow agent's action updates, in the order they happened."""
        return [i for i in self.output if isinstance(i, WorkflowActionItem)]

    @property
    def reasoning(self) -> list[ReasoningItem]:
        return [i for i in self.output if isinstance(i, ReasoningItem)]

    @property
    def annotations(self) -> list[Annotation]:
        return [a for m in self.messages for a in m.annotations]

    @property
    def model_name(self) -> str:
        """The agent's model, or ``name:version`` when the service sends none."""
        if self.model:
            return self.model
        return str(self.agent) if self.agent else ""


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


def _conversation_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def parse_response(raw: Mapping[str, Any], *, request_id: str | None = None) -> AgentResponse:
    """Map a wire ``response`` object to :class:`AgentResponse` (pure)."""
    if not isinstance(raw, Mapping):
        raise UnexpectedResponseError(f"a response must be a JSON object, got {type(raw).__name__}: {raw!r:.80}",
                                      code="unexpected_response", request_id=request_id, body=raw)
    data = dict(raw)
    output = data.get("output")
    incomplete = data.get("incomplete_details")
    error = data.get("error")
    return AgentResponse(
        id=str(data.get("id") or ""),
        status=str(data.get("status") or ""),
        model=_str(data.get("model")) or None,
        agent=_agent_of(data),
        conversation_id=_conversation_id(data.get("conversation")),
        previous_response_id=_str(data.get("previous_response_id")),
        output=[parse_output_item(i) for i in output if isinstance(i, Mapping)] if isinstance(output, list) else [],
        usage=parse_usage(data.get("usage")),
        error=dict(error) if isinstance(error, Mapping) else None,
        incomplete_reason=_str(incomplete.get("reason")) if isinstance(incomplete, Mapping) else None,
        created_at=_int(data.get("created_at")),
        request_id=request_id,
        raw=data,
        agent_session_id=_str(data.get("agent_session_id")) or None,
    )


def failed_error(response: AgentResponse, *, status_code: int | None = None,
                 streamed: bool = False) -> ResponseFailedError:
    """The error for a response whose status is ``failed``, carrying it whole:
    :class:`StreamResponseFailedError` (also a ``StreamError``) when it came in a stream."""
    error = response.error or {}
    cls = StreamResponseFailedError if streamed else ResponseFailedError
    err = cls(
        str(error.get("message") or "the response failed"),
        status_code=status_code,
        code=_str(error.get("code")) or "response_failed",
        request_id=response.request_id,
        body=response.raw,
    )
    err.response = err.partial_response = response
    return err
