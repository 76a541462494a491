"""A handle on one agent: what both framework adapters delegate to.

:class:`FoundryAgent` holds the agent reference and default call options, creates its clients
lazily (nothing touches the network at construction), decides how a chat history continues
(docs/protocol.md, "Conversation state"), and calls the agent in any of the four modes. It holds
no per-conversation state, so one instance may serve many threads and conversations at once.

Continuity, decided per call by :meth:`FoundryAgent.plan` (pure):

1. A ``conversation`` id (configured or per call): the service holds the history, so only the
   messages after the last agent-produced assistant message are sent.
2. An explicit ``previous_response_id``: likewise only the newer messages are sent.
3. Automatic chaining (default, unless ``store=False``): when the history holds an assistant
   message this agent produced (it carries ``response_id``), send the messages after it with
   ``previous_response_id`` set to that id, whatever the id's prefix.
4. Stateless replay: otherwise, the whole history is sent.

Hosted agents: in every mode, the ``agent_session_id`` of this agent's latest reply in the history
(``Message.agent_session_id``) is sent again unless the call names one, so the agent's session
continues (docs/protocol.md, "Hosted agents").
Background calls: with ``background=True`` (default or per call), :meth:`FoundryAgent.respond`
creates the response, which returns at once, then waits for it (polling, see
:meth:`~foundry_agents.FoundryAgentsClient.wait_for_response`) for at most ``wait_timeout``
seconds; :meth:`FoundryAgent.stream` streams it and resumes a cut stream. A caller that gave up
(:class:`~foundry_agents.errors.WaitTimeoutError`, or a process that stopped) picks the response up
again with :meth:`FoundryAgent.resume` / :meth:`FoundryAgent.resume_stream` and its
:class:`~foundry_agents.background.ContinuationToken` (or just the response id).

System and developer messages are never dropped: when only the newer messages are sent, every
system/developer message of the history is sent again in front of them (query and chat engines
put fresh retrieved context there on every turn).

Example:
    >>> agent = FoundryAgent("echo:1", project_endpoint=endpoint, api_key="...")  # doctest: +SKIP
    >>> agent.respond([Message("user", "Hello")]).output_text  # doctest: +SKIP
    'Echo: Hello'
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .background import DEFAULT_WAIT_TIMEOUT, ContinuationToken
from .client import AsyncFoundryAgentsClient, FoundryAgentsClient
from .connection import ConnectionSettings, pop_connection_arguments
from .errors import FoundryConfigError, WaitTimeoutError
from .messages import Message, SystemRoleMode, to_input_items
from .options import call_options, check_values
from .reference import AgentRef
from .request import check_refused
from .resources import AgentVersion
from .response import AgentResponse
from .streaming import StreamEvent
from .uploads import InputUploads

__all__ = ["CallPlan", "FoundryAgent"]

@dataclass(frozen=True, slots=True)
class CallPlan:
    """What one call sends: the input items and the options (continuation included)."""

    input: list[dict[str, Any]]
    options: dict[str, Any]

    @property
    def mode(self) -> str:
        if self.options.get("conversation"):
            return "conversation"
        if self.options.get("previous_response_id"):
            return "chained"
        return "stateless"


class FoundryAgent:
    """One Foundry v2 agent with default call options; see the module docstring.

    Args:
        agent: ``"name"``, ``"name:version"`` or ``"azure_ai/agents/name:version"``.
        agent_version: pins a version (alternative to ``"name:version"``).
        system_message_role: ``"system"`` (default), ``"developer"``, or ``"refuse"``.
        auto_chain: chain from agent-produced history with ``previous_response_id``.
        wait_timeout: how long a ``background=True`` call waits for its response, in seconds
            (``None``: no limit; per call: ``wait_timeout=``); then
            :class:`~foundry_agents.errors.WaitTimeoutError` carries a continuation token.
        connection: ready :class:`~foundry_agents.connection.ConnectionSettings`; or pass its
            arguments here (``project_endpoint``, ``credential``, ``api_key``, ``timeout``,
            ``max_retries``, ``http_client``, ``http_async_client``, ``default_headers``,
            ``route``, ...), validated at construction. Both modes' clients are built from it.
        client / async_client: ready clients to share (without connection arguments, the other
            mode's client is built from the given client's settings).
        Remaining keywords are default call options: any of
            :func:`foundry_agents.options.call_options` (``conversation``, ``store``, ``tool_choice``,
            ``structured_inputs``, ``metadata``, ``include``, ...), checked here.
    """

    def __init__(
        self,
        agent: str | AgentRef,
        *,
        agent_version: str | int | None = None,
        connection: ConnectionSettings | None = None,
        client: FoundryAgentsClient | None = None,
        async_client: AsyncFoundryAgentsClient | None = None,
        system_message_role: SystemRoleMode = "system",
        auto_chain: bool = True,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        **options: Any,
    ) -> None:
        self.ref = AgentRef.parse(agent, version=agent_version)
        self.wait_timeout = _check_wait_timeout(wait_timeout)
        if system_message_role not in ("system", "developer", "refuse"):
            raise FoundryConfigError(
                f"system_message_role must be 'system', 'developer' or 'refuse', got {system_message_role!r}"
            )
        self.system_message_role: SystemRoleMode = system_message_role
        self.auto_chain = auto_chain
        arguments = pop_connection_arguments(options)
        self.defaults = self._check_options(options, where="FoundryAgent(...)")
        given = client or async_client
        if connection is None and not arguments and given is not None:
            connection = given.connection  # the other mode's client connects the same way
        # Validates endpoint and auth now (no network): bad input fails at construction.
        self.connection = ConnectionSettings.resolve(connection, **arguments)
        self._client = client
        self._async_client = async_client
        self._given = (client, async_client)  # shared with others: never closed here
        self._lock = threading.Lock()

    # -- configuration --------------------------------------------------------------------------
    @staticmethod
    def _check_options(options: Mapping[str, Any], *, where: str) -> dict[str, Any]:
        names = call_options()
        unknown = [k for k in options if k not in names]
        if unknown:
            check_refused(unknown, where=where)
            raise FoundryConfigError(f"{where} got unexpected option(s) {unknown}; expected some of {names}")
        check_values(options)
        return {k: v for k, v in options.items() if v is not None}

    @property
    def client(self) -> FoundryAgentsClient:
        """The sync client (created on first use)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = FoundryAgentsClient(connection=self.connection)
        return self._client

    @property
    def async_client(self) -> AsyncFoundryAgentsClient:
        """The async client (created on first use)."""
        if self._async_client is None:
            with self._lock:
                if self._async_client is None:
                    self._async_client = AsyncFoundryAgentsClient(connection=self.connection)
        return self._async_client

    @property
    def endpoint(self) -> str | None:
        client = self._client or self._async_client
        return (client.connection if client is not None else self.connection).project_endpoint.url

    def __repr__(self) -> str:
        return f"FoundryAgent(agent={str(self.ref)!r}, endpoint={self.endpoint!r})"

    # -- planning (pure) ------------------------------------------------------------------------
    def plan(self, messages: Sequence[Message], **overrides: Any) -> CallPlan:
        """Decide input items and continuation for ``messages`` (no I/O).

        Local files (``ImagePart(path=...)``) are uploaded by the calls, not here: planning them
        raises :class:`FoundryConfigError` (see :mod:`foundry_agents.uploads`).
        """
        tail, options, _ = self._select(messages, overrides)
        return self._finish(tail, options)

    def _select(self, messages: Sequence[Message],
                overrides: Mapping[str, Any]) -> tuple[list[Message], dict[str, Any], dict[str, Any]]:
        """The messages to send, the call options, and the upload settings (``keep``, ``record``)."""
        options = {**self.defaults, **self._check_options(overrides, where="this call")}
        uploads = {"keep": bool(options.pop("keep_uploads", False)), "record": options.pop("uploads", None)}
        if options.get("conversation") and options.get("previous_response_id"):
            raise FoundryConfigError("pass either conversation or previous_response_id, not both")
        messages = list(messages)
        anchor = self._last_agent_reply(messages)
        stateful = options.get("store") is not False
        if options.get("conversation") or options.get("previous_response_id"):
            tail = self._tail(messages, anchor)
        elif self.auto_chain and stateful and anchor is not None:
            options["previous_response_id"] = messages[anchor].response_id
            tail = self._tail(messages, anchor)
        else:
            tail = messages
        if not options.get("agent_session_id"):
            session = self._last_session(messages)
            if session is not None:  # a hosted agent's session: every later call must resend it
                options["agent_session_id"] = session
        return tail, options, uploads

    def _finish(self, tail: Sequence[Message], options: dict[str, Any]) -> CallPlan:
        items = to_input_items(tail, system_role=self.system_message_role)
        if not items and not options.get("conversation"):
            raise FoundryConfigError(
                "nothing to send: the messages are empty, or hold nothing after the agent's last reply"
            )
        return CallPlan(items, options)

    def _prepare(self, messages: Sequence[Message], overrides: Mapping[str, Any]) -> tuple[CallPlan, InputUploads]:
        """The plan (checked, with placeholder ids where files will be uploaded) and the uploads to do.
        Everything that can fail without the network fails here."""
        tail, options, settings = self._select(messages, overrides)
        uploads = InputUploads(tail, **settings)
        return self._finish(uploads.preview() if uploads else tail, options), uploads

    @staticmethod
    def _tail(messages: list[Message], anchor: int | None) -> list[Message]:
        if anchor is None:
            return messages
        system = [m for m in messages[:anchor] if m.role in ("system", "developer")]
        return system + messages[anchor + 1:]

    def _last_agent_reply(self, messages: Sequence[Message]) -> int | None:
        for index in range(len(messages) - 1, -1, -1):
            msg = messages[index]
            if msg.role == "assistant" and msg.response_id and (msg.agent in (None, self.ref.name)):
                return index
        return None

    def _last_session(self, messages: Sequence[Message]) -> str | None:
        """The ``agent_session_id`` of this agent's latest reply in ``messages`` that has one."""
        for msg in reversed(messages):
            if msg.role == "assistant" and msg.agent_session_id and msg.agent in (None, self.ref.name):
                return msg.agent_session_id
        return None

    # -- calls ----------------------------------------------------------------------------------
    def respond(self, messages: Sequence[Message], **options: Any) -> AgentResponse:
        """The agent's complete response; a ``background`` call is waited for (``wait_timeout``).

        Local and large inputs are uploaded first and deleted after (``keep_uploads``, ``uploads``:
        :mod:`foundry_agents.uploads`)."""
        timeout = self._wait_timeout(options)
        plan, uploads = self._prepare(messages, options)
        try:
            if uploads:
                plan = self._finish(uploads.upload(self.client), plan.options)
            response = self.client.create_response(self.ref, input=plan.input or None, **plan.options)
            if plan.options.get("background"):
                return self.client.wait_for_response(response, timeout=timeout)
            return response
        except WaitTimeoutError:
            uploads.still_running()
            raise
        finally:
            uploads.cleanup(self.client)

    async def arespond(self, messages: Sequence[Message], **options: Any) -> AgentResponse:
        timeout = self._wait_timeout(options)
        plan, uploads = self._prepare(messages, options)
        try:
            if uploads:
                plan = self._finish(await uploads.aupload(self.async_client), plan.options)
            response = await self.async_client.create_response(self.ref, input=plan.input or None, **plan.options)
            if plan.options.get("background"):
                return await self.async_client.wait_for_response(response, timeout=timeout)
            return response
        except WaitTimeoutError:
            uploads.still_running()
            raise
        finally:
            await uploads.acleanup(self.async_client)

    def _wait_timeout(self, options: dict[str, Any]) -> float | None:
        """Pop the per-call ``wait_timeout`` (not a wire option) from ``options``."""
        if "wait_timeout" in options:
            return _check_wait_timeout(options.pop("wait_timeout"))
        return self.wait_timeout

    def resume(self, token: str | ContinuationToken | AgentResponse, *,
               wait_timeout: float | _Default | None = "default") -> AgentResponse:
        """Wait for a response started earlier (perhaps by another process): a continuation token
        (or its string) or a response id in, the finished response out."""
        timeout = self.wait_timeout if wait_timeout == "default" else _check_wait_timeout(wait_timeout)
        return self.client.wait_for_response(ContinuationToken.coerce(token, where="token"), timeout=timeout)

    async def aresume(self, token: str | ContinuationToken | AgentResponse, *,
                      wait_timeout: float | _Default | None = "default") -> AgentResponse:
        timeout = self.wait_timeout if wait_timeout == "default" else _check_wait_timeout(wait_timeout)
        return await self.async_client.wait_for_response(ContinuationToken.coerce(token, where="token"), timeout=timeout)

    def resume_stream(self, token: str | ContinuationToken) -> Iterator[StreamEvent]:
        """The events of a response started earlier, after the token's sequence number (all of
        them for a bare id); the last is ``ResponseDone`` with the complete response."""
        parsed = ContinuationToken.coerce(token, where="token")
        return self._resume_stream(parsed)

    def _resume_stream(self, token: ContinuationToken) -> Iterator[StreamEvent]:
        with self.client.resume_stream(token) as stream:
            yield from stream

    def aresume_stream(self, token: str | ContinuationToken) -> AsyncIterator[StreamEvent]:
        parsed = ContinuationToken.coerce(token, where="token")
        return self._aresume_stream(parsed)

    async def _aresume_stream(self, token: ContinuationToken) -> AsyncIterator[StreamEvent]:
        stream = await self.async_client.resume_stream(token)
        async with stream:
            async for event in stream:
                yield event

    def stream(self, messages: Sequence[Message], **options: Any) -> Iterator[StreamEvent]:
        """Stream neutral events; the last is ``ResponseDone``. The connection closes when done.
        A cut stream of a stored response is resumed where it stopped.

        Bad input raises here, before the first iteration and before any network call. Local and
        large inputs are uploaded when iteration starts, and deleted when the stream ends or is
        closed (unless ``keep_uploads``).
        """
        self._wait_timeout(options)  # accepted (and checked) for symmetry with respond; streams do not poll
        plan, uploads = self._prepare(messages, options)
        return self._stream(plan, uploads)

    def _stream(self, plan: CallPlan, uploads: InputUploads) -> Iterator[StreamEvent]:
        try:
            if uploads:
                plan = self._finish(uploads.upload(self.client), plan.options)
            with self.client.stream_response(self.ref, input=plan.input or None, **plan.options) as stream:
                yield from stream
        finally:
            uploads.cleanup(self.client)

    def astream(self, messages: Sequence[Message], **options: Any) -> AsyncIterator[StreamEvent]:
        """Async twin of :meth:`stream` (planning errors raise at the call, not on first ``anext``)."""
        self._wait_timeout(options)
        plan, uploads = self._prepare(messages, options)
        return self._astream(plan, uploads)

    async def _astream(self, plan: CallPlan, uploads: InputUploads) -> AsyncIterator[StreamEvent]:
        try:
            if uploads:
                plan = self._finish(await uploads.aupload(self.async_client), plan.options)
            stream = await self.async_client.stream_response(self.ref, input=plan.input or None, **plan.options)
            async with stream:
                async for event in stream:
                    yield event
        finally:
            await uploads.acleanup(self.async_client)

    def conversation_items(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        """``messages`` as conversation items, honouring ``system_message_role``."""
        return to_input_items(messages, system_role=self.system_message_role)

    def create_conversation(self, messages: Sequence[Message] = (), *,
                            metadata: Mapping[str, str] | None = None) -> str:
        """Create a server-side conversation seeded with ``messages``; returns its id."""
        items = self.conversation_items(messages) or None
        return self.client.create_conversation(items=items, metadata=metadata, agent=self.ref).id

    async def acreate_conversation(self, messages: Sequence[Message] = (), *,
                                   metadata: Mapping[str, str] | None = None) -> str:
        items = self.conversation_items(messages) or None
        return (await self.async_client.create_conversation(items=items, metadata=metadata, agent=self.ref)).id

    def ask(self, question: str, **options: Any) -> str:
        """One question in, the answer text out (raises if the agent is left with pending work)."""
        return _answer_text(self.respond([Message("user", question)], **options))

    async def aask(self, question: str, **options: Any) -> str:
        return _answer_text(await self.arespond([Message("user", question)], **options))

    def describe(self) -> AgentVersion:
        """The agent definition this reference resolves to (one GET)."""
        return self.client.get_agent_version(self.ref.name, self.ref.version)

    async def adescribe(self) -> AgentVersion:
        return await self.async_client.get_agent_version(self.ref.name, self.ref.version)

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the clients this agent built (HTTP pools, the credential it built); a later call
        opens new ones. Clients passed in as ``client=``/``async_client=`` are left open.

        Async pools of open event loops are handed back to their loops, which close them when
        they next run or shut down; use :meth:`aclose` from a loop to close its pool now.
        """
        client, async_client = self._release()
        if client is not None:
            client.close()
        if async_client is not None:
            async_client._drop()

    async def aclose(self) -> None:
        """Like :meth:`close`, awaiting the current event loop's pool."""
        client, async_client = self._release()
        if client is not None:
            client.close()
        if async_client is not None:
            await async_client.close()

    def _release(self) -> tuple[FoundryAgentsClient | None, AsyncFoundryAgentsClient | None]:
        with self._lock:
            owned = (self._client if self._client is not self._given[0] else None,
                     self._async_client if self._async_client is not self._given[1] else None)
            if owned[0] is not None:
                self._client = None
            if owned[1] is not None:
                self._async_client = None
        return owned

    def __enter__(self) -> FoundryAgent:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> FoundryAgent:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


_Default = Literal["default"]


def _check_wait_timeout(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise FoundryConfigError(f"wait_timeout must be a positive number of seconds or None, got {value!r:.40}")
    return float(value)


def _answer_text(response: AgentResponse) -> str:
    pending = sorted({i.type for i in response.pending_items})
    if pending and not response.output_text:
        raise FoundryConfigError(
            f"agent {response.agent} answered with pending {pending} instead of text; "
            "use run_with_tools(...) to answer its function calls"
        )
    return response.output_text
