"""In-memory state of one emulator app: agents, responses, conversations, fault counters."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import not_found
from .ids import new_conversation_id
from .model import AgentVersion, ResponseRecord


@dataclass
class Store:
    """Everything one app remembers. Each :func:`~.app.create_app` builds its own."""

    agents: dict[str, list[AgentVersion]] = field(default_factory=dict)
    responses: dict[str, ResponseRecord] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    # -- agents --------------------------------------------------------------------------------

    def add_agent_version(self, agent: AgentVersion) -> AgentVersion:
        """Register a version (replacing one with the same number), keeping versions sorted."""
        versions = [v for v in self.agents.get(agent.name, []) if v.version != agent.version]
        versions.append(agent)
        versions.sort(key=lambda v: int(v.version) if v.version.isdigit() else 0)
        self.agents[agent.name] = versions
        return agent

    def next_version(self, name: str) -> str:
        versions = self.agents.get(name, [])
        numbers = [int(v.version) for v in versions if v.version.isdigit()]
        return str(max(numbers, default=0) + 1)

    def agent(self, name: str, version: str | None = None) -> AgentVersion:
        """The named version, or the latest; 404 when absent."""
        versions = self.agents.get(name)
        if not versions:
            raise not_found(f"Agent '{name}' not found.")
        if version is None:
            return versions[-1]
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise not_found(f"Agent '{name}' with version '{version}' not found.")

    def delete_agent_version(self, name: str, version: str) -> None:
        self.agent(name, version)
        self.agents[name] = [v for v in self.agents[name] if v.version != version]
        if not self.agents[name]:
            del self.agents[name]

    def delete_agent(self, name: str) -> None:
        self.agent(name)
        del self.agents[name]

    # -- responses -----------------------------------------------------------------------------

    def response(self, response_id: str) -> ResponseRecord:
        record = self.responses.get(response_id)
        if record is None:
            raise not_found(f"Response with id '{response_id}' not found.")
        return record

    # -- conversations -------------------------------------------------------------------------

    def new_conversation(self, metadata: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]:
        conv = {
            "id": new_conversation_id(),
            "created_at": int(time.time()),
            "metadata": dict(metadata or {}),
            "items": list(items),
        }
        self.conversations[str(conv["id"])] = conv
        return conv

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        conv = self.conversations.get(conversation_id)
        if conv is None:
            raise not_found(f"Conversation with id '{conversation_id}' not found.")
        return conv

    def bump(self, key: str) -> int:
        """Increment and return a named counter (used by fault agents)."""
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]
