"""One small adapter per contender, each with the same shape.

``Contender.build(canned)`` returns a :class:`Runner` wired to an in-process transport serving
``canned``: ``call()`` makes one non-streaming call, ``stream()`` iterates one streamed call and
yields, per item the library hands out, the text delta it carries (``""`` for non-text items),
so the harness sees the first token and every library does the same cheap extraction.
``Contender.build_async(endpoint)`` returns an :class:`AsyncRunner` whose ``astream()`` streams
from a real server (the concurrency bench).

A contender whose library is missing raises :class:`NotInstalled` from ``build``; the harness
reports it as "not installed".
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .fixtures import (
    AGENT,
    AGENT_WIRE,
    ENDPOINT,
    PROMPT,
    Canned,
    make_transport,
    openai_http_module,
)

__all__ = ["CONTENDERS", "AsyncRunner", "Contender", "NotInstalled", "Runner", "by_name"]

API_KEY = "bench-key"
EXTRA_BODY = {"agent_reference": AGENT_WIRE}
OPENAI_MODEL = "gpt-4o"  # the Responses SDK wrappers insist on a model name


class NotInstalled(Exception):
    """The contender's library is not installed."""


@dataclass
class Runner:
    call: Callable[[], Any]
    stream: Callable[[], Iterator[str]]
    close: Callable[[], None] = lambda: None
    #: The function-call name in ``call()``'s result (sanity check, outside the timing).
    describe: Callable[[Any], str] = lambda result: ""


@dataclass
class AsyncRunner:
    astream: Callable[[], AsyncIterator[str]]
    aclose: Callable[[], Any]


@dataclass
class Contender:
    name: str
    label: str
    kind: str  # "floor", "core", "sdk", "langchain", "llama_index"
    requires: tuple[str, ...]
    _build: Callable[[Canned], Runner]
    _build_async: Callable[[str], AsyncRunner] | None = None
    streaming: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def available(self) -> bool:
        try:
            for module in self.requires:
                importlib.import_module(module)
        except ImportError:
            return False
        return True

    def build(self, canned: Canned) -> Runner:
        if not self.available():
            raise NotInstalled(self.name)
        return self._build(canned)

    def build_async(self, endpoint: str) -> AsyncRunner:
        if self._build_async is None:
            raise NotImplementedError(self.name)
        if not self.available():
            raise NotInstalled(self.name)
        return self._build_async(endpoint)


def _httpx_client(canned: Canned) -> Any:
    import httpx

    return httpx.Client(transport=make_transport(canned))


def _httpx_async_client(canned: Canned) -> Any:
    import httpx

    return httpx.AsyncClient(transport=make_transport(canned, asynchronous=True))


# -- (a) the floor: raw httpx + json.loads / a minimal SSE parse ---------------------------------
class _MinimalSSE:
    """The least a client must do: split events, ``json.loads`` each data line."""

    __slots__ = ("buffer",)

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, chunk: bytes) -> list[str]:
        *events, self.buffer = (self.buffer + chunk).split(b"\n\n")
        out = []
        for raw in events:
            for line in raw.split(b"\n"):
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    out.append(event.get("delta", "") if event["type"] == "response.output_text.delta" else "")
        return out


def _sse_deltas(chunks: Iterator[bytes]) -> Iterator[str]:
    parser = _MinimalSSE()
    for chunk in chunks:
        yield from parser.feed(chunk)


def _build_floor(canned: Canned) -> Runner:
    client = _httpx_client(canned)
    url = f"{ENDPOINT}/openai/v1/responses"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}

    def body(stream: bool) -> bytes:
        payload = {"agent_reference": AGENT_WIRE, "input": PROMPT, **({"stream": True} if stream else {})}
        return json.dumps(payload).encode()

    def call() -> Any:
        return json.loads(client.post(url, content=body(False), headers=headers).content)

    def stream() -> Iterator[str]:
        with client.stream("POST", url, content=body(True), headers=headers) as response:
            yield from _sse_deltas(response.iter_bytes())

    return Runner(call, stream, client.close, lambda r: r["output"][0].get("name", ""))


