"""Output items of tools: what the service ran itself, and what it asks the caller's side to do.

:class:`ServerToolCallItem` is any tool the service ran; the tools with a known shape have a typed
subclass (image generation, code interpreter, file, web and memory search). :class:`ComputerCallItem`
and :class:`OAuthConsentRequestItem` are not server tools but pending work for the caller. Each has
one parser in :data:`TOOL_ITEM_PARSERS`, which :func:`foundry_agents.items.parse_output_item`
dispatches to (docs/protocol.md, "Output items"); every name is re-exported by :mod:`foundry_agents.items`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._wire import _dict, _float, _list, _str
from .errors import UnexpectedResponseError

__all__ = [
    "TOOL_ITEM_PARSERS",
    "CodeInterpreterCallItem",
    "CodeInterpreterImage",
    "CodeInterpreterLogs",
    "ComputerCallItem",
    "FileSearchCallItem",
    "FileSearchResult",
    "ImageGenerationCallItem",
    "MemoryRecord",
    "MemorySearchCallItem",
    "OAuthConsentRequestItem",
    "ServerToolCallItem",
    "WebSearchCallItem",
]


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



TOOL_ITEM_PARSERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "oauth_consent_request": _oauth_consent,
    "computer_call": _computer_call,
    "image_generation_call": _image_generation,
    "code_interpreter_call": _code_interpreter,
    "file_search_call": _file_search,
    "web_search_call": _web_search,
    "memory_search_call": _memory_search,
}
