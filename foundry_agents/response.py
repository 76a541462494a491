"""The neutral response model: one final object for streamed and non-streamed calls.

:func:`parse_response` maps a wire ``response`` object (docs/protocol.md, "Response object and
pending work") to :class:`AgentResponse`; its output items are mapped by
:func:`~foundry_agents.items.parse_output_item` (module :mod:`foundry_agents.items`, whose names are
re-exported here), used by the non-streaming path and the stream accumulator alike. Unknown item
types and fields are kept (``raw``), never dropped and never fatal: a field of the wrong type reads
as absent (the wire value stays in ``raw``). Only a response that is not a JSON object at all raises
(:class:`~foundry_agents.errors.UnexpectedResponseError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._wire import _int, _str
from .errors import ResponseFailedError, StreamResponseFailedError, UnexpectedResponseError
from .headers import ResponseHeaders
from .items import (
    PENDING_ITEM_TYPES,
    Annotation,
    CodeInterpreterCallItem,
    CodeInterpreterImage,
    CodeInterpreterLogs,
    ComputerCallItem,
    FileSearchCallItem,
    FileSearchResult,
    FunctionCallItem,
    GeneratedFile,
    ImageGenerationCallItem,
    McpApprovalRequestItem,
    MemoryRecord,
    MemorySearchCallItem,
    MessageItem,
    OAuthConsentRequestItem,
    OtherItem,
    OutputItem,
    OutputText,
    ReasoningItem,
    Refusal,
    ServerToolCallItem,
    StructuredOutputsItem,
    WebSearchCallItem,
    WorkflowActionItem,
    _agent_of,
    parse_annotation,
    parse_output_item,
)
from .reference import AgentRef
from .usage import Usage, parse_usage

__all__ = [
    "PENDING_ITEM_TYPES",
    "AgentResponse",
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
    "failed_error",
    "parse_annotation",
    "parse_output_item",
    "parse_response",
]


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
    def oauth_consent_requests(self) -> list[OAuthConsentRequestItem]:
        """MCP tools waiting for the user's OAuth consent: open each ``consent_link``, then send the turn again."""
        return [i for i in self.output if isinstance(i, OAuthConsentRequestItem)]

    @property
    def computer_calls(self) -> list[ComputerCallItem]:
        """Computer-use actions the caller must do and answer with a screenshot."""
        return [i for i in self.output if isinstance(i, ComputerCallItem)]

    @property
    def images(self) -> list[ImageGenerationCallItem]:
        """Images the image generation tool made, in output order."""
        return [i for i in self.output if isinstance(i, ImageGenerationCallItem)]

    @property
    def generated_files(self) -> list[GeneratedFile]:
        """Files the agent made, once each: those its text cites (``container_file_citation``,
        ``file_path``) and images code interpreter output by file id."""
        found: dict[tuple[str | None, str], GeneratedFile] = {}
        for a in self.annotations:
            if a.type in ("container_file_citation", "file_path") and a.file_id:
                known = found.get((a.container_id, a.file_id))
                if known is None or (known.filename is None and a.filename):
                    found[(a.container_id, a.file_id)] = GeneratedFile(a.file_id, a.container_id, a.filename)
        for item in self.output:
            if isinstance(item, CodeInterpreterCallItem):
                for image in item.images:
                    if image.file_id and (item.container_id, image.file_id) not in found:
                        found[(item.container_id, image.file_id)] = GeneratedFile(image.file_id, item.container_id)
        return list(found.values())

    @property
    def pending_items(self) -> list[OutputItem]:
        """Everything the caller must act on: function calls, approval requests, OAuth consent, computer calls.

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
