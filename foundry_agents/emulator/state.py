"""What one emulator app remembers: the :class:`Store` interface and its in-memory implementation.

Two implementations share the interface: :class:`MemoryStore` (the default: plain dicts, gone
when the app is) and :class:`~.store_sqlite.SqliteStore` (``data_dir=``: an SQLite file that
survives restarts). Route handlers and the engine only call the methods below. The lists and conversation dicts
they get back are fresh; items inside them may be shared with the store and must not be mutated.

Agents come from two places: *seeded* ones (the built-ins, the agents file, ``extra_agents``:
configuration, registered again at every start) and ones created through the API. Only the
second kind, and deletions of either, are state worth persisting.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from .errors import not_found
from .files import DEFAULT_FILES_QUOTA, file_not_found, quota_exceeded
from .ids import new_conversation_id
from .model import AgentVersionRecord, FileRecord, ResponseRecord

#: Bytes per chunk when a file's content is streamed.
CHUNK = 64 * 1024


def version_key(agent: AgentVersionRecord) -> int:
    """Versions sort numerically (non-numeric ones first)."""
    return int(agent.version) if agent.version.isdigit() else 0


def agent_not_found(name: str, version: str | None = None) -> Exception:
    if version is None:
        return not_found(f"Agent '{name}' not found.")
    return not_found(f"Agent '{name}' with version '{version}' not found.")


def response_not_found(response_id: str) -> Exception:
    return not_found(f"Response with id '{response_id}' not found.")


def conversation_not_found(conversation_id: str) -> Exception:
    return not_found(f"Conversation with id '{conversation_id}' not found.")


def item_not_found(conversation_id: str, item_id: str) -> Exception:
    return not_found(f"Item with id '{item_id}' not found in conversation '{conversation_id}'.")


def consent_not_found(consent_id: str) -> Exception:
    return not_found(f"Consent request '{consent_id}' not found.")


def new_conversation_row(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """A conversation's own fields (``id``, ``created_at``, ``metadata``), items kept apart."""
    return {"id": new_conversation_id(), "created_at": int(time.time()), "metadata": dict(metadata or {})}