def _build_floor_async(endpoint: str) -> AsyncRunner:
    import httpx

    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100))
    url = f"{endpoint}/openai/v1/responses"
    payload = json.dumps({"agent_reference": AGENT_WIRE, "input": PROMPT, "stream": True}).encode()
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}

    async def astream() -> AsyncIterator[str]:
        async with client.stream("POST", url, content=payload, headers=headers) as response:
            response.raise_for_status()
            parser = _MinimalSSE()
            async for chunk in response.aiter_bytes():
                for delta in parser.feed(chunk):
                    yield delta

    return AsyncRunner(astream, client.aclose)


# -- (b) the openai SDK with extra_body ----------------------------------------------------------
def _openai_delta(event: Any) -> str:
    return event.delta if event.type == "response.output_text.delta" else ""


def _build_openai(canned: Canned) -> Runner:
    import openai

    http = openai_http_module()
    client = openai.OpenAI(api_key=API_KEY, base_url=f"{ENDPOINT}/openai/v1",
                           http_client=http.Client(transport=make_transport(canned, http=http)))  # type: ignore[union-attr]

    def call() -> Any:
        return client.responses.create(input=PROMPT, extra_body=EXTRA_BODY)

    def stream() -> Iterator[str]:
        with client.responses.create(input=PROMPT, extra_body=EXTRA_BODY, stream=True) as events:
            for event in events:
                yield _openai_delta(event)

    return Runner(call, stream, client.close, lambda r: r.output[0].name)


def _build_openai_async(endpoint: str) -> AsyncRunner:
    import openai

    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=f"{endpoint}/openai/v1", max_retries=0)

    async def astream() -> AsyncIterator[str]:
        events = await client.responses.create(input=PROMPT, extra_body=EXTRA_BODY, stream=True)
        async with events:
            async for event in events:
                yield _openai_delta(event)

    return AsyncRunner(astream, client.close)


# -- (c) our core client -------------------------------------------------------------------------
def _build_core(canned: Canned) -> Runner:
    from foundry_agents import FoundryAgentsClient, TextDelta

    client = FoundryAgentsClient(ENDPOINT, api_key=API_KEY, http_client=_httpx_client(canned))

    def call() -> Any:
        return client.create_response(AGENT, input=PROMPT)

    def stream() -> Iterator[str]:
        with client.stream_response(AGENT, input=PROMPT) as events:
            for event in events:
                yield event.delta if type(event) is TextDelta else ""

    return Runner(call, stream, client.close, lambda r: r.function_calls[0].name)


def _build_core_async(endpoint: str) -> AsyncRunner:
    from foundry_agents import AsyncFoundryAgentsClient, TextDelta

    client = AsyncFoundryAgentsClient(endpoint, api_key=API_KEY, max_retries=0)

    async def astream() -> AsyncIterator[str]:
        stream = await client.stream_response(AGENT, input=PROMPT)
        async with stream:
            async for event in stream:
                yield event.delta if type(event) is TextDelta else ""

    return AsyncRunner(astream, client.close)


# -- LangChain -----------------------------------------------------------------------------------
def _lc_text(chunk: Any) -> str:
    content = chunk.content
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def _lc_tool(message: Any) -> str:
    return message.tool_calls[0]["name"] if message.tool_calls else ""


def _build_chat_foundry(canned: Canned) -> Runner:
    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent(AGENT, project_endpoint=ENDPOINT, api_key=API_KEY, http_client=_httpx_client(canned))

    def stream() -> Iterator[str]:
        for chunk in llm.stream(PROMPT):
            yield _lc_text(chunk)

    return Runner(lambda: llm.invoke(PROMPT), stream, llm.foundry_agent.close, _lc_tool)


