"""The neutral output items: one small tagged type per wire item, and the one function that maps them.

:func:`parse_output_item` is the only place that knows item shapes (docs/protocol.md, "Output
items"); the non-streaming path and the stream accumulator both use it. Every item keeps the wire
object whole in ``raw``. A field of the wrong type reads as absent (the wire value stays in
``raw``); an item type this version does not model becomes :class:`OtherItem`, never dropped.

Typed server-tool items (image generation, code interpreter, file/web/memory search) subclass
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

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import UnexpectedResponseError
from .reference import AgentRef

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


# -- reading wire fields: the wrong type reads as absent -------------------------------------------
def _str(value: Any) -> str | None:
    """A wire string field: the string, or ``None`` when absent or of another type."""
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


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
class OAuthConsentRequestItem:
    """An MCP tool needs the user's OAuth consent first (Foundry-only ``oauth_consent_request``).

    Open ``consent_link`` in a browser and sign in; then send the same turn again, chained with
    ``previous_response_id`` (no answer item is needed). Pending work, like an approval request.
    """

    id: str | None
    consent_link: str | None
    server_label: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "oauth_consent_request"


@dataclass(slots=True)
class ComputerCallItem:
    """The computer-use tool asks the caller to act (click, type, screenshot, ...): pending client work.

    Do ``action`` and answer with a :class:`~foundry_agents.messages.ComputerCallOutputPart`
    (a screenshot) for ``call_id``, acknowledging any ``pending_safety_checks`` you accept.
    """

    id: str | None
    call_id: str
    action: dict[str, Any] | None = None
    pending_safety_checks: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    type: str = "computer_call"

    @property
    def actions(self) -> list[dict[str, Any]]:
        """Every action asked for: the batched ``actions`` list when sent, else the one ``action``."""
        batch = [dict(a) for a in _list(self.raw.get("actions")) if isinstance(a, Mapping)]
        return batch or ([self.action] if self.action is not None else [])


@dataclass(slots=True)
class ServerToolCallItem:
    """A tool the service ran itself (web/file search, code interpreter, MCP, Bing, ...), or its output.

    Tools with a typed shape have a subclass (:class:`ImageGenerationCallItem`, ...); the rest are
    this class with everything in ``raw``.
    """

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


_MIME_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


@dataclass(slots=True, kw_only=True)
class ImageGenerationCallItem(ServerToolCallItem):
    """An image the image generation tool made: base64 in ``result_b64`` (``None`` until it is done)."""

    type: str = "image_generation_call"
    result_b64: str | None = None
    output_format: str | None = None
    revised_prompt: str | None = None

    @property
    def mime_type(self) -> str:
        """``image/png`` unless ``output_format`` says ``jpeg`` or ``webp``."""
        return _MIME_TYPES.get((self.output_format or "png").lower(), "image/png")

    def image_bytes(self) -> bytes | None:
        """The decoded image, or ``None`` without a result; raises
        :class:`~foundry_agents.errors.UnexpectedResponseError` when the result is not base64."""
        if self.result_b64 is None:
            return None
        try:
            return base64.b64decode(self.result_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UnexpectedResponseError(f"image generation call {self.id} has a result that is not base64: {exc}",
                                          code="unexpected_response") from None


@dataclass(frozen=True, slots=True)
class CodeInterpreterLogs:
    logs: str
    type: str = "logs"


@dataclass(frozen=True, slots=True)
class CodeInterpreterImage:
    """An image code interpreter showed: by ``url``, and by ``file_id`` when the output names its file."""

    url: str | None
    file_id: str | None = None
    type: str = "image"


@dataclass(slots=True, kw_only=True)
class CodeInterpreterCallItem(ServerToolCallItem):
    """Code the code interpreter ran in ``container_id``, and what it printed or drew."""

    type: str = "code_interpreter_call"
    container_id: str | None = None
    code: str | None = None
    outputs: list[CodeInterpreterLogs | CodeInterpreterImage] = field(default_factory=list)

    @property
    def logs(self) -> str:
        """Every ``logs`` output, joined by newlines."""
        return "\n".join(o.logs for o in self.outputs if isinstance(o, CodeInterpreterLogs))

    @property
    def images(self) -> list[CodeInterpreterImage]:
        return [o for o in self.outputs if isinstance(o, CodeInterpreterImage)]


@dataclass(frozen=True, slots=True)
class FileSearchResult:
    file_id: str | None
    filename: str | None = None
    score: float | None = None
    text: str | None = None
    attributes: dict[str, Any] | None = None


@dataclass(slots=True, kw_only=True)
class FileSearchCallItem(ServerToolCallItem):
    """A file search: its ``queries`` and, when ``include=["file_search_call.results"]`` asked, ``results``."""

    type: str = "file_search_call"
    queries: list[str] = field(default_factory=list)
    results: list[FileSearchResult] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class WebSearchCallItem(ServerToolCallItem):
    """A web search; ``action`` says what it did (``search``, ``open_page`` or ``find``)."""

    type: str = "web_search_call"
    action: dict[str, Any] | None = None

    @property
    def query(self) -> str | None:
        """The search's query (``action.query``, or the first of ``action.queries``)."""
        action = self.action or {}
        queries = [q for q in _list(action.get("queries")) if isinstance(q, str)]
        return _str(action.get("query")) or (queries[0] if queries else None)

    @property
    def url(self) -> str | None:
        return _str((self.action or {}).get("url"))


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """One memory a memory search recalled (``kind``: e.g. ``user_profile``, ``chat_summary``)."""

    memory_id: str | None
    content: str | None = None
    kind: str | None = None
    scope: str | None = None
    updated_at: Any = None


