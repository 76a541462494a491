"""The sync and async clients. All logic lives in :class:`_ClientBase` and :mod:`._flow`;
each public method of the two clients is a one-line shell, and a test keeps their signatures equal.

Example:
    >>> from foundry_agents import FoundryAgentsClient
    >>> client = FoundryAgentsClient("https://acme.services.ai.azure.com/api/projects/demo")  # doctest: +SKIP
    >>> client.create_response("weather:3", input="Weather in Paris?").output_text  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from typing_extensions import Unpack

from ._base import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    InputLike,
    ResponseOptions,
    _body_error,
    _ClientBase,
)
from ._flow import Call, adrive, drive
from ._loops import PerLoop
from .auth import aclose_provider, close_provider
from .background import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    ContinuationToken,
    is_terminal,
)
from .endpoints import ProjectEndpoint
from .errors import FoundryConfigError
from .files import (
    CHUNK_BYTES,
    ContainerFile,
    ContainerFileList,
    FileList,
    FileObject,
    FileSource,
    PartialDownload,
    check_purpose,
    download_target,
    upload_source,
)
from .reference import AgentRef
from .resources import (
    Agent,
    AgentSession,
    AgentVersion,
    Conversation,
    ItemList,
    next_after,
    page_data,
)
from .response import AgentResponse
from .streaming.shells import AsyncResponseStream, ResponseStream
from .telemetry import AgentSpan

T = TypeVar("T")


def _item(raw: Any) -> dict[str, Any]:
    return ItemList.from_wire({"data": [raw]}).data[0]


__all__ = ["DEFAULT_TIMEOUT", "AsyncFoundryAgentsClient", "FoundryAgentsClient", "ResponseOptions"]


class FoundryAgentsClient(_ClientBase):
    """Sync client for Foundry v2 agents (Responses with ``agent_reference``, conversations, agents).

    Args:
        project_endpoint: ``https://<resource>.services.ai.azure.com/api/projects/<project>``;
            defaults to ``FOUNDRY_PROJECT_ENDPOINT`` then ``AZURE_AI_PROJECT_ENDPOINT``.
        credential: an azure-identity ``TokenCredential`` (default: ``DefaultAzureCredential``).
        api_key: a static bearer token instead of a credential (default: ``$FOUNDRY_API_KEY``).
        connection: ready :class:`~foundry_agents.connection.ConnectionSettings` instead of (or
            under) the separate arguments.
        tenant_id, client_id, client_secret: a service principal instead of a credential.
        route: ``"responses"`` (default), ``"preview"``, ``"agent_endpoint"`` or ``"application"``
            (see :class:`Route`). user_identity: the end user (``x-ms-user-identity``).
        timeout: seconds or an ``httpx.Timeout``. max_retries: retries after the first try.
        http_client: your own ``httpx.Client`` (not closed by :meth:`close`).

    :meth:`close` (or leaving the ``with`` block) closes the HTTP pool and the credential this
    client created (a service principal's, or the default one), never ones passed in.

    Example:
        >>> with FoundryAgentsClient(endpoint, api_key=token) as client:  # doctest: +SKIP
        ...     reply = client.create_response("echo:1", input="Hello")
        ...     print(reply.output_text, reply.usage)
    """

    def __init__(self, project_endpoint: str | ProjectEndpoint | None = None, *,
                 http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        if http_client is not None:
            kwargs["http_client"] = http_client  # validated with the other connection arguments
        super().__init__(project_endpoint, **kwargs)
        http_client = self.connection.http_client
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(limits=DEFAULT_LIMITS)

    def _send(self, call: Call) -> httpx.Response:
        response = drive(self._flow(call), self._http, self._auth, self.connection.rate_limiter)
        if not call.stream:
            response.read()
        return response

    def create_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AgentResponse:
        """Call ``agent`` and return its complete response (see :class:`ResponseOptions`)."""
        call = self._response_call(agent, options, stream=False)
        if (span := AgentSpan.start(call)) is None:
            return self._to_response(self._send(call))
        with span.current():
            return span.done(self._to_response(self._send(call)))  # type: ignore[no-any-return]

    def stream_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> ResponseStream:
        """Call ``agent`` with ``stream: true``; iterate the returned stream for events.

        A cut stream of a stored response is resumed from its last sequence number (see
        :mod:`foundry_agents.streaming.shells`)."""
        call = self._response_call(agent, options, stream=True)
        resume = self._resume_options(options)
        if (span := AgentSpan.start(call)) is None:
            return ResponseStream(self._send(call), reconnect=self._reconnect, **resume)
        with span.current(end=False):
            return ResponseStream(self._send(call), span, reconnect=self._reconnect, **resume)

    def _reconnect(self, response_id: str, starting_after: int | None) -> httpx.Response:
        return self._send(self._resume_call(response_id, starting_after))

    def resume_stream(self, response: str | AgentResponse | ContinuationToken, /) -> ResponseStream:
        """Stream a stored response again: its events after the token's sequence number (all of
        them for a bare id). The final response is complete either way; only the events before
        the token are not repeated."""
        token = ContinuationToken.coerce(response)
        stream = ResponseStream(self._reconnect(token.response_id, token.sequence_number), reconnect=self._reconnect)
        stream._prime(token)
        return stream

    def wait_for_response(self, response: str | AgentResponse | ContinuationToken, /, *,
                          timeout: float | None = DEFAULT_WAIT_TIMEOUT, poll_interval: float = DEFAULT_POLL_INTERVAL,
                          max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL) -> AgentResponse:
        """Poll a background response until it is ``completed``, ``cancelled`` or ``incomplete``.

        Polls ``GET /openai/v1/responses/{id}`` with backoff (``poll_interval`` doubling up to
        ``max_poll_interval``; a ``retry-after`` header wins) for at most ``timeout`` seconds
        (``None``: no deadline), then raises :class:`~foundry_agents.errors.WaitTimeoutError`.
        A ``failed`` response raises :class:`~foundry_agents.errors.ResponseFailedError`. A
        finished :class:`AgentResponse` is returned as is, without a request.
        """
        if isinstance(response, AgentResponse) and is_terminal(response.status):
            return response
        token, schedule = self._wait_start(response, timeout, poll_interval, max_poll_interval, time.monotonic())
        while True:
            answer = self._send(self._get_response_call(token.response_id))
            result = self._to_response(answer)
            delay = schedule.next_delay(result, answer.headers, time.monotonic())
            if delay is None:
                return result
            time.sleep(delay)

    def get_response(self, response_id: str) -> AgentResponse:
        return self._to_response(self._send(self._get_response_call(response_id)))

    def delete_response(self, response_id: str) -> None:
        self._send(self._delete_response_call(response_id))

    def cancel_response(self, response_id: str) -> AgentResponse:
        return self._to_response(self._send(self._cancel_response_call(response_id)))

    def create_conversation(self, *, items: InputLike | None = None, metadata: Mapping[str, str] | None = None,
                            agent: str | AgentRef | None = None) -> Conversation:
        """A new conversation; with ``agent`` on the ``agent_endpoint`` route, under that agent's endpoint."""
        call = self._create_conversation_call(items, metadata, agent)
        return Conversation.from_wire(self._json(self._send(call)))

    def get_conversation(self, conversation_id: str) -> Conversation:
        return Conversation.from_wire(self._json(self._send(self._conversation_call("GET", conversation_id))))

    def update_conversation(self, conversation_id: str, *, metadata: Mapping[str, str]) -> Conversation:
        call = self._conversation_call("POST", conversation_id, {"metadata": dict(metadata)})
        return Conversation.from_wire(self._json(self._send(call)))

    def delete_conversation(self, conversation_id: str) -> bool:
        return bool(self._json(self._send(self._conversation_call("DELETE", conversation_id))).get("deleted"))

    def add_conversation_items(self, conversation_id: str, items: InputLike) -> ItemList:
        return ItemList.from_wire(self._json(self._send(self._add_items_call(conversation_id, items))))

    def list_conversation_items(self, conversation_id: str, *, limit: int | None = None,
                                order: Literal["asc", "desc"] | None = None,
                                after: str | None = None) -> ItemList:
        return ItemList.from_wire(self._json(self._send(self._list_items_call(conversation_id, limit, order, after))))

    def get_conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        return dict(self._json(self._send(self._item_call("GET", conversation_id, item_id))))

    def delete_conversation_item(self, conversation_id: str, item_id: str) -> Conversation:
        return Conversation.from_wire(self._json(self._send(self._item_call("DELETE", conversation_id, item_id))))

    def get_agent(self, name: str) -> Agent:
        return Agent.from_wire(self._json(self._send(self._agent_call(name))))

    def list_agents(self) -> list[Agent]:
        """Every agent of the project (all pages: the service answers 20 per page by default)."""
        return list(self.iter_agents())

    def list_agent_versions(self, name: str) -> list[AgentVersion]:
        """Every version of agent ``name``, newest first (all pages, like :meth:`list_agents`)."""
        return list(self.iter_agent_versions(name))

    def get_agent_version(self, name: str, version: str | int | None = None) -> AgentVersion:
        """One version (``"name:3"`` or ``version=3``); the latest when no version is given."""
        ref = AgentRef.parse(name, version=version)
        if ref.version is None:
            latest = self.get_agent(ref.name).latest
            if latest is None:
                raise FoundryConfigError(f"agent {ref.name!r} has no versions")
            return latest
        return AgentVersion.from_wire(self._json(self._send(self._agent_call(ref.name, ref.version))))

    # -- hosted agent sessions, retrieval and paging (issue 13) ----------------------------------
    def _pages(self, call_for: Callable[[str | None], Call], parse: Callable[[Any], T],
               after: str | None) -> Iterator[T]:
        """Every item of a list, page after page, following ``has_more``/``last_id``."""
        while True:
            raw = self._json(self._send(call_for(after)))
            for item in page_data(raw):
                yield parse(item)
            after = next_after(raw)
            if after is None:
                return

    def retrieve_response(self, response_id: str, *, include: Sequence[str] | None = None) -> AgentResponse:
        """``get_response`` with ``include`` (e.g. ``["message.output_text.logprobs"]``)."""
        return self._to_response(self._send(self._get_response_with_include(response_id, include)))

    def list_input_items(self, response_id: str, *, limit: int | None = None,
                         order: Literal["asc", "desc"] | None = None, after: str | None = None,
                         include: Sequence[str] | None = None) -> ItemList:
        """One page of the items a response was given (``GET /openai/v1/responses/{id}/input_items``)."""
        call = self._page_call(self._input_items_url(response_id), limit=limit, order=order, after=after,
                               include=include)
        return ItemList.from_wire(self._json(self._send(call)))

    def iter_input_items(self, response_id: str, *, order: Literal["asc", "desc"] | None = None,
                         after: str | None = None, page_size: int | None = None,
                         include: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        url = self._input_items_url(response_id)
        return self._pages(lambda a: self._page_call(url, limit=page_size, order=order, after=a, include=include),
                           _item, after)

    def iter_conversation_items(self, conversation_id: str, *, order: Literal["asc", "desc"] | None = None,
                                after: str | None = None, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        url = self._items_url(conversation_id)
        return self._pages(lambda a: self._page_call(url, limit=page_size, order=order, after=a), _item, after)

    def iter_agents(self, *, order: Literal["asc", "desc"] | None = None, after: str | None = None,
                    page_size: int | None = None) -> Iterator[Agent]:
        url = self.endpoint.agents_url()
        return self._pages(lambda a: self._page_call(url, limit=page_size, order=order, after=a),
                           Agent.from_wire, after)

    def iter_agent_versions(self, name: str, *, order: Literal["asc", "desc"] | None = None,
                            after: str | None = None, page_size: int | None = None) -> Iterator[AgentVersion]:
        url = self._versions_url(name)
        return self._pages(lambda a: self._page_call(url, limit=page_size, order=order, after=a),
                           AgentVersion.from_wire, after)

    def create_session(self, agent: str | AgentRef, *, isolation_key: str | None = None,
                       agent_version: str | int | None = None) -> AgentSession:
        """A new session on a hosted agent's endpoint (owned by ``isolation_key`` when given)."""
        return AgentSession.from_wire(self._json(self._send(self._create_session_call(agent, isolation_key,
                                                                                     agent_version))))

    def get_session(self, agent: str | AgentRef, session_id: str, *,
                    isolation_key: str | None = None) -> AgentSession:
        return AgentSession.from_wire(self._json(self._send(self._session_call("GET", agent, session_id,
                                                                              isolation_key))))

    def delete_session(self, agent: str | AgentRef, session_id: str, *, isolation_key: str | None = None) -> None:
        self._send(self._session_call("DELETE", agent, session_id, isolation_key))

    def stop_session(self, agent: str | AgentRef, session_id: str, *, isolation_key: str | None = None) -> None:
        """Stop the session's compute; the session (and its files) can be resumed by using it again."""
        self._send(self._session_call("POST", agent, session_id, isolation_key, ":stop"))

    def iter_sessions(self, agent: str | AgentRef, *, isolation_key: str | None = None,
                      order: Literal["asc", "desc"] | None = None, after: str | None = None,
                      page_size: int | None = None) -> Iterator[AgentSession]:
        return self._pages(lambda a: self._sessions_page_call(agent, isolation_key, page_size, order, a),
                           AgentSession.from_wire, after)
    # -- end of the issue-13 block ---------------------------------------------------------------

    # -- files and container files (issue 14; docs/files.md) ------------------------------------
    def upload_file(self, file: FileSource, *, filename: str | None = None,
                    purpose: str = "assistants") -> FileObject:
        """Upload a local path, bytes or a seekable binary file object (``POST /openai/v1/files``,
        multipart, streamed from disk). Limits (empty, over 512 MB, unknown ``purpose``, a missing
        path or a directory) raise :class:`FoundryConfigError` before any request. Not re-sent after
        a failure that leaves open whether the file was created (:class:`APIOutcomeUnknownError`).

        Example:
            >>> client.upload_file("sales.csv").id  # doctest: +SKIP
            'assistant-...'
        """
        purpose = check_purpose(purpose)
        source = upload_source(file, filename=filename)
        with source.opened() as handle:
            return FileObject.from_wire(self._json(self._send(self._upload_call(source, handle, purpose))))

    def get_file(self, file_id: str) -> FileObject:
        return FileObject.from_wire(self._json(self._send(self._file_call("GET", file_id))))

    def list_files(self, *, purpose: str | None = None, limit: int | None = None,
                   order: Literal["asc", "desc"] | None = None, after: str | None = None) -> FileList:
        """One page of the project's files (``purpose`` filters)."""
        return FileList.from_wire(self._json(self._send(self._files_page_call(purpose, limit, order, after))))

    def iter_files(self, *, purpose: str | None = None, order: Literal["asc", "desc"] | None = None,
                   after: str | None = None, page_size: int | None = None) -> Iterator[FileObject]:
        self._files_page_call(purpose, page_size, order, after)  # bad arguments raise here, not on next()
        return self._pages(lambda a: self._files_page_call(purpose, page_size, order, a), FileObject.from_wire, after)

    def delete_file(self, file_id: str) -> bool:
        """Delete an uploaded file; ``True`` when the service says it is deleted."""
        return self._json(self._send(self._file_call("DELETE", file_id))).get("deleted") is True

    def file_content(self, file_id: str, *, container_id: str | None = None) -> bytes:
        """A file's bytes, in memory (use :meth:`download_file` for large files)."""
        return self._send(self._file_call("GET", file_id, container_id=container_id, content=True)).content

    def download_file(self, file_id: str, destination: str | os.PathLike[str], *,
                      container_id: str | None = None) -> Path:
        """Stream a file to disk, chunk by chunk; returns where it landed.

        ``container_id``: a file code interpreter made (``cfile_...`` in ``container_...``), read
        from ``/openai/v1/containers/{container_id}/files/{file_id}/content``. ``destination`` is a
        file path, or a directory: the file then keeps its own name (from its metadata, else the
        id). The body goes to a temporary file beside the destination, renamed into place at the
        end, so an interrupted download never leaves a truncated file under the final name.
        """
        call, lookup = self._download_start(file_id, destination, container_id)
        name = None
        if lookup:
            name = (self.get_container_file(container_id, file_id) if container_id is not None
                    else self.get_file(file_id)).filename
        target = download_target(destination, name, file_id)
        response = self._send(call)
        try:
            with PartialDownload(target) as sink:
                try:
                    for chunk in response.iter_bytes(CHUNK_BYTES):
                        sink.write(chunk)
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    raise _body_error(exc, response) from exc
                return sink.commit()
        finally:
            response.close()

    def list_container_files(self, container_id: str, *, limit: int | None = None,
                             order: Literal["asc", "desc"] | None = None,
                             after: str | None = None) -> ContainerFileList:
        """One page of a code interpreter container's files."""
        call = self._container_files_page_call(container_id, limit, order, after)
        return ContainerFileList.from_wire(self._json(self._send(call)))

    def get_container_file(self, container_id: str, file_id: str) -> ContainerFile:
        return ContainerFile.from_wire(self._json(self._send(self._file_call("GET", file_id,
                                                                             container_id=container_id))))

    def close(self) -> None:
        if self._owns_http:
            self._http.close()
        close_provider(self._auth)

    def __enter__(self) -> FoundryAgentsClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncFoundryAgentsClient(_ClientBase):
    """Async twin of :class:`FoundryAgentsClient`; same arguments, same methods, awaited.

    One client may be used from any event loop (successive ``asyncio.run`` calls, pytest-asyncio's
    per-test loops, notebooks): it keeps one connection pool per running loop, released when that
    loop shuts down or at :meth:`close`. An ``http_client=`` you pass is used as given, and an
    ``httpx.AsyncClient`` is bound to the loop it first runs in: use it from that loop only.

    Example:
        >>> async with AsyncFoundryAgentsClient(endpoint, api_key=token) as client:  # doctest: +SKIP
        ...     stream = await client.stream_response("echo", input="Hello")
        ...     async for text in stream.text_deltas():
        ...         print(text, end="")
    """

    _is_async = True

    def __init__(self, project_endpoint: str | ProjectEndpoint | None = None, *,
                 http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        if http_client is not None:
            kwargs["http_async_client"] = http_client  # validated with the other connection arguments
        super().__init__(project_endpoint, **kwargs)
        http_client = self.connection.http_async_client
        self._owns_http = http_client is None
        self._given_http = http_client
        self._pools: PerLoop[httpx.AsyncClient] = PerLoop(
            lambda: httpx.AsyncClient(limits=DEFAULT_LIMITS), lambda pool: pool.aclose())

    async def _http(self) -> httpx.AsyncClient:
        """The ``http_client`` given, else this event loop's own pool."""
        if self._given_http is not None:
            return self._given_http
        return await self._pools.get()

    async def _send(self, call: Call) -> httpx.Response:
        response = await adrive(self._flow(call), await self._http(), self._auth, self.connection.rate_limiter)
        if not call.stream:
            await response.aread()
        return response

    async def create_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AgentResponse:
        call = self._response_call(agent, options, stream=False)
        if (span := AgentSpan.start(call)) is None:
            return self._to_response(await self._send(call))
        with span.current():
            return span.done(self._to_response(await self._send(call)))  # type: ignore[no-any-return]

    async def stream_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AsyncResponseStream:
        call = self._response_call(agent, options, stream=True)
        resume = self._resume_options(options)
        if (span := AgentSpan.start(call)) is None:
            return AsyncResponseStream(await self._send(call), reconnect=self._reconnect, **resume)
        with span.current(end=False):
            return AsyncResponseStream(await self._send(call), span, reconnect=self._reconnect, **resume)

    async def _reconnect(self, response_id: str, starting_after: int | None) -> httpx.Response:
        return await self._send(self._resume_call(response_id, starting_after))

    async def resume_stream(self, response: str | AgentResponse | ContinuationToken, /) -> AsyncResponseStream:
        token = ContinuationToken.coerce(response)
        answer = await self._reconnect(token.response_id, token.sequence_number)
        stream = AsyncResponseStream(answer, reconnect=self._reconnect)
        stream._prime(token)
        return stream

    async def wait_for_response(self, response: str | AgentResponse | ContinuationToken, /, *,
                                timeout: float | None = DEFAULT_WAIT_TIMEOUT,
                                poll_interval: float = DEFAULT_POLL_INTERVAL,
                                max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL) -> AgentResponse:
        if isinstance(response, AgentResponse) and is_terminal(response.status):
            return response
        token, schedule = self._wait_start(response, timeout, poll_interval, max_poll_interval, time.monotonic())
        while True:
            answer = await self._send(self._get_response_call(token.response_id))
            result = self._to_response(answer)
            delay = schedule.next_delay(result, answer.headers, time.monotonic())
            if delay is None:
                return result
            await asyncio.sleep(delay)

    async def get_response(self, response_id: str) -> AgentResponse:
        return self._to_response(await self._send(self._get_response_call(response_id)))

    async def delete_response(self, response_id: str) -> None:
        await self._send(self._delete_response_call(response_id))

    async def cancel_response(self, response_id: str) -> AgentResponse:
        return self._to_response(await self._send(self._cancel_response_call(response_id)))

    async def create_conversation(self, *, items: InputLike | None = None, metadata: Mapping[str, str] | None = None,
                                  agent: str | AgentRef | None = None) -> Conversation:
        call = self._create_conversation_call(items, metadata, agent)
        return Conversation.from_wire(self._json(await self._send(call)))

    async def get_conversation(self, conversation_id: str) -> Conversation:
        return Conversation.from_wire(self._json(await self._send(self._conversation_call("GET", conversation_id))))

    async def update_conversation(self, conversation_id: str, *, metadata: Mapping[str, str]) -> Conversation:
        call = self._conversation_call("POST", conversation_id, {"metadata": dict(metadata)})
        return Conversation.from_wire(self._json(await self._send(call)))

    async def delete_conversation(self, conversation_id: str) -> bool:
        return bool(self._json(await self._send(self._conversation_call("DELETE", conversation_id))).get("deleted"))

    async def add_conversation_items(self, conversation_id: str, items: InputLike) -> ItemList:
        return ItemList.from_wire(self._json(await self._send(self._add_items_call(conversation_id, items))))

    async def list_conversation_items(self, conversation_id: str, *, limit: int | None = None,
                                      order: Literal["asc", "desc"] | None = None,
                                      after: str | None = None) -> ItemList:
        call = self._list_items_call(conversation_id, limit, order, after)
        return ItemList.from_wire(self._json(await self._send(call)))

    async def get_conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        return dict(self._json(await self._send(self._item_call("GET", conversation_id, item_id))))

    async def delete_conversation_item(self, conversation_id: str, item_id: str) -> Conversation:
        return Conversation.from_wire(self._json(await self._send(self._item_call("DELETE", conversation_id, item_id))))

    async def get_agent(self, name: str) -> Agent:
        return Agent.from_wire(self._json(await self._send(self._agent_call(name))))

    async def list_agents(self) -> list[Agent]:
        return [agent async for agent in self.aiter_agents()]

    async def list_agent_versions(self, name: str) -> list[AgentVersion]:
        """Every version of agent ``name``, newest first (all pages, like :meth:`list_agents`)."""
        return [version async for version in self.aiter_agent_versions(name)]

    async def get_agent_version(self, name: str, version: str | int | None = None) -> AgentVersion:
        ref = AgentRef.parse(name, version=version)
        if ref.version is None:
            latest = (await self.get_agent(ref.name)).latest
            if latest is None:
                raise FoundryConfigError(f"agent {ref.name!r} has no versions")
            return latest
        return AgentVersion.from_wire(self._json(await self._send(self._agent_call(ref.name, ref.version))))

    # -- hosted agent sessions, retrieval and paging (issue 13) ----------------------------------
    async def _apages(self, call_for: Callable[[str | None], Call], parse: Callable[[Any], T],
                      after: str | None) -> AsyncIterator[T]:
        while True:
            raw = self._json(await self._send(call_for(after)))
            for item in page_data(raw):
                yield parse(item)
            after = next_after(raw)
            if after is None:
                return

    async def retrieve_response(self, response_id: str, *, include: Sequence[str] | None = None) -> AgentResponse:
        return self._to_response(await self._send(self._get_response_with_include(response_id, include)))

    async def list_input_items(self, response_id: str, *, limit: int | None = None,
                               order: Literal["asc", "desc"] | None = None, after: str | None = None,
                               include: Sequence[str] | None = None) -> ItemList:
        call = self._page_call(self._input_items_url(response_id), limit=limit, order=order, after=after,
                               include=include)
        return ItemList.from_wire(self._json(await self._send(call)))

    def aiter_input_items(self, response_id: str, *, order: Literal["asc", "desc"] | None = None,
                          after: str | None = None, page_size: int | None = None,
                          include: Sequence[str] | None = None) -> AsyncIterator[dict[str, Any]]:
        url = self._input_items_url(response_id)
        return self._apages(lambda a: self._page_call(url, limit=page_size, order=order, after=a, include=include),
                            _item, after)

    def aiter_conversation_items(self, conversation_id: str, *, order: Literal["asc", "desc"] | None = None,
                                 after: str | None = None,
                                 page_size: int | None = None) -> AsyncIterator[dict[str, Any]]:
        url = self._items_url(conversation_id)
        return self._apages(lambda a: self._page_call(url, limit=page_size, order=order, after=a), _item, after)

    def aiter_agents(self, *, order: Literal["asc", "desc"] | None = None, after: str | None = None,
                     page_size: int | None = None) -> AsyncIterator[Agent]:
        url = self.endpoint.agents_url()
        return self._apages(lambda a: self._page_call(url, limit=page_size, order=order, after=a),
                            Agent.from_wire, after)

    def aiter_agent_versions(self, name: str, *, order: Literal["asc", "desc"] | None = None,
                             after: str | None = None, page_size: int | None = None) -> AsyncIterator[AgentVersion]:
        url = self._versions_url(name)
        return self._apages(lambda a: self._page_call(url, limit=page_size, order=order, after=a),
                            AgentVersion.from_wire, after)

    async def create_session(self, agent: str | AgentRef, *, isolation_key: str | None = None,
                             agent_version: str | int | None = None) -> AgentSession:
        call = self._create_session_call(agent, isolation_key, agent_version)
        return AgentSession.from_wire(self._json(await self._send(call)))

    async def get_session(self, agent: str | AgentRef, session_id: str, *,
                          isolation_key: str | None = None) -> AgentSession:
        call = self._session_call("GET", agent, session_id, isolation_key)
        return AgentSession.from_wire(self._json(await self._send(call)))

    async def delete_session(self, agent: str | AgentRef, session_id: str, *,
                             isolation_key: str | None = None) -> None:
        await self._send(self._session_call("DELETE", agent, session_id, isolation_key))

    async def stop_session(self, agent: str | AgentRef, session_id: str, *,
                           isolation_key: str | None = None) -> None:
        await self._send(self._session_call("POST", agent, session_id, isolation_key, ":stop"))

    def aiter_sessions(self, agent: str | AgentRef, *, isolation_key: str | None = None,
                       order: Literal["asc", "desc"] | None = None, after: str | None = None,
                       page_size: int | None = None) -> AsyncIterator[AgentSession]:
        return self._apages(lambda a: self._sessions_page_call(agent, isolation_key, page_size, order, a),
                            AgentSession.from_wire, after)
    # -- end of the issue-13 block ---------------------------------------------------------------

    # -- files and container files (issue 14; docs/files.md) ------------------------------------
    async def upload_file(self, file: FileSource, *, filename: str | None = None,
                          purpose: str = "assistants") -> FileObject:
        purpose = check_purpose(purpose)
        source = upload_source(file, filename=filename)
        with source.opened() as handle:
            return FileObject.from_wire(self._json(await self._send(self._upload_call(source, handle, purpose))))

    async def get_file(self, file_id: str) -> FileObject:
        return FileObject.from_wire(self._json(await self._send(self._file_call("GET", file_id))))

    async def list_files(self, *, purpose: str | None = None, limit: int | None = None,
                         order: Literal["asc", "desc"] | None = None, after: str | None = None) -> FileList:
        return FileList.from_wire(self._json(await self._send(self._files_page_call(purpose, limit, order, after))))

    def aiter_files(self, *, purpose: str | None = None, order: Literal["asc", "desc"] | None = None,
                    after: str | None = None, page_size: int | None = None) -> AsyncIterator[FileObject]:
        self._files_page_call(purpose, page_size, order, after)
        return self._apages(lambda a: self._files_page_call(purpose, page_size, order, a), FileObject.from_wire,
                            after)

    async def delete_file(self, file_id: str) -> bool:
        return self._json(await self._send(self._file_call("DELETE", file_id))).get("deleted") is True

    async def file_content(self, file_id: str, *, container_id: str | None = None) -> bytes:
        return (await self._send(self._file_call("GET", file_id, container_id=container_id, content=True))).content

    async def download_file(self, file_id: str, destination: str | os.PathLike[str], *,
                            container_id: str | None = None) -> Path:
        call, lookup = self._download_start(file_id, destination, container_id)
        name = None
        if lookup:
            name = (await self.get_container_file(container_id, file_id) if container_id is not None
                    else await self.get_file(file_id)).filename
        target = download_target(destination, name, file_id)
        response = await self._send(call)
        try:
            with PartialDownload(target) as sink:
                try:
                    async for chunk in response.aiter_bytes(CHUNK_BYTES):
                        sink.write(chunk)
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    raise _body_error(exc, response) from exc
                return sink.commit()
        finally:
            await response.aclose()

    async def list_container_files(self, container_id: str, *, limit: int | None = None,
                                   order: Literal["asc", "desc"] | None = None,
                                   after: str | None = None) -> ContainerFileList:
        call = self._container_files_page_call(container_id, limit, order, after)
        return ContainerFileList.from_wire(self._json(await self._send(call)))

    async def get_container_file(self, container_id: str, file_id: str) -> ContainerFile:
        call = self._file_call("GET", file_id, container_id=container_id)
        return ContainerFile.from_wire(self._json(await self._send(call)))

    async def close(self) -> None:
        """Close this loop's pool (other loops' pools close as their loops next run or end) and
        the credential this client created."""
        await self._pools.aclose()
        await aclose_provider(self._auth)

    def _drop(self) -> None:
        """Sync release: each open loop closes its pool when it next runs; close the credential."""
        self._pools.clear()
        close_provider(self._auth)

    async def __aenter__(self) -> AsyncFoundryAgentsClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

