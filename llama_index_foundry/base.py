"""``FoundryAgentLLM``: a LlamaIndex function-calling LLM backed by one Foundry v2 agent.

The class is a thin shell: messages are mapped by :mod:`._messages`, responses and stream
events by :mod:`._outputs`; transport, retries, streaming and continuation (conversation,
``previous_response_id`` chaining, stateless replay) live in the core
:class:`~foundry_agents.FoundryAgent`. The LLM holds no conversation state: continuity comes
from the history it is given (assistant messages carry their ``response_id``) or from the
per-call / configured ``conversation_id`` and ``previous_response_id``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from importlib.metadata import version as _version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, field_validator
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.types import Model, PydanticProgramMode

from foundry_agents._arguments import check_arguments
from foundry_agents.agent import FoundryAgent
from foundry_agents.background import DEFAULT_WAIT_TIMEOUT, ContinuationToken
from foundry_agents.connection_fields import ConnectionFields
from foundry_agents.messages import Message
from foundry_agents.metadata import file_reference
from foundry_agents.options import adapter_defaults, from_adapter
from foundry_agents.request import tool_choice_option
from foundry_agents.streaming import StreamEvent, WorkflowActionUpdated
from foundry_agents.workflow_actions import workflow_action_events

from ._messages import to_foundry_messages
from ._outputs import StreamMapper, to_chat_response, to_completion_response, tool_selections
from ._structured import (
    aparse_stream,
    parse_stream,
    structured_messages,
    structured_result,
)
from .rate_limiters import as_llama_index_limiter, core_limiter
from .workflow_events import dispatch_actions

if TYPE_CHECKING:
    from llama_index.core.prompts import BasePromptTemplate, PromptTemplate
    from llama_index.core.tools.types import BaseTool
    from pydantic import BaseModel

__all__ = ["DEFAULT_CONTEXT_WINDOW", "DEFAULT_NUM_OUTPUT", "FoundryAgentLLM"]

DEFAULT_CONTEXT_WINDOW = 128_000
DEFAULT_NUM_OUTPUT = 4_096

dispatcher = get_dispatcher(__name__)


_USER_AGENT = f"llama-index-core/{_version('llama-index-core')}"

class _Shared:
    """Holds the core agent; it never appears in ``repr`` or a dump. Lifecycle
    rule, the same in the LangChain adapter: copies with unchanged settings (``copy``,
    ``deepcopy``, ``model_copy()``) share it; ``model_copy(update=...)`` and unpickled LLMs build
    their own core from their fields on first use."""

    __slots__ = ("agent", "lock")

    def __init__(self) -> None:
        self.agent: FoundryAgent | None = None
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return "<shared>"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self

    def __copy__(self) -> _Shared:
        return self

    def __reduce__(self) -> Any:
        # Reached only for an LLM without api_key/credential (ConnectionFields.__getstate__
        # refuses the others): the copy rebuilds its core handle and HTTP clients on first use.
        return (_Shared, ())


class FoundryAgentLLM(ConnectionFields, FunctionCallingLLM):
    """A Foundry v2 agent as a LlamaIndex LLM: query engines, chat engines, agent workflows.

    The agent's model, instructions and tools live in its definition: this LLM never sends
    ``model``, ``tools`` or sampling settings. Function calls the agent makes come back as
    ``ToolCallBlock``s, so a ``FunctionAgent`` with matching ``FunctionTool``s runs them locally.

    Args:
        agent: ``"name"``, ``"name:version"`` or ``"azure_ai/agents/name:version"``.
        agent_version: pins a version (alternative to ``"name:version"``).
        project_endpoint: ``https://<resource>.services.ai.azure.com/api/projects/<project>``
            (default: ``$FOUNDRY_PROJECT_ENDPOINT``, as the core resolves it).
        credential / api_key: an Azure ``TokenCredential`` or a static bearer token (default
            ``$FOUNDRY_API_KEY``, else ``DefaultAzureCredential``); never serialized or shown.
            These and the other connection fields (``tenant_id``, ``client_id``,
            ``client_secret``, ``route``, ``timeout``, ``max_retries``, ``default_headers``,
            ``http_client``, ``http_async_client``, ...) are the core's
            :class:`~foundry_agents.connection.ConnectionSettings` arguments, declared once in
            :mod:`foundry_agents.connection_fields`.
        conversation_id / previous_response_id / store: default continuity for every call
            (each also accepted per call, e.g. ``llm.chat(messages, conversation_id="conv_...")``).
        structured_inputs / metadata / include / max_output_tokens / tool_choice / truncation /
            extra_body: default request options (the "default" rows of
            :data:`foundry_agents.options.OPTIONS`; ``metadata`` is stored as ``request_metadata``).
        system_message_role: ``"system"``, ``"developer"`` or ``"refuse"``.
        background / wait_timeout: run calls as background responses (also per call,
            ``background=True``): ``chat``/``achat`` wait for them, at most ``wait_timeout``
            seconds (then :class:`~foundry_agents.errors.WaitTimeoutError` with a
            ``continuation_token``); streams resume across cuts; :meth:`resume` picks a
            response up later from the ``continuation_token`` in ``additional_kwargs``.

    Unknown keyword arguments raise; sampling, model and tool arguments (``temperature``, ...)
    raise :class:`~foundry_agents.errors.RefusedParameterError` (they belong to the agent definition).

    Example:
        >>> llm = FoundryAgentLLM("weather:3", project_endpoint=endpoint, api_key=token)  # doctest: +SKIP
        >>> llm.complete("Weather in Paris?").text  # doctest: +SKIP
    """

    agent: str = Field(description="The agent: 'name', 'name:version' or 'azure_ai/agents/name:version'.")
    agent_version: str | None = Field(default=None, description="Pinned agent version.")
    context_window: int = Field(default=DEFAULT_CONTEXT_WINDOW, gt=0,
                                description="Context window of the agent's model, for prompt packing.")
    num_output: int = Field(default=DEFAULT_NUM_OUTPUT, gt=0, description="Tokens kept free for the answer.")
    # Default call options: one field per "default" row of foundry_agents.options.OPTIONS, under
    # its adapter name (tests/llama_index/test_options.py holds them equal to the table).
    conversation_id: str | None = Field(default=None, description="Default conversation id.")
    previous_response_id: str | None = Field(default=None, description="Default response to continue from.")
    store: bool | None = Field(default=None, description="False for stateless replay of the whole history.")
    structured_inputs: dict[str, Any] | None = Field(default=None,
                                                     description="Values for the agent's {{templates}}.")
    request_metadata: dict[str, str] | None = Field(default=None,
                                                    description="Response metadata (the metadata= argument).")
    include: list[str] | None = Field(default=None, description="Extra output data to include.")
    rate_limiter: Any = Field(
        default=None, exclude=True,
        description="LlamaIndex's own slot, shared with the core's rate_limiter connection argument: a "
                    "foundry_agents.SharedRateLimiter (or RayRateLimiter) is wrapped in a FoundryLLMRateLimiter and "
                    "paces every send, adapting to 429s seen by any LLM sharing it; any other rate limiter is "
                    "acquired by LlamaIndex once per call.")

    @field_validator("rate_limiter", mode="before")
    @classmethod
    def _wrap_core_limiter(cls, value: Any) -> Any:
        return as_llama_index_limiter(value)

    def _connection_argument(self, name: str) -> Any:
        if name == "rate_limiter":
            return core_limiter(self.rate_limiter)
        return super()._connection_argument(name)
    max_output_tokens: int | None = Field(default=None, gt=0, description="Cap on output tokens.")
    tool_choice: str | dict[str, Any] | None = Field(default=None, description="Default tool_choice.")
    truncation: Literal["auto", "disabled"] | None = Field(default=None, description="'auto' or 'disabled'.")
    extra_body: dict[str, Any] | None = Field(default=None, description="More request body fields.")
    system_message_role: Literal["system", "developer", "refuse"] = Field(
        default="system", description="What system messages become.")
    background: bool | None = Field(default=None, description="Run calls as background responses and wait for them.")
    keep_uploads: bool | None = Field(default=None, description=(
        "Keep the files uploaded for local or large ImageBlock/DocumentBlock inputs (default: deleted after "
        "each call; docs/files.md). Per call, uploads=UploadedFiles() reports what was uploaded."))
    wait_timeout: float | None = Field(default=DEFAULT_WAIT_TIMEOUT,
                                       description="Seconds a background call is waited for (None: no limit).")
    pydantic_program_mode: PydanticProgramMode = PydanticProgramMode.LLM

    _shared: _Shared = PrivateAttr()

    def __init__(
        self,
        agent: str,
        *,
        agent_version: str | int | None = None,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
        num_output: int = DEFAULT_NUM_OUTPUT,
        conversation_id: str | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        structured_inputs: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        include: Sequence[str] | None = None,
        max_output_tokens: int | None = None,
        system_message_role: Literal["system", "developer", "refuse"] = "system",
        foundry_agent: FoundryAgent | None = None,
        **kwargs: Any,
    ) -> None:
        if metadata is None:  # the field's own name, as in to_dict() output
            metadata = kwargs.pop("request_metadata", None)
        check_arguments(kwargs, valid=type(self).model_fields, where="FoundryAgentLLM(...)")
        super().__init__(
            agent=agent,
            agent_version=str(agent_version) if agent_version is not None else None,
            context_window=context_window, num_output=num_output, conversation_id=conversation_id,
            previous_response_id=previous_response_id, store=store,
            structured_inputs=dict(structured_inputs) if structured_inputs else None,
            request_metadata=dict(metadata) if metadata else None,
            include=list(include) if include else None, max_output_tokens=max_output_tokens,
            system_message_role=system_message_role, **kwargs,
        )
        self._shared = _Shared()
        # Build the core handle now: it validates the reference, endpoint and auth (no network;
        # its HTTP clients are created on first use).
        self._shared.agent = foundry_agent or self._build_agent()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        copy = super().model_copy(update=update, deep=deep)
        if update:  # new settings: its own core, built from its fields on first use
            copy._shared = _Shared()
        return copy

    @classmethod
    def class_name(cls) -> str:
        return "FoundryAgentLLM"

    def _build_agent(self) -> FoundryAgent:
        return FoundryAgent(
            self.agent, agent_version=self.agent_version,
            connection=self.connection_settings(user_agent_extra=_USER_AGENT),
            system_message_role=self.system_message_role, wait_timeout=self.wait_timeout,
            **adapter_defaults(self),
        )

    @property
    def foundry_agent(self) -> FoundryAgent:
        """The core handle (shared clients, continuation planning)."""
        shared = self._shared
        if shared.agent is None:
            with shared.lock:
                if shared.agent is None:
                    shared.agent = self._build_agent()
        return shared.agent

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            is_chat_model=True,
            is_function_calling_model=True,
            model_name=str(self.foundry_agent.ref),
            system_role=MessageRole.SYSTEM,
        )

    # -- shared logic of the eight endpoints ----------------------------------------------------
    def _prepare(self, messages: Sequence[ChatMessage],
                 kwargs: Mapping[str, Any]) -> tuple[list[Message], dict[str, Any]]:
        """Map the history and the call options (the core plans streams eagerly, so bad input
        raises at the call, before a stream is consumed)."""
        inputs = to_foundry_messages(messages)
        return inputs, from_adapter(kwargs)

    def _completion_messages(self, prompt: str, formatted: bool) -> list[ChatMessage]:
        if not formatted and self.completion_to_prompt is not None:
            prompt = self.completion_to_prompt(prompt)
        return self._extend_messages([ChatMessage(role=MessageRole.USER, content=prompt)])

    def _chat(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponse:
        inputs, options = self._prepare(messages, kwargs)
        response = self.foundry_agent.respond(inputs, **options)
        dispatch_actions(workflow_action_events(response))
        return to_chat_response(response)

    async def _achat(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponse:
        inputs, options = self._prepare(messages, kwargs)
        response = await self.foundry_agent.arespond(inputs, **options)
        dispatch_actions(workflow_action_events(response))
        return to_chat_response(response)

    def _stream_chat(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponseGen:
        inputs, options = self._prepare(messages, kwargs)
        return _chunks(self.foundry_agent.stream(inputs, **options))

    def _astream_chat(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponseAsyncGen:
        inputs, options = self._prepare(messages, kwargs)
        return _achunks(self.foundry_agent.astream(inputs, **options))

    # -- chat -----------------------------------------------------------------------------------
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, kwargs)

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        return self._astream_chat(messages, kwargs)

    # -- long-running responses -----------------------------------------------------------------
    def resume(self, token: str | ContinuationToken, *,
               wait_timeout: float | Literal["default"] | None = "default") -> ChatResponse:
        """Wait for a background response started earlier (perhaps by another process): pass the
        ``continuation_token`` of a message's ``additional_kwargs`` or of a ``WaitTimeoutError``,
        or the response id; returns the ``ChatResponse`` ``chat`` would have."""
        return to_chat_response(self.foundry_agent.resume(token, wait_timeout=wait_timeout))

    async def aresume(self, token: str | ContinuationToken, *,
                      wait_timeout: float | Literal["default"] | None = "default") -> ChatResponse:
        return to_chat_response(await self.foundry_agent.aresume(token, wait_timeout=wait_timeout))

    def resume_stream(self, token: str | ContinuationToken) -> ChatResponseGen:
        """The chunks of a response started earlier, after the token's sequence number."""
        return _chunks(self.foundry_agent.resume_stream(token))

    def aresume_stream(self, token: str | ContinuationToken) -> ChatResponseAsyncGen:
        return _achunks(self.foundry_agent.aresume_stream(token))

    # -- files the agent made -------------------------------------------------------------------
    def download_file(self, file: str | Mapping[str, Any], destination: str | os.PathLike[str], *,
                      container_id: str | None = None) -> Path:
        """Stream a file the agent made to disk (the core client's ``download_file``); returns its path.

        ``file`` is a file id, or an entry of ``additional_kwargs["generated_files"]`` (its
        ``container_id`` is used: code interpreter's files live in a container).
        ``destination`` is a file path, or a directory where the file keeps its own name.

        Example:
            >>> reply = llm.chat([ChatMessage(role="user", content="Plot the sales")])  # doctest: +SKIP
            >>> llm.download_file(reply.message.additional_kwargs["generated_files"][0], "out/")  # doctest: +SKIP
        """
        file_id, container = file_reference(file, container_id, listed_in="additional_kwargs['generated_files']")
        return self.foundry_agent.client.download_file(file_id, destination, container_id=container)

    async def adownload_file(self, file: str | Mapping[str, Any], destination: str | os.PathLike[str], *,
                             container_id: str | None = None) -> Path:
        """Async twin of :meth:`download_file`."""
        file_id, container = file_reference(file, container_id, listed_in="additional_kwargs['generated_files']")
        return await self.foundry_agent.async_client.download_file(file_id, destination, container_id=container)

    # -- completion -----------------------------------------------------------------------------
    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return to_completion_response(self._chat(self._completion_messages(prompt, formatted), kwargs))

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return to_completion_response(await self._achat(self._completion_messages(prompt, formatted), kwargs))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        chunks = self._stream_chat(self._completion_messages(prompt, formatted), kwargs)
        return (to_completion_response(c) for c in chunks)

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False,
                               **kwargs: Any) -> CompletionResponseAsyncGen:
        chunks = self._astream_chat(self._completion_messages(prompt, formatted), kwargs)
        return (to_completion_response(c) async for c in chunks)

    # -- tools ----------------------------------------------------------------------------------
    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The agent's tools are declared in its definition, so ``tools`` are not sent (the service
        refuses them); only their local implementations run. ``tool_required`` becomes
        ``tool_choice="required"``; a tool name becomes a function ``tool_choice``."""
        messages = list(chat_history or [])
        if user_msg is not None:
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg)
                            if isinstance(user_msg, str) else user_msg)
        choice = _tool_choice(tool_choice, tool_required, tools)
        if choice is not None:
            kwargs["tool_choice"] = choice
        return {"messages": messages, **kwargs}

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        calls = tool_selections(response.message)
        if not calls and error_on_no_tool_call:
            raise ValueError(f"expected at least one function call from agent {self.agent!r}, got none")
        return calls

    # -- structured output ----------------------------------------------------------------------
    def _own_program(self) -> bool:
        return self.pydantic_program_mode in (PydanticProgramMode.DEFAULT, PydanticProgramMode.LLM)

    def _structured_input(self, output_cls: type[BaseModel], prompt: BasePromptTemplate,
                          prompt_args: Mapping[str, Any]) -> list[ChatMessage]:
        return structured_messages(prompt, output_cls, prompt_args, llm=self,
                                   system_allowed=self.system_message_role != "refuse")

    @dispatcher.span
    def structured_predict(self, output_cls: type[Model], prompt: PromptTemplate,
                           llm_kwargs: dict[str, Any] | None = None, **prompt_args: Any) -> Model:
        """Ask the agent for JSON matching ``output_cls`` and parse it (see :mod:`._structured`)."""
        if not self._own_program():
            return super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(LLMStructuredPredictStartEvent(output_cls=output_cls, template=prompt,
                                                        template_args=prompt_args))
        response = self.chat(self._structured_input(output_cls, prompt, prompt_args), **(llm_kwargs or {}))
        result = structured_result(self.agent, output_cls, response.message)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(self, output_cls: type[Model], prompt: PromptTemplate,
                                  llm_kwargs: dict[str, Any] | None = None, **prompt_args: Any) -> Model:
        if not self._own_program():
            return await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(LLMStructuredPredictStartEvent(output_cls=output_cls, template=prompt,
                                                        template_args=prompt_args))
        response = await self.achat(self._structured_input(output_cls, prompt, prompt_args), **(llm_kwargs or {}))
        result = structured_result(self.agent, output_cls, response.message)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(self, output_cls: type[Model], prompt: PromptTemplate,
                                llm_kwargs: dict[str, Any] | None = None, **prompt_args: Any) -> Any:
        # The hook behind LLM.stream_structured_predict (which sends the instrumentation events).
        if not self._own_program():
            return super()._structured_stream_call(output_cls, prompt, llm_kwargs, **prompt_args)
        chunks = self.stream_chat(self._structured_input(output_cls, prompt, prompt_args), **(llm_kwargs or {}))
        return parse_stream(chunks, output_cls, self)

    async def _structured_astream_call(self, output_cls: type[Model], prompt: PromptTemplate,
                                       llm_kwargs: dict[str, Any] | None = None, **prompt_args: Any) -> Any:
        if not self._own_program():
            return await super()._structured_astream_call(output_cls, prompt, llm_kwargs, **prompt_args)
        chunks = await self.astream_chat(self._structured_input(output_cls, prompt, prompt_args),
                                         **(llm_kwargs or {}))
        return aparse_stream(chunks, output_cls, self)

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP clients and credential this LLM built (not ones passed in); the next
        call opens new ones. Copies sharing the core (see :class:`_Shared`) are closed with it."""
        if self._shared.agent is not None:
            self._shared.agent.close()

    async def aclose(self) -> None:
        """Like :meth:`close`, awaiting the current event loop's connection pool."""
        if self._shared.agent is not None:
            await self._shared.agent.aclose()

    def __enter__(self) -> FoundryAgentLLM:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> FoundryAgentLLM:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


def _tool_choice(choice: Any, required: bool, tools: Sequence[BaseTool]) -> str | dict[str, Any] | None:
    """LlamaIndex's ``tool_choice``/``tool_required`` as the Responses field (the core's one mapping)."""
    if choice is None:
        return "required" if required else None
    names = [str(t.metadata.name) for t in tools]
    return tool_choice_option(choice, names=names or None, name_of=lambda tool: str(tool.metadata.name))


def _chunks(events: Iterator[StreamEvent]) -> ChatResponseGen:
    mapper = StreamMapper()
    for event in events:
        if isinstance(event, WorkflowActionUpdated):
            dispatch_actions([event.data()])
        chunk = mapper.feed(event)
        if chunk is not None:
            yield chunk


async def _achunks(events: AsyncIterator[StreamEvent]) -> ChatResponseAsyncGen:
    mapper = StreamMapper()
    async for event in events:
        if isinstance(event, WorkflowActionUpdated):
            dispatch_actions([event.data()])
        chunk = mapper.feed(event)
        if chunk is not None:
            yield chunk
