"""Conversations and agent definitions, as returned by the project's management routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Agent", "AgentVersion", "Conversation", "ItemList"]


@dataclass(slots=True)
class Conversation:
    """A server-side conversation (``conv_...``): the service appends each turn's items to it."""

    id: str
    created_at: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Conversation:
        return cls(id=str(raw.get("id") or ""), created_at=raw.get("created_at"),
                   metadata=dict(raw.get("metadata") or {}), raw=dict(raw))


@dataclass(slots=True)
class ItemList:
    """A page of conversation items (raw wire items), newest first unless asked otherwise."""

    data: list[dict[str, Any]]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ItemList:
        return cls(data=[dict(i) for i in raw.get("data") or ()], has_more=bool(raw.get("has_more")),
                   first_id=raw.get("first_id"), last_id=raw.get("last_id"))


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
        return cls(name=str(raw.get("name") or ""), version=str(raw.get("version") or ""),
                   description=raw.get("description") or "", created_at=raw.get("created_at"),
                   metadata=dict(raw.get("metadata") or {}), definition=dict(raw.get("definition") or {}),
                   raw=dict(raw))

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
        return list(self.definition.get("tools") or [])

    @property
    def function_names(self) -> list[str]:
        """Names of the client-side function tools the agent declares."""
        return [t.get("name") or (t.get("function") or {}).get("name", "")
                for t in self.tools if t.get("type") == "function"]

    @property
    def output_format(self) -> dict[str, Any] | None:
        """The definition's ``text.format`` (e.g. a JSON schema), if any."""
        fmt = (self.definition.get("text") or {}).get("format")
        return dict(fmt) if isinstance(fmt, Mapping) else None


@dataclass(slots=True)
class Agent:
    """An agent and its latest version."""

    name: str
    latest: AgentVersion | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Agent:
        latest = (raw.get("versions") or {}).get("latest")
        return cls(name=str(raw.get("name") or raw.get("id") or ""),
                   latest=AgentVersion.from_wire(latest) if isinstance(latest, Mapping) else None,
                   raw=dict(raw))