class Store(ABC):
    """The emulator's state. Reads and writes are safe to call from several threads at once.

    Lookups of something absent raise the service's 404 (:class:`~.errors.EmulatorError`).
    Conversations are ``{"id", "created_at", "metadata"}`` dicts; their items are listed apart.
    """

    def __init__(self) -> None:
        #: Per-app counters (the ``flaky`` agent's attempts): not state worth persisting.
        self.counters: dict[str, int] = {}
        #: The most bytes all files together may take (uploads and container files).
        self.files_quota: int = DEFAULT_FILES_QUOTA

    # -- agents --------------------------------------------------------------------------------

    @abstractmethod
    def seed_agent(self, agent: AgentVersionRecord) -> None:
        """Register a configured agent (built-in, agents file): never persisted."""

    @abstractmethod
    def add_agent_version(self, agent: AgentVersionRecord) -> AgentVersionRecord:
        """Register a version created through the API (replacing one with the same number)."""

    @abstractmethod
    def versions(self, name: str) -> list[AgentVersionRecord]:
        """The agent's versions, oldest first; ``[]`` when there is no such agent."""

    @abstractmethod
    def agent_names(self) -> list[str]:
        """Every agent's name, sorted."""

    @abstractmethod
    def delete_agent_version(self, name: str, version: str) -> None: ...

    @abstractmethod
    def delete_agent(self, name: str) -> None: ...

    def agent(self, name: str, version: str | None = None) -> AgentVersionRecord:
        """The named version, or the latest; 404 when absent."""
        versions = self.versions(name)
        if not versions:
            raise agent_not_found(name)
        if version is None:
            return versions[-1]
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise agent_not_found(name, version)

    def latest_agents(self) -> list[AgentVersionRecord]:
        """Each agent's latest version, by name."""
        return [versions[-1] for versions in map(self.versions, self.agent_names()) if versions]

    def next_version(self, name: str) -> str:
        numbers = [int(v.version) for v in self.versions(name) if v.version.isdigit()]
        return str(max(numbers, default=0) + 1)

    # -- responses -----------------------------------------------------------------------------

    @abstractmethod
    def response(self, response_id: str) -> ResponseRecord: ...

    @abstractmethod
    def delete_response(self, response_id: str) -> None: ...

    @abstractmethod
    def commit_turn(self, record: ResponseRecord | None, conversation_id: str | None, items: list[dict[str, Any]]) -> None:
        """Atomically keep ``record`` (if given) and append ``items`` to the conversation (if given)."""

    # -- conversations -------------------------------------------------------------------------

    @abstractmethod
    def new_conversation(self, metadata: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]: ...

    @abstractmethod
    def conversation(self, conversation_id: str) -> dict[str, Any]: ...

    @abstractmethod
    def update_conversation(self, conversation_id: str, metadata: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def delete_conversation(self, conversation_id: str) -> None: ...

    @abstractmethod
    def conversation_items(self, conversation_id: str) -> list[dict[str, Any]]:
        """The items, oldest first; 404 for an unknown conversation."""

    @abstractmethod
    def add_items(self, conversation_id: str, items: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]: ...

    @abstractmethod
    def delete_item(self, conversation_id: str, item_id: str) -> None: ...

    # -- files ---------------------------------------------------------------------------------

    @abstractmethod
    def add_files(self, files: list[tuple[FileRecord, bytes]]) -> None:
        """Keep files and their content, all or none; 400 ``quota_exceeded`` past :attr:`files_quota`."""

    @abstractmethod
    def file(self, file_id: str) -> FileRecord:
        """An uploaded or container file's record; 404 when absent."""

    @abstractmethod
    def file_chunks(self, file_id: str) -> Iterator[bytes]:
        """The file's content in chunks (404 raised before the first chunk when absent)."""

    def file_content(self, file_id: str) -> bytes:
        """The file's whole content; 404 when absent."""
        return b"".join(self.file_chunks(file_id))

    @abstractmethod
    def files(self, *, purpose: str | None = None, container_id: str | None = None) -> list[FileRecord]:
        """Uploaded files (``container_id=None``, optionally of one ``purpose``) or one container's
        files, oldest first."""

    @abstractmethod
    def delete_file(self, file_id: str) -> None:
        """Forget an uploaded file and its content; 404 when absent."""

    # -- OAuth consent (the mcp-oauth agent) ---------------------------------------------------

    @abstractmethod
    def add_consent(self, consent_id: str, server_label: str) -> None:
        """Remember a consent request (not yet given)."""

    @abstractmethod
    def give_consent(self, consent_id: str) -> str:
        """Mark the request's consent as given and return its ``server_label``; 404 when unknown."""

    @abstractmethod
    def consent_given(self, server_label: str) -> bool:
        """Whether consent was given for ``server_label``."""

    # -- lifecycle -----------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release the store's resources (a database connection); the app must not be used after."""


class MemoryStore(Store):
    """The default store: dicts guarded by one lock, gone with the app."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._agents: dict[str, list[AgentVersionRecord]] = {}
        self._responses: dict[str, ResponseRecord] = {}
        self._conversations: dict[str, dict[str, Any]] = {}
        self._items: dict[str, list[dict[str, Any]]] = {}
        self._files: dict[str, tuple[FileRecord, bytes]] = {}
        self._consents: dict[str, tuple[str, bool]] = {}

    def close(self) -> None:
        """Nothing to release: the state goes with the object."""

    def add_files(self, files: list[tuple[FileRecord, bytes]]) -> None:
        with self._lock:
            used = sum(record.bytes for record, _ in self._files.values())
            if used + sum(len(content) for _, content in files) > self.files_quota:
                raise quota_exceeded(self.files_quota)
            for record, content in files:
                self._files[record.id] = (record, content)

    def file(self, file_id: str) -> FileRecord:
        found = self._files.get(file_id)
        if found is None:
            raise file_not_found(file_id)
        return found[0]

    def file_chunks(self, file_id: str) -> Iterator[bytes]:
        found = self._files.get(file_id)
        if found is None:
            raise file_not_found(file_id)
        content = found[1]
        return iter([content[i : i + CHUNK] for i in range(0, len(content), CHUNK)] or [b""])

    def files(self, *, purpose: str | None = None, container_id: str | None = None) -> list[FileRecord]:
        with self._lock:
            records = [record for record, _ in self._files.values()]
        return [r for r in records if r.container_id == container_id and (purpose is None or r.purpose == purpose)]

    def delete_file(self, file_id: str) -> None:
        with self._lock:
            if self._files.pop(file_id, None) is None:
                raise file_not_found(file_id)

    def add_consent(self, consent_id: str, server_label: str) -> None:
        with self._lock:
            self._consents[consent_id] = (server_label, False)

    def give_consent(self, consent_id: str) -> str:
        with self._lock:
            found = self._consents.get(consent_id)
            if found is None:
                raise consent_not_found(consent_id)
            self._consents[consent_id] = (found[0], True)
            return found[0]

    def consent_given(self, server_label: str) -> bool:
        return any(label == server_label and given for label, given in self._consents.values())

    def seed_agent(self, agent: AgentVersionRecord) -> None:
        self.add_agent_version(agent)

    def add_agent_version(self, agent: AgentVersionRecord) -> AgentVersionRecord:
        with self._lock:
            versions = [v for v in self._agents.get(agent.name, []) if v.version != agent.version]
            versions.append(agent)
            versions.sort(key=version_key)
            self._agents[agent.name] = versions
        return agent

    def versions(self, name: str) -> list[AgentVersionRecord]:
        return list(self._agents.get(name, ()))

    def agent_names(self) -> list[str]:
        return sorted(self._agents)

    def delete_agent_version(self, name: str, version: str) -> None:
        with self._lock:
            self.agent(name, version)
            remaining = [v for v in self._agents[name] if v.version != version]
            if remaining:
                self._agents[name] = remaining
            else:
                del self._agents[name]

    def delete_agent(self, name: str) -> None:
        with self._lock:
            if self._agents.pop(name, None) is None:
                raise agent_not_found(name)

    def response(self, response_id: str) -> ResponseRecord:
        record = self._responses.get(response_id)
        if record is None:
            raise response_not_found(response_id)
        return record

    def delete_response(self, response_id: str) -> None:
        with self._lock:
            if self._responses.pop(response_id, None) is None:
                raise response_not_found(response_id)

    def commit_turn(self, record: ResponseRecord | None, conversation_id: str | None, items: list[dict[str, Any]]) -> None:
        with self._lock:
            if conversation_id is not None:
                self._items_of(conversation_id).extend(items)
            if record is not None:
                self._responses[record.id] = record

    def new_conversation(self, metadata: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]:
        conv = new_conversation_row(metadata)
        with self._lock:
            self._conversations[conv["id"]] = conv
            self._items[conv["id"]] = list(items)
        return _copy(conv)

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        conv = self._conversations.get(conversation_id)
        if conv is None:
            raise conversation_not_found(conversation_id)
        return _copy(conv)

    def update_conversation(self, conversation_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is None:
                raise conversation_not_found(conversation_id)
            conv["metadata"] = dict(metadata)
            return _copy(conv)

    def delete_conversation(self, conversation_id: str) -> None:
        with self._lock:
            if self._conversations.pop(conversation_id, None) is None:
                raise conversation_not_found(conversation_id)
            del self._items[conversation_id]

    def conversation_items(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items_of(conversation_id))

    def add_items(self, conversation_id: str, items: list[dict[str, Any]]) -> None:
        self.commit_turn(None, conversation_id, items)

    def conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        with self._lock:
            for item in self._items_of(conversation_id):
                if item.get("id") == item_id:
                    return item
        raise item_not_found(conversation_id, item_id)

    def delete_item(self, conversation_id: str, item_id: str) -> None:
        with self._lock:
            items = self._items_of(conversation_id)
            for index, item in enumerate(items):
                if item.get("id") == item_id:
                    del items[index]
                    return
        raise item_not_found(conversation_id, item_id)

    def _items_of(self, conversation_id: str) -> list[dict[str, Any]]:
        items = self._items.get(conversation_id)
        if items is None:
            raise conversation_not_found(conversation_id)
        return items


def _copy(conv: dict[str, Any]) -> dict[str, Any]:
    return {**conv, "metadata": dict(conv["metadata"])}