@dataclass(slots=True, kw_only=True)
class MemorySearchCallItem(ServerToolCallItem):
    """A memory search (Foundry-only ``memory_search_call``) and the memories it recalled."""

    type: str = "memory_search_call"
    memories: list[MemoryRecord] = field(default_factory=list)


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


def _oauth_consent(raw: dict[str, Any]) -> OAuthConsentRequestItem:
    return OAuthConsentRequestItem(id=_str(raw.get("id")), consent_link=_str(raw.get("consent_link")),
                                   server_label=_str(raw.get("server_label")), raw=raw)


def _computer_call(raw: dict[str, Any]) -> ComputerCallItem:
    checks = [dict(c) for c in _list(raw.get("pending_safety_checks")) if isinstance(c, Mapping)]
    return ComputerCallItem(id=_str(raw.get("id")), call_id=_str(raw.get("call_id")) or "",
                            action=_dict(raw.get("action")), pending_safety_checks=checks,
                            status=_str(raw.get("status")), raw=raw)


def _image_generation(raw: dict[str, Any]) -> ImageGenerationCallItem:
    return ImageGenerationCallItem(id=_str(raw.get("id")), status=_str(raw.get("status")), raw=raw,
                                   result_b64=_str(raw.get("result")), output_format=_str(raw.get("output_format")),
                                   revised_prompt=_str(raw.get("revised_prompt")))


def _code_output(raw: Mapping[str, Any]) -> CodeInterpreterLogs | CodeInterpreterImage | None:
    kind = raw.get("type")
    if kind == "logs" and isinstance(raw.get("logs"), str):
        return CodeInterpreterLogs(raw["logs"])
    if kind == "image":
        return CodeInterpreterImage(_str(raw.get("url")), _str(raw.get("file_id")))
    return None  # an output kind not modelled yet: still in raw["outputs"]


def _code_interpreter(raw: dict[str, Any]) -> CodeInterpreterCallItem:
    outputs = [_code_output(o) for o in _list(raw.get("outputs")) if isinstance(o, Mapping)]
    return CodeInterpreterCallItem(id=_str(raw.get("id")), status=_str(raw.get("status")), raw=raw,
                                   container_id=_str(raw.get("container_id")), code=_str(raw.get("code")),
                                   outputs=[o for o in outputs if o is not None])


def _file_search(raw: dict[str, Any]) -> FileSearchCallItem:
    results = [FileSearchResult(file_id=_str(r.get("file_id")), filename=_str(r.get("filename")),
                                score=_float(r.get("score")), text=_str(r.get("text")),
                                attributes=_dict(r.get("attributes")))
               for r in _list(raw.get("results")) if isinstance(r, Mapping)]
    return FileSearchCallItem(id=_str(raw.get("id")), status=_str(raw.get("status")), raw=raw,
                              queries=[q for q in _list(raw.get("queries")) if isinstance(q, str)], results=results)


def _web_search(raw: dict[str, Any]) -> WebSearchCallItem:
    return WebSearchCallItem(id=_str(raw.get("id")), status=_str(raw.get("status")), raw=raw,
                             action=_dict(raw.get("action")))


def _memory(raw: Mapping[str, Any]) -> MemoryRecord:
    return MemoryRecord(memory_id=_str(raw.get("memory_id")), content=_str(raw.get("content")),
                        kind=_str(raw.get("kind")), scope=_str(raw.get("scope")), updated_at=raw.get("updated_at"))


def _memory_search(raw: dict[str, Any]) -> MemorySearchCallItem:
    # Two shapes are published: results: [{memory_item: {...}}] and a flat memories: [{...}].
    found = [r.get("memory_item") for r in _list(raw.get("results")) if isinstance(r, Mapping)]
    found += _list(raw.get("memories"))
    return MemorySearchCallItem(id=_str(raw.get("id")), status=_str(raw.get("status")), raw=raw,
                                memories=[_memory(m) for m in found if isinstance(m, Mapping)])


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
    "oauth_consent_request": _oauth_consent,
    "computer_call": _computer_call,
    "image_generation_call": _image_generation,
    "code_interpreter_call": _code_interpreter,
    "file_search_call": _file_search,
    "web_search_call": _web_search,
    "memory_search_call": _memory_search,
    "structured_outputs": _structured_outputs,
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