def _build_chat_foundry_async(endpoint: str) -> AsyncRunner:
    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent(AGENT, project_endpoint=endpoint, api_key=API_KEY, max_retries=0)

    async def astream() -> AsyncIterator[str]:
        async for chunk in llm.astream(PROMPT):
            yield _lc_text(chunk)

    return AsyncRunner(astream, llm.foundry_agent.aclose)


def _build_chat_openai(canned: Canned) -> Runner:
    from langchain_openai import ChatOpenAI

    http = openai_http_module()
    llm = ChatOpenAI(model=OPENAI_MODEL, api_key=API_KEY, base_url=f"{ENDPOINT}/openai/v1",  # type: ignore[arg-type]
                     use_responses_api=True, extra_body=EXTRA_BODY,
                     http_client=http.Client(transport=make_transport(canned, http=http)))  # type: ignore[union-attr]

    def stream() -> Iterator[str]:
        for chunk in llm.stream(PROMPT):
            yield _lc_text(chunk)

    return Runner(lambda: llm.invoke(PROMPT), stream, lambda: None, _lc_tool)


def _lc_floor_model(canned: Canned) -> Any:
    """A trivial ``BaseChatModel``: the same output, no I/O (LangChain's own floor)."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    call = json.loads(_json_body())["output"][0]
    deltas = _deltas_of(canned)

    class FloorChatModel(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "floor"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            message = AIMessage(content="", tool_calls=[{"name": call["name"], "id": call["call_id"],
                                                         "args": json.loads(call["arguments"])}])
            return ChatResult(generations=[ChatGeneration(message=message)])

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            for delta in deltas:
                yield ChatGenerationChunk(message=AIMessageChunk(content=delta))

    return FloorChatModel()


def _build_lc_floor(canned: Canned) -> Runner:
    llm = _lc_floor_model(canned)

    def stream() -> Iterator[str]:
        for chunk in llm.stream(PROMPT):
            yield _lc_text(chunk)

    return Runner(lambda: llm.invoke(PROMPT), stream, lambda: None, _lc_tool)


# -- LlamaIndex ----------------------------------------------------------------------------------
def _li_messages() -> list[Any]:
    from llama_index.core.base.llms.types import ChatMessage

    return [ChatMessage(role="user", content=PROMPT)]


def _li_tool(response: Any) -> str:
    from llama_index.core.base.llms.types import ToolCallBlock

    for block in response.message.blocks:
        if isinstance(block, ToolCallBlock):
            return str(block.tool_name)
    calls = response.message.additional_kwargs.get("tool_calls") or []
    return str(getattr(calls[0], "name", "")) if calls else ""


def _build_foundry_llm(canned: Canned) -> Runner:
    from llama_index_foundry import FoundryAgentLLM

    llm = FoundryAgentLLM(AGENT, project_endpoint=ENDPOINT, api_key=API_KEY, http_client=_httpx_client(canned))
    messages = _li_messages()

    def stream() -> Iterator[str]:
        for chunk in llm.stream_chat(messages):
            yield chunk.delta or ""

    return Runner(lambda: llm.chat(messages), stream, llm.foundry_agent.close, _li_tool)


def _build_foundry_llm_async(endpoint: str) -> AsyncRunner:
    from llama_index_foundry import FoundryAgentLLM

    llm = FoundryAgentLLM(AGENT, project_endpoint=endpoint, api_key=API_KEY, max_retries=0)
    messages = _li_messages()

    async def astream() -> AsyncIterator[str]:
        async for chunk in await llm.astream_chat(messages):
            yield chunk.delta or ""

    return AsyncRunner(astream, llm.foundry_agent.aclose)


def _build_openai_responses(canned: Canned) -> Runner:
    from llama_index.llms.openai import OpenAIResponses

    http = openai_http_module()
    llm = OpenAIResponses(model=OPENAI_MODEL, api_key=API_KEY, api_base=f"{ENDPOINT}/openai/v1",
                          additional_kwargs={"extra_body": EXTRA_BODY},
                          http_client=http.Client(transport=make_transport(canned, http=http)))  # type: ignore[union-attr]
    messages = _li_messages()

    def stream() -> Iterator[str]:
        for chunk in llm.stream_chat(messages):
            yield chunk.delta or ""

    return Runner(lambda: llm.chat(messages), stream, lambda: None, _li_tool)


def _li_floor_model(canned: Canned) -> Any:
    """A trivial ``CustomLLM``: the same output, no I/O (LlamaIndex's own floor)."""
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        LLMMetadata,
        MessageRole,
        TextBlock,
        ToolCallBlock,
    )
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from llama_index.core.llms.custom import CustomLLM

    call = json.loads(_json_body())["output"][0]
    deltas = _deltas_of(canned)

    class FloorLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(is_chat_model=True, model_name="floor")

        @llm_chat_callback()
        def chat(self, messages: Any, **kwargs: Any) -> ChatResponse:
            block = ToolCallBlock(tool_call_id=call["call_id"], tool_name=call["name"],
                                  tool_kwargs=json.loads(call["arguments"]))
            message = ChatMessage(role=MessageRole.ASSISTANT, blocks=[TextBlock(text=""), block])
            return ChatResponse(message=message)

        @llm_chat_callback()
        def stream_chat(self, messages: Any, **kwargs: Any) -> Any:
            def gen() -> Any:
                text = ""
                for delta in deltas:
                    text += delta
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

            return gen()

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text="")

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            yield CompletionResponse(text="")

    return FloorLLM()


