"""The emulator's small neutral types: agent versions, a turn's context, and a scripted reply.

A behaviour is a pure function ``TurnContext -> Reply``. The engine turns the reply into a
stored response (ids, usage, state) and the JSON and SSE renderers both draw from that one result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import EmulatorError


@dataclass
class AgentVersionRecord:
    """One version of a named agent as the emulator stores it, with the behaviour that answers
    for it (the client's view of an agent version is :class:`foundry_agents.AgentVersion`)."""

    name: str
    version: str
    definition: dict[str, Any]
    behavior: str = "echo"
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: int = field(default_factory=lambda: int(time.time()))
    #: Free-form behaviour settings (scripted rules, fault counts, delays).
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}:{self.version}"

    @property
    def model(self) -> str:
        return str(self.definition.get("model", ""))

    @property
    def instructions(self) -> str | None:
        return self.definition.get("instructions")

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.definition.get("tools") or [])



@dataclass
class FileRecord:
    """An uploaded file (``/openai/v1/files``) or a file a container holds (code interpreter output).

    Container files have ``container_id``, ``path`` (``/mnt/data/<name>``) and ``source``; uploaded
    files have a ``purpose``. The content is kept apart (see :class:`~.state.Store`).
    """

    id: str
    filename: str
    bytes: int
    purpose: str = "assistants"
    created_at: int = field(default_factory=lambda: int(time.time()))
    container_id: str | None = None
    path: str | None = None
    source: str | None = None
    media_type: str = "application/octet-stream"


@dataclass
class TurnContext:
    """What the agent sees for one response: earlier items plus this request's input."""

    agent: AgentVersionRecord
    history: list[dict[str, Any]]
    input: list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    stream: bool = False
    #: Per-app counters (e.g. the ``flaky`` agent's attempts), shared across requests.
    counters: dict[str, int] = field(default_factory=dict)
    #: Looks up another agent and its behaviour by name (what a ``workflow`` agent runs).
    resolve: Resolver | None = None
    #: The request's ``include`` values (``file_search_call.results``, ...).
    include: frozenset[str] = frozenset()
    #: Reads an uploaded or container file: ``(record, content)``, or ``None`` when absent.
    read_file: Callable[[str], tuple[FileRecord, bytes] | None] | None = None
    #: The uploaded files (not container files), oldest first.
    list_files: Callable[[], list[FileRecord]] | None = None
    #: Whether the user gave OAuth consent for an MCP ``server_label`` (the ``mcp-oauth`` agent).
    consented: Callable[[str], bool] | None = None
    #: Where the emulator is reached: ``http://host:port`` and the project endpoint under it.
    server_url: str = "http://emulator"
    project_url: str = "http://emulator/api/projects/emulator"

    @property
    def items(self) -> list[dict[str, Any]]:
        return [*self.history, *self.input]


@dataclass
class Reply:
    """A scripted answer: output item drafts plus how the response ends.

    ``items`` are drafts without ids (the engine assigns them). ``http_error`` answers the request
    with an error before any response exists; ``stream_fault`` (``"drop"`` or ``"error"``) breaks
    the SSE stream; ``delay`` pauses between streamed deltas.
    """

    items: list[dict[str, Any]] = field(default_factory=list)
    status: str = "completed"
    incomplete_reason: str | None = None
    error: dict[str, Any] | None = None
    http_error: EmulatorError | None = None
    stream_fault: str | None = None
    delay: float = 0.0
    reasoning_tokens: int = 0
    #: Seconds the run takes (``long_running``): a background response is queued, then in
    #: progress, then done; a streamed one spreads its events over this time.
    duration: float = 0.0
    #: ``cutoff``: the first ``cuts`` streams of the response end after ``cut_after`` events.
    cut_after: int | None = None
    cuts: int = 0
    #: Files the turn made (code interpreter output), kept in the store with the response.
    files: list[tuple[FileRecord, bytes]] = field(default_factory=list)
    #: OAuth consent requests the turn opened: ``(consent id, server_label)``.
    consents: list[tuple[str, str]] = field(default_factory=list)


Behavior = Callable[[TurnContext], Reply]
#: Agent name -> (its latest version, its behaviour); ``(None, None)`` when there is no such agent.
Resolver = Callable[[str], "tuple[AgentVersionRecord | None, Behavior | None]"]


@dataclass
class ResponseRecord:
    """A computed response: the one result both the JSON and the SSE renderers draw from."""

    id: str
    agent: AgentVersionRecord
    created_at: int
    output: list[dict[str, Any]]
    usage: dict[str, Any]
    status: str = "completed"
    completed_at: int | None = None
    error: dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None
    conversation_id: str | None = None
    previous_response_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    store: bool = True
    tool_choice: Any = None
    stream_fault: str | None = None
    delay: float = 0.0
    #: Every item the agent saw plus its output: what a later ``previous_response_id`` continues.
    transcript: list[dict[str, Any]] = field(default_factory=list)
    #: This request's own input items (for ``GET /responses/{id}/input_items``).
    input_items: list[dict[str, Any]] = field(default_factory=list)
    #: Hosted agents: the session the response ran in, and the caller key that owns the chain.
    agent_session_id: str | None = None
    owner: str | None = None
    #: Long-running responses (see :mod:`.background`): ``background: true``, when the run
    #: started (epoch seconds), how long it takes, whether it was cancelled.
    background: bool = False
    started: float = 0.0
    duration: float = 0.0
    cancelled: bool = False
    cut_after: int | None = None
    cuts: int = 0
