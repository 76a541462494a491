"""What a ``ChatFoundryAgent`` asks the service besides a chat turn: resuming background
responses, creating conversations, downloading the files an agent made.

A mixin of :class:`~langchain_foundry_agents.ChatFoundryAgent` (it reads ``foundry_agent`` and
``output_version``); every method is a thin shell over the core client, sync and async alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from foundry_agents import GeneratedFile
from foundry_agents.background import ContinuationToken
from foundry_agents.metadata import file_reference as core_file_reference

from ._messages import to_neutral_messages
from ._outputs import ChunkMapper, to_ai_message
from .errors import translate_errors

if TYPE_CHECKING:
    from pathlib import Path

    from foundry_agents import FoundryAgent

__all__ = ["ServerCalls", "file_reference"]


def file_reference(file: str | Mapping[str, Any] | GeneratedFile,
                   container_id: str | None = None) -> tuple[str, str | None]:
    """``(file_id, container_id)`` of what :meth:`ServerCalls.download_file` is given: a file id, an entry
    of ``response_metadata["generated_files"]``, a ``citation`` annotation of ``content_blocks`` (ids in
    ``extras``), a raw annotation, or a :class:`~foundry_agents.GeneratedFile` (the core's
    :func:`~foundry_agents.metadata.file_reference`). An explicit ``container_id`` wins."""
    return core_file_reference(file, container_id, listed_in="response_metadata['generated_files']")


class ServerCalls:
    """Background responses, conversations and files of :class:`ChatFoundryAgent` (see module docstring)."""

    if TYPE_CHECKING:
        output_version: str | None

        @property
        def foundry_agent(self) -> FoundryAgent: ...

    # -- long-running responses -----------------------------------------------------------------
    def resume(self, token: str | ContinuationToken, *, wait_timeout: float | Literal["default"] | None = "default") -> AIMessage:
        """Wait for a background response started earlier (perhaps by another process) and return
        it as the ``AIMessage`` ``invoke`` would have: pass the ``continuation_token`` from a
        message's ``response_metadata`` or a ``WaitTimeoutError``, or the response id."""
        with translate_errors():
            return to_ai_message(self.foundry_agent.resume(token, wait_timeout=wait_timeout))

    async def aresume(self, token: str | ContinuationToken,
                      *, wait_timeout: float | Literal["default"] | None = "default") -> AIMessage:
        with translate_errors():
            return to_ai_message(await self.foundry_agent.aresume(token, wait_timeout=wait_timeout))

    def resume_stream(self, token: str | ContinuationToken) -> Iterator[AIMessageChunk]:
        """The chunks of a response started earlier, after the token's sequence number (from the
        start for a response id); the last chunk carries the complete response's metadata."""
        mapper = ChunkMapper(lean_deltas=self.output_version != "v1")
        with translate_errors():
            for event in self.foundry_agent.resume_stream(token):
                chunk = mapper.feed(event)
                if chunk is not None:
                    yield chunk

    async def aresume_stream(self, token: str | ContinuationToken) -> AsyncIterator[AIMessageChunk]:
        mapper = ChunkMapper(lean_deltas=self.output_version != "v1")
        with translate_errors():
            async for event in self.foundry_agent.aresume_stream(token):
                chunk = mapper.feed(event)
                if chunk is not None:
                    yield chunk

    # -- conversations --------------------------------------------------------------------------
    def _conversation_items(self, messages: Sequence[BaseMessage] | None) -> list[dict[str, Any]] | None:
        if not messages:
            return None
        return self.foundry_agent.conversation_items(to_neutral_messages(messages))

    def create_conversation(self, messages: Sequence[BaseMessage] | None = None, *,
                            metadata: Mapping[str, str] | None = None) -> str:
        """Create a server-side conversation (optionally seeded with ``messages``); returns its id.

        Example:
            >>> conv = llm.create_conversation()  # doctest: +SKIP
            >>> llm.invoke("Hi", conversation_id=conv)  # doctest: +SKIP
        """
        items = self._conversation_items(messages)
        with translate_errors():
            return self.foundry_agent.client.create_conversation(items=items, metadata=metadata).id

    async def acreate_conversation(self, messages: Sequence[BaseMessage] | None = None, *,
                                   metadata: Mapping[str, str] | None = None) -> str:
        """Async :meth:`create_conversation`."""
        items = self._conversation_items(messages)
        with translate_errors():
            conversation = await self.foundry_agent.async_client.create_conversation(items=items, metadata=metadata)
        return conversation.id

    # -- files ----------------------------------------------------------------------------------
    def download_file(self, file: str | Mapping[str, Any] | GeneratedFile, destination: str | PathLike[str], *,
                      container_id: str | None = None) -> Path:
        """Download a file the agent made (code interpreter) to ``destination`` (a file path, or a
        directory to keep the file's own name), streamed to disk; returns the path written.

        ``file`` is an entry of ``reply.response_metadata["generated_files"]``, a file ``citation``
        from ``reply.content_blocks``, or a file id (with ``container_id`` for a container file).

        Example:
            >>> for f in reply.response_metadata.get("generated_files", []):  # doctest: +SKIP
            ...     llm.download_file(f, "out/")
        """
        file_id, cid = file_reference(file, container_id)
        client: Any = self.foundry_agent.client  # download_file: the core's files client (docs/files.md)
        with translate_errors():
            return client.download_file(file_id, destination, container_id=cid)  # type: ignore[no-any-return]

    async def adownload_file(self, file: str | Mapping[str, Any] | GeneratedFile,
                             destination: str | PathLike[str], *, container_id: str | None = None) -> Path:
        """Async :meth:`download_file`."""
        file_id, cid = file_reference(file, container_id)
        client: Any = self.foundry_agent.async_client
        with translate_errors():
            return await client.download_file(file_id, destination, container_id=cid)  # type: ignore[no-any-return]