def _build_li_floor(canned: Canned) -> Runner:
    llm = _li_floor_model(canned)
    messages = _li_messages()

    def stream() -> Iterator[str]:
        for chunk in llm.stream_chat(messages):
            yield chunk.delta or ""

    return Runner(lambda: llm.chat(messages), stream, lambda: None, _li_tool)


def _json_body() -> bytes:
    from .fixtures import json_canned

    return json_canned().body


def _deltas_of(canned: Canned) -> list[str]:
    """The text deltas of a stream canned (empty for a JSON one)."""
    if not canned.deltas:
        return []
    return [d for d in _sse_deltas(iter(canned.chunks)) if d]


CONTENDERS: list[Contender] = [
    Contender("httpx_floor", "raw httpx + json.loads (floor)", "floor", ("httpx",), _build_floor,
              _build_floor_async),
    Contender("openai_sdk", "openai SDK + extra_body", "sdk", ("openai",), _build_openai, _build_openai_async),
    Contender("core", "foundry_agents client (ours)", "core", ("foundry_agents",), _build_core, _build_core_async),
    Contender("lc_floor", "LangChain floor (trivial BaseChatModel)", "floor", ("langchain_core",), _build_lc_floor),
    Contender("chat_foundry", "ChatFoundryAgent (ours)", "langchain", ("langchain_foundry_agents",),
              _build_chat_foundry, _build_chat_foundry_async),
    Contender("chat_openai", "ChatOpenAI(use_responses_api) + extra_body", "langchain", ("langchain_openai",),
              _build_chat_openai),
    Contender("li_floor", "LlamaIndex floor (trivial CustomLLM)", "floor", ("llama_index.core",), _build_li_floor),
    Contender("foundry_llm", "FoundryAgentLLM (ours)", "llama_index", ("llama_index_foundry",),
              _build_foundry_llm, _build_foundry_llm_async),
    Contender("openai_responses", "LlamaIndex OpenAIResponses + extra_body", "llama_index",
              ("llama_index.llms.openai",), _build_openai_responses),
]


def by_name(name: str) -> Contender:
    for contender in CONTENDERS:
        if contender.name == name:
            return contender
    raise KeyError(name)
