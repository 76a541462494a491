"""Conversations and agent definitions, as returned by the project's management routes.

The ``from_wire`` constructors read a field of the wrong type as absent (it stays in ``raw``); a
value that is not a JSON object where one is expected raises
:class:`~foundry_agents.errors.UnexpectedResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import UnexpectedResponseError

__all__ = ["COMPUTER_TOOL_TYPES", "Agent", "AgentSession", "AgentVersion", "Conversation", "ItemList", "next_after",
           "page_data"]

#: Tool types whose calls the caller does (``computer_call``), named as the OpenAI spec names them.
COMPUTER_TOOL_TYPES = frozenset({"computer_use_preview", "computer"})


def _object(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise UnexpectedResponseError(f"{what} must be a JSON object, got {type(raw).__name__}: {raw!r:.60}",
                                      code="unexpected_response", body=raw)
    return dict(raw)


def _map(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class Conversation:
    """A server-side conversation (``conv_...``): the service appends each turn's items to it."""

    id: str
    created_at: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Conversation:
        raw = _object(raw, "a conversation")
        return cls(id=str(raw.get("id") or ""), created_at=_int(raw.get("created_at")),
                   metadata=_map(raw.get("metadata")), raw=raw)


@dataclass(slots=True)
class ItemList:
    """A page of conversation items (raw wire items), newest first unless asked otherwise."""

    data: list[dict[str, Any]]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ItemList:
        raw = _object(raw, "an item list")
        return cls(data=[_object(i, "a conversation item") for i in _seq(raw.get("data"))],
                   has_more=raw.get("has_more") is True, first_id=_str(raw.get("first_id")),
                   last_id=_str(raw.get("last_id")))


@dataclass(slots=True)
class AgentVersion:
    """One version of an agent definition (``agent.version``)."""

    name: str
    version: str
    description: str = ""
    created_at: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    definition: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> AgentVersion:
        raw = _object(raw, "an agent version")
        return cls(name=str(raw.get("name") or ""), version=str(raw.get("version") or ""),
                   description=_str(raw.get("description")) or "", created_at=_int(raw.get("created_at")),
                   metadata=_map(raw.get("metadata")), definition=_map(raw.get("definition")),
                   raw=raw)

    @property
    def kind(self) -> str | None:
        return self.definition.get("kind")

    @property
    def model(self) -> str | None:
        return self.definition.get("model")

    @property
    def instructions(self) -> str | None:
        return self.definition.get("instructions")

    @property
    def tools(self) -> list[dict[str, Any]]:
        return [dict(t) for t in _seq(self.definition.get("tools")) if isinstance(t, Mapping)]

    @property
    def function_names(self) -> list[str]:
        """Names of the client-side function tools the agent declares."""
        return [str(t.get("name") or _map(t.get("function")).get("name") or "")
                for t in self.tools if t.get("type") == "function"]

    @property
    def computer_tool(self) -> dict[str, Any] | None:
        """The computer-use tool the agent declares (``computer_use_preview``, or ``computer`` in
        the newer spec), if any: its ``computer_call`` items are client work, answered with screenshots."""
        return next((t for t in self.tools if t.get("type") in COMPUTER_TOOL_TYPES), None)

    @property
    def output_format(self) -> dict[str, Any] | None:
        """The definition's ``text.format`` (e.g. a JSON schema), if any."""
        fmt = _map(self.definition.get("text")).get("format")
        return dict(fmt) if isinstance(fmt, Mapping) else None


@dataclass(slots=True)
class Agent:
    """An agent and its latest version."""

    name: str
    latest: AgentVersion | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Agent:
        raw = _object(raw, "an agent")
        latest = _map(raw.get("versions")).get("latest")
        return cls(name=str(raw.get("name") or raw.get("id") or ""),
                   latest=AgentVersion.from_wire(latest) if isinstance(latest, Mapping) else None,
                   raw=raw)


@dataclass(slots=True)
class AgentSession:
    """A hosted agent's session (``agent_session_id``): its sandbox and files, kept across calls.

    Wire shape (TypeSpec ``AgentSessionResource``): ``agent_session_id``, ``status`` (``active``,
    ``updating``, ``idle``, ``deleted``), ``version_indicator``, unix-second ``created_at``,
    ``last_accessed_at`` and ``expires_at``.
    """

    agent_session_id: str
    status: str | None = None
    version_indicator: dict[str, Any] = field(default_factory=dict)
    created_at: int | None = None
    last_accessed_at: int | None = None
    expires_at: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.agent_session_id

    @property
    def agent_version(self) -> str | None:
        return _str(self.version_indicator.get("agent_version"))

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> AgentSession:
        raw = _object(raw, "an agent session")
        return cls(agent_session_id=str(raw.get("agent_session_id") or raw.get("id") or ""),
                   status=_str(raw.get("status")), version_indicator=_map(raw.get("version_indicator")),
                   created_at=_int(raw.get("created_at")), last_accessed_at=_int(raw.get("last_accessed_at")),
                   expires_at=_int(raw.get("expires_at")), raw=raw)


def page_data(raw: Mapping[str, Any]) -> list[Any]:
    """The ``data`` of an OpenAI list envelope (``[]`` when absent or not a list)."""
    return _seq(_object(raw, "a list").get("data"))


def next_after(raw: Mapping[str, Any]) -> str | None:
    """The ``after`` cursor of the next page, or ``None`` when this page is the last.

    A page says ``has_more: true`` and names its ``last_id``; a page claiming more without a
    ``last_id`` (or an empty one) ends the iteration rather than looping forever.
    """
    raw = _object(raw, "a list")
    if raw.get("has_more") is not True or not page_data(raw):
        return None
    last = raw.get("last_id")
    return last if isinstance(last, str) and last else None
