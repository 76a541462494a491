"""``ChatFoundryAgent``: a Foundry v2 agent as a LangChain chat model.

A thin shell: messages are mapped by :mod:`._messages`, responses and stream events by
:mod:`._outputs`; transport, retries, streaming and continuation are the core's
(:class:`foundry_agents.FoundryAgent`). Sync and async paths share every line but the call.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core import __version__ as _langchain_core_version
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    LangSmithParams,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.rate_limiters import BaseRateLimiter
from langchain_core.runnables import Runnable, RunnableConfig, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, Field, PrivateAttr, field_validator

from foundry_agents import (
    AgentResponse,
    AgentVersion,
    FoundryAgent,
    Message,
    ToolCallProgress,
    WorkflowActionUpdated,
)
from foundry_agents._arguments import check_arguments
from foundry_agents.background import DEFAULT_WAIT_TIMEOUT
from foundry_agents.connection_fields import ConnectionFields
from foundry_agents.errors import APIError, FoundryAgentsError
from foundry_agents.options import adapter_defaults, from_adapter
from foundry_agents.tokens import count_message_tokens, count_text_tokens

from ._messages import PROVIDER, to_neutral_messages
from ._outputs import ChunkMapper, to_ai_message
from ._server_calls import ServerCalls
from ._workflow_events import (
    TOOL_PROGRESS_EVENT,
    adispatch_actions,
    dispatch_actions,
    response_actions,
    streaming_run,
    tool_progress_data,
)
from .errors import translate_errors
from .rate_limiters import as_langchain_limiter, core_limiter
from .structured import AgentJSONParser
from .tools import check_agent_tools as check_declared
from .tools import tool_choice_option, tool_names

__all__ = ["ChatFoundryAgent"]

#: How long a fetched agent definition is trusted by :meth:`ChatFoundryAgent.bind_tools`.
DEFINITION_TTL_SECONDS = 300.0
_USER_AGENT = f"langchain-core/{_langchain_core_version}"
_BUILD_LOCK = threading.Lock()


class _CoreSlot:
    """Holds the lazily built core agent (HTTP pools, credential). Lifecycle rule, the same in the
    LlamaIndex adapter: copies with unchanged settings (``copy``, ``deepcopy``, ``model_copy()``)
    share it; ``model_copy(update=...)`` and unpickled models start empty and build their own
    from their fields on first use."""

    __slots__ = ("agent", "definition")

    def __init__(self) -> None:
        self.agent: FoundryAgent | None = None
        self.definition: tuple[float, AgentVersion] | None = None

    def __reduce__(self) -> Any:
        return (_CoreSlot, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> _CoreSlot:
        return self


class ChatFoundryAgent(ConnectionFields, ServerCalls, BaseChatModel):
    """A Microsoft Foundry Agent Service v2 agent as a LangChain chat model.

    The agent definition (model, instructions, tools, output format) lives in Foundry; this
    class sends only the conversation. Per-request ``tools``, ``temperature``, ``model`` or a
    response format are refused by the service and are never sent.

    Continuity, three ways: an ``AIMessage`` this model returned carries its response id
    (``AIMessage.id``), so passing the history back chains with ``previous_response_id`` and sends
    only the new messages; or set ``conversation_id`` (on the model, ``.bind(...)`` or per call);
    or ``store=False`` to replay the whole history statelessly.

    Connection fields (``project_endpoint``, ``credential``, ``api_key``, ``tenant_id``,
    ``client_id``, ``client_secret``, ``route``, ``timeout``, ``max_retries``, ``default_headers``,
    ``http_client``, ...) are the core's :class:`~foundry_agents.connection.ConnectionSettings`
    arguments, declared once in :mod:`foundry_agents.connection_fields`; ``api_key`` defaults to
    ``$FOUNDRY_API_KEY``. Unknown or refused keyword arguments raise.

    Example:
        >>> llm = ChatFoundryAgent("weather:3", project_endpoint=endpoint)  # doctest: +SKIP
        >>> reply = llm.invoke("Weather in Paris?")  # doctest: +SKIP
        >>> llm.invoke([HumanMessage("Weather in Paris?"), reply, HumanMessage("And Lyon?")])  # doctest: +SKIP
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    agent: str
    """``"name"``, ``"name:version"`` or ``"azure_ai/agents/name:version"``."""
    agent_version: str | None = None
    """Pins a version (alternative to ``"name:version"``); latest when neither is given."""
    # Default call options: one field per "default" row of foundry_agents.options.OPTIONS, under
    # its adapter name (tests/langchain/test_options.py holds them equal to the table).
    conversation_id: str | None = None
    """A server-side conversation (``conv_...``) to continue on every call."""
    previous_response_id: str | None = None
    """A response to continue from (``AIMessage.id`` of a reply; chaining does this by itself)."""
    store: bool | None = None
    """``False`` for stateless replay of the whole history."""
    background: bool | None = None
    """Run each call as a background response: ``invoke`` waits for it (polling, at most
    ``wait_timeout`` seconds), ``stream`` resumes a cut stream; the message's
    ``response_metadata["continuation_token"]`` lets a later process :meth:`resume` it."""
    keep_uploads: bool | None = None
    """Keep the files uploaded for local or large image/file blocks (default: deleted after each
    call; docs/files.md). Per call, ``uploads=UploadedFiles()`` reports what was uploaded."""
    wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT
    """How long ``invoke`` waits for a background response (seconds; ``None``: no limit). Then
    :class:`~langchain_foundry_agents.errors.WaitTimeoutError` carries ``continuation_token``."""
    structured_inputs: dict[str, Any] | None = None
    """Values for ``{{variables}}`` in the agent's instructions."""
    request_metadata: dict[str, str] | None = None
    """The Responses ``metadata`` field (``metadata`` is LangChain's tracing metadata)."""
    include: list[str] | None = None
    tool_choice: Any = None
    max_output_tokens: int | None = None
    truncation: Literal["auto", "disabled"] | None = None
    extra_body: dict[str, Any] | None = None
    """More request body fields, sent as given (refused fields still raise)."""
    system_message_role: Literal["system", "developer", "refuse"] = "system"
    """What a ``SystemMessage`` becomes: a system or developer item, or an error."""
    auto_chain: bool = True
    """Chain from this agent's last reply in the history with ``previous_response_id``."""
    streaming: bool = False
    """Use the streaming call for ``invoke`` too (langchain-core's ``_should_stream`` reads it)."""
    check_agent_tools: bool = True
    """Default of ``bind_tools(check_agent_tools=...)``."""
    rate_limiter: BaseRateLimiter | None = Field(default=None, exclude=True)
    """LangChain's own slot, shared with the core's ``rate_limiter`` connection argument: a
    :class:`foundry_agents.SharedRateLimiter` (or ``RayRateLimiter``) given here is wrapped in a
    :class:`~langchain_foundry_agents.rate_limiters.FoundryRateLimiter` and paces every send,
    adapting to 429s seen by any model sharing it; any other ``BaseRateLimiter`` is acquired by
    LangChain once per call, as for every chat model."""

    @field_validator("rate_limiter", mode="before")
    @classmethod
    def _wrap_core_limiter(cls, value: Any) -> Any:
        return as_langchain_limiter(value)

    def _connection_argument(self, name: str) -> Any:
        if name == "rate_limiter":
            return core_limiter(self.rate_limiter)
        return super()._connection_argument(name)

    def __init__(self, agent: str | None = None, /, **kwargs: Any) -> None:
        if agent is not None:
            kwargs["agent"] = agent
        check_arguments(kwargs, valid=type(self).model_fields, where="ChatFoundryAgent(...)")
        if isinstance(kwargs.get("agent_version"), int):
            kwargs["agent_version"] = str(kwargs["agent_version"])
        super().__init__(**kwargs)
        self.foundry_agent  # noqa: B018 -- validate agent and endpoint now (no network)

    _slot: _CoreSlot = PrivateAttr(default_factory=_CoreSlot)

    # -- the core ---------------------------------------------------------------------------------
    @property
    def foundry_agent(self) -> FoundryAgent:
        """The core :class:`~foundry_agents.FoundryAgent` (built on first use, no network)."""
        slot = self._slot
        if slot.agent is None:
            with _BUILD_LOCK:
                if slot.agent is None:
                    slot.agent = self._build_core()
        return slot.agent

    def _build_core(self) -> FoundryAgent:
        return FoundryAgent(
            self.agent,
            agent_version=self.agent_version,
            connection=self.connection_settings(user_agent_extra=_USER_AGENT),
            system_message_role=self.system_message_role,
            auto_chain=self.auto_chain,
            wait_timeout=self.wait_timeout,
            **adapter_defaults(self),
        )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._slot = _CoreSlot()
        return copy

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP clients and credential this model built (not ones passed in); the next
        call opens new ones. Copies sharing the core (see :class:`_CoreSlot`) are closed with it."""
        agent = self._slot.agent
        if agent is not None:
            agent.close()

    async def aclose(self) -> None:
        """Like :meth:`close`, awaiting the current event loop's connection pool."""
        agent = self._slot.agent
        if agent is not None:
            await agent.aclose()

    def __enter__(self) -> ChatFoundryAgent:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> ChatFoundryAgent:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    # -- LangChain metadata ---------------------------------------------------------------------
    @property
    def _llm_type(self) -> str:
        return "azure-foundry-agent"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "FOUNDRY_API_KEY"}

    @property
    def _reference(self) -> str:
        return str(self.foundry_agent.ref)

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"agent": self._reference, "project_endpoint": self.foundry_agent.endpoint,
                "route": self.foundry_agent.connection.route.value, "system_message_role": self.system_message_role,
                "conversation_id": self.conversation_id, "store": self.store}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(ls_provider=PROVIDER, ls_model_name=self._reference, ls_model_type="chat")
        if stop:
            params["ls_stop"] = stop
        return params

    # -- calls ----------------------------------------------------------------------------------
    def _prepare(self, messages: list[BaseMessage], stop: list[str] | None,
                 kwargs: dict[str, Any]) -> tuple[list[Message], dict[str, Any]]:
        if stop:
            raise ValueError(
                "stop sequences cannot be sent to a Foundry agent (the Responses API has no stop "
                "parameter); trim the answer in your chain instead"
            )
        return to_neutral_messages(messages), from_adapter(kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        neutral, options = self._prepare(messages, stop, kwargs)
        with translate_errors():
            response = self.foundry_agent.respond(neutral, **options)
        dispatch_actions(run_manager, response_actions(response))
        return _result(response)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        neutral, options = self._prepare(messages, stop, kwargs)
        with translate_errors():
            response = await self.foundry_agent.arespond(neutral, **options)
        await adispatch_actions(run_manager, response_actions(response))
        return _result(response)

    # langchain-core does not always hand _stream/_astream the run manager: these four pin the
    # run id so a workflow agent's actions reach callbacks as custom events of this run.
    def invoke(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
               stop: list[str] | None = None, **kwargs: Any) -> AIMessage:
        with streaming_run(config) as pinned:
            return super().invoke(input, pinned, stop=stop, **kwargs)

    async def ainvoke(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
                      stop: list[str] | None = None, **kwargs: Any) -> AIMessage:
        with streaming_run(config) as pinned:
            return await super().ainvoke(input, pinned, stop=stop, **kwargs)

    def stream(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
               stop: list[str] | None = None, **kwargs: Any) -> Iterator[AIMessageChunk]:
        with streaming_run(config) as pinned:
            yield from super().stream(input, pinned, stop=stop, **kwargs)

    async def astream(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
                      stop: list[str] | None = None, **kwargs: Any) -> AsyncIterator[AIMessageChunk]:
        with streaming_run(config) as pinned:
            async for chunk in super().astream(input, pinned, stop=stop, **kwargs):
                yield chunk

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        neutral, options = self._prepare(messages, stop, kwargs)
        mapper = ChunkMapper(lean_deltas=self.output_version != "v1")
        with translate_errors():
            for event in self.foundry_agent.stream(neutral, **options):
                if isinstance(event, WorkflowActionUpdated):
                    dispatch_actions(run_manager, [event.data()])
                elif isinstance(event, ToolCallProgress):
                    dispatch_actions(run_manager, [tool_progress_data(event)], TOOL_PROGRESS_EVENT)
                chunk = mapper.feed(event)
                if chunk is not None:
                    yield ChatGenerationChunk(message=chunk)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        neutral, options = self._prepare(messages, stop, kwargs)
        mapper = ChunkMapper(lean_deltas=self.output_version != "v1")
        with translate_errors():
            async for event in self.foundry_agent.astream(neutral, **options):
                if isinstance(event, WorkflowActionUpdated):
                    await adispatch_actions(run_manager, [event.data()])
                elif isinstance(event, ToolCallProgress):
                    await adispatch_actions(run_manager, [tool_progress_data(event)], TOOL_PROGRESS_EVENT)
                chunk = mapper.feed(event)
                if chunk is not None:
                    yield ChatGenerationChunk(message=chunk)

    # -- tools ----------------------------------------------------------------------------------
    def agent_definition(self) -> AgentVersion:
        """The agent definition this model calls (one GET, cached for a few minutes)."""
        slot = self._slot
        cached = slot.definition
        if cached is not None and time.monotonic() - cached[0] < DEFINITION_TTL_SECONDS:
            return cached[1]
        with translate_errors():
            definition = self.foundry_agent.describe()
        slot.definition = (time.monotonic(), definition)
        return definition

    def bind_tools(
        self,
        tools: Sequence[Mapping[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | Mapping[str, Any] | None = None,
        strict: bool | None = None,
        check_agent_tools: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind client-side tool implementations: **no tools are sent** (the agent declares them).

        Checks each tool's name against the function tools of the agent definition (an error names
        the tool and the declared functions; ``check_agent_tools=False`` skips the check, ``None``
        uses the model's ``check_agent_tools`` field; if the
        definition cannot be fetched, a warning is issued and binding goes on) and binds
        ``tool_choice`` (``"auto"``, ``"required"``/``"any"``, ``"none"`` or a tool name).
        ``strict`` is accepted for compatibility and ignored: the agent definition decides it.

        Example:
            >>> from langchain.agents import create_agent  # doctest: +SKIP
            >>> graph = create_agent(ChatFoundryAgent("weather", ...), tools=[get_weather])  # doctest: +SKIP
        """
        names = tool_names(tools)
        if (self.check_agent_tools if check_agent_tools is None else check_agent_tools) and names:
            self._check_tools(names)
        choice = tool_choice_option(tool_choice, names)
        if choice is not None:
            kwargs["tool_choice"] = choice
        return self.bind(**kwargs)

    def _check_tools(self, names: list[str]) -> None:
        try:
            definition = self.agent_definition()
        except (APIError, FoundryAgentsError) as exc:
            warnings.warn(
                f"could not fetch the definition of agent {self._reference!r} to check the bound "
                f"tools {names} ({exc}); binding them unchecked",
                stacklevel=3,
            )
            return
        check_declared(names, definition)

    # -- structured output -----------------------------------------------------------------------
    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Validate the agent's JSON answer against ``schema`` (nothing extra is sent).

        The agent definition must produce JSON (a JSON-schema output format or instructions);
        per-request response formats are refused by the service. Answers that are not JSON or
        do not match raise ``OutputParserException`` (or land in ``parsing_error`` with
        ``include_raw=True``).

        Example:
            >>> llm.with_structured_output(CalendarEvent).invoke("Standup at 9 on Monday")  # doctest: +SKIP
            CalendarEvent(name='Standup', ...)
        """
        if kwargs:
            raise ValueError(f"unexpected arguments {sorted(kwargs)}")
        if method not in ("json_schema", "json_mode"):
            raise ValueError(
                f"method={method!r} is not available: it needs tools or a response format in the "
                "request, which the service refuses next to an agent; use 'json_schema' or 'json_mode'"
            )
        if method == "json_schema" and schema is None:
            raise ValueError("method='json_schema' needs a schema")
        llm = self.bind(ls_structured_output_format={"kwargs": {"method": method}, "schema": schema})
        parser = AgentJSONParser(target_schema=schema)
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        failed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parsed.with_fallbacks([failed], exception_key="parsing_error")

    # -- token counting (estimates without transformers; see docs/langchain.md) ----------------
    def get_num_tokens(self, text: str) -> int:
        """Estimated tokens of ``text``: tiktoken (``o200k_base``) when its encoding is available
        offline, else a word-based heuristic; ``custom_get_token_ids`` wins when set."""
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens(text)
        return count_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Estimated input tokens of ``messages`` as this model sends them (``trim_messages``'s
        ``token_counter=llm``). ``tools`` are ignored: the agent definition holds the tools, so
        their tokens are counted on the service, like the agent's instructions."""
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens_from_messages(messages, tools)
        return count_message_tokens(to_neutral_messages(messages))


def _result(response: AgentResponse) -> ChatResult:
    message = to_ai_message(response)
    return ChatResult(generations=[ChatGeneration(message=message)],
                      llm_output={"id": response.id, "model_name": response.model_name})
