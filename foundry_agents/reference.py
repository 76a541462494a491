"""Naming a v2 agent: ``"name"``, ``"name:version"`` or ``"azure_ai/agents/name:version"``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidAgentReferenceError

__all__ = ["MAX_AGENT_NAME_LENGTH", "AgentRef"]

MAX_AGENT_NAME_LENGTH = 256
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LITELLM_PREFIX = "azure_ai/agents/"
MIGRATION_HINT = (
    "v1 Assistants-style agents (asst_* ids, threads, runs) were retired on 2026-08-26; "
    "address the v2 agent by its name (optionally 'name:version'). "
    "See 'Migrating from v1 agents' in the foundry-agents README."
)


@dataclass(frozen=True, slots=True)
class AgentRef:
    """A validated reference to a Foundry v2 agent, optionally pinned to a version.

    Example:
        >>> AgentRef.parse("weather:3")
        AgentRef(name='weather', version='3')
        >>> AgentRef.parse("azure_ai/agents/weather").to_wire()
        {'type': 'agent_reference', 'name': 'weather'}
    """

    name: str
    version: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.version is not None:
            _check_version(self.name, self.version)

    @classmethod
    def parse(cls, agent: str | AgentRef, *, version: str | int | None = None) -> AgentRef:
        """Parse ``agent`` ("name", "name:version", "azure_ai/agents/name:version").

        ``version`` pins the version explicitly; it must not contradict one given in ``agent``.
        """
        if isinstance(agent, AgentRef):
            if version is None or str(version) == agent.version:
                return agent
            if agent.version is not None:
                raise InvalidAgentReferenceError(
                    f"agent {agent.name!r} is pinned to version {agent.version!r} "
                    f"but agent_version={version!r} was also given; give one of them"
                )
            return cls(agent.name, str(version))
        if not isinstance(agent, str):
            raise InvalidAgentReferenceError(
                f"agent must be a string such as 'my-agent' or 'my-agent:2', got {type(agent).__name__}"
            )
        text = agent
        if text.startswith(_LITELLM_PREFIX):
            text = text[len(_LITELLM_PREFIX) :]
        name, sep, ver = text.partition(":")
        parsed_version: str | None = ver if sep else None
        if sep and not ver:
            raise InvalidAgentReferenceError(
                f"agent {agent!r} ends with ':' but names no version; use 'name' for the latest "
                "version or 'name:<version>' to pin one"
            )
        if version is not None:
            version = str(version)
            if parsed_version is not None and parsed_version != version:
                raise InvalidAgentReferenceError(
                    f"agent {agent!r} pins version {parsed_version!r} but agent_version={version!r} "
                    "was also given; give one of them"
                )
            parsed_version = version
        return cls(name, parsed_version)

    def to_wire(self) -> dict[str, Any]:
        """The ``agent_reference`` object of a request body."""
        ref: dict[str, Any] = {"type": "agent_reference", "name": self.name}
        if self.version is not None:
            ref["version"] = self.version
        return ref

    def __str__(self) -> str:
        return f"{self.name}:{self.version}" if self.version else self.name


def _check_name(name: Any) -> None:
    # Fast path (every call parses a reference): one regex; diagnostics only when it fails.
    if isinstance(name, str) and len(name) <= MAX_AGENT_NAME_LENGTH and _NAME.fullmatch(name) \
            and not name.startswith("asst_"):
        return
    if not isinstance(name, str):
        raise InvalidAgentReferenceError(f"agent name must be a string, got {type(name).__name__}")
    if not name:
        raise InvalidAgentReferenceError("agent name is empty; expected e.g. 'my-agent' or 'my-agent:2'")
    if name.startswith("asst_"):
        raise InvalidAgentReferenceError(f"{name!r} is a v1 assistant id. {MIGRATION_HINT}")
    if len(name) > MAX_AGENT_NAME_LENGTH:
        raise InvalidAgentReferenceError(
            f"agent name is {len(name)} characters long; the limit is {MAX_AGENT_NAME_LENGTH}"
        )
    if any(ch.isspace() for ch in name):
        raise InvalidAgentReferenceError(
            f"agent name {name!r} contains whitespace; agent names are like 'my-agent'"
        )
    if not _NAME.fullmatch(name):
        bad = sorted({ch for ch in name if not (ch.isalnum() or ch in "_.-")})
        what = f"invalid character(s) {''.join(bad)!r}" if bad else "an invalid first or last character"
        raise InvalidAgentReferenceError(
            f"agent name {name!r} has {what}; use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit"
        )


def _check_version(name: str, version: Any) -> None:
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise InvalidAgentReferenceError(
            f"version {version!r} of agent {name!r} is not valid; versions are strings like '3'"
        )
