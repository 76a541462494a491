"""Query engines, a chat engine and token counting on the emulator (real socket)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core import Document, Settings, SummaryIndex, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage

from foundry_agents.emulator.usage import count_tokens
from llama_index_foundry import FoundryAgentLLM

Make = Callable[..., FoundryAgentLLM]

DOCS = [
    Document(text="The Eiffel Tower was completed in 1889. Paris is the capital of France."),
    Document(text="Mount Fuji is 3776 meters tall. It stands on the island of Honshu."),
    Document(text="The Amazon river flows through Brazil and Peru. Coffee grows in Colombia."),
]
QUESTIONS = [
    ("When was the Eiffel Tower completed?", "1889"),
    ("How tall is Mount Fuji?", "3776 meters"),
    ("Which countries does the Amazon river flow through?", "Brazil and Peru"),
]


def vector_index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))


@pytest.mark.parametrize(("question", "fact"), QUESTIONS)
def test_summary_index_query(make_llm: Make, question: str, fact: str) -> None:
    engine = SummaryIndex.from_documents(DOCS).as_query_engine(llm=make_llm("grounded"))
    assert fact in str(engine.query(question))


@pytest.mark.parametrize(("question", "fact"), QUESTIONS)
def test_vector_index_query(make_llm: Make, question: str, fact: str) -> None:
    engine = vector_index().as_query_engine(llm=make_llm("grounded"), similarity_top_k=3)
    assert fact in str(engine.query(question))


def test_vector_index_streaming_query(make_llm: Make) -> None:
    engine = vector_index().as_query_engine(llm=make_llm("grounded"), similarity_top_k=3, streaming=True)
    response = engine.query("How tall is Mount Fuji?")
    tokens = list(response.response_gen)
    assert len([t for t in tokens if t]) > 1
    assert "3776 meters" in "".join(tokens)


async def test_vector_index_async_query(make_llm: Make) -> None:
    engine = vector_index().as_query_engine(llm=make_llm("grounded"), similarity_top_k=3)
    assert "1889" in str(await engine.aquery("When was the Eiffel Tower completed?"))


async def test_summary_index_async_streaming_query(make_llm: Make) -> None:
    engine = SummaryIndex.from_documents(DOCS).as_query_engine(llm=make_llm("grounded"), streaming=True,
                                                               use_async=True)
    response = await engine.aquery("Which countries does the Amazon river flow through?")
    text = "".join([t async for t in response.async_response_gen()])
    assert "Brazil and Peru" in text


def test_context_in_system_message_reaches_agent(make_llm: Make) -> None:
    llm = make_llm("grounded")
    answer = llm.chat([ChatMessage(role="system", content="The secret code is 4417."),
                       ChatMessage(role="user", content="What is the secret code?")])
    assert "4417" in answer.message.content


@pytest.mark.parametrize("stream", [False, True])
def test_condense_plus_context_chat_engine(make_llm: Make, stream: bool) -> None:
    engine = vector_index().as_chat_engine(chat_mode="condense_plus_context", llm=make_llm("grounded"),
                                           similarity_top_k=3)
    for question, fact in QUESTIONS:
        if stream:
            response = engine.stream_chat(question)
            text = "".join(response.response_gen)
        else:
            text = str(engine.chat(question))
        assert fact in text
    assert len(engine.chat_history) == 6


async def test_condense_plus_context_chat_engine_async(make_llm: Make) -> None:
    engine = vector_index().as_chat_engine(chat_mode="condense_plus_context", llm=make_llm("grounded"),
                                           similarity_top_k=3)
    for question, fact in QUESTIONS:
        assert fact in str(await engine.achat(question))


# -- token counting -------------------------------------------------------------------------------
def counted(make_llm: Make, agent: str = "echo:1") -> tuple[FoundryAgentLLM, TokenCountingHandler]:
    handler = TokenCountingHandler()
    return make_llm(agent, callback_manager=CallbackManager([handler])), handler


def usage_of(raw: Any) -> tuple[int, int]:
    return raw["usage"]["input_tokens"], raw["usage"]["output_tokens"]


MSGS = [ChatMessage(role="user", content="Count these tokens, please.")]


async def run_endpoint(llm: FoundryAgentLLM, endpoint: str) -> Any:
    """The last response of one call of ``endpoint``."""
    arg = MSGS if "chat" in endpoint else "Count these tokens, please."
    result = getattr(llm, endpoint)(arg)
    if hasattr(result, "__await__"):
        result = await result
    if endpoint.startswith("astream"):
        return [c async for c in result][-1]
    if endpoint.startswith("stream"):
        return list(result)[-1]
    return result


@pytest.mark.parametrize("endpoint", ["chat", "achat", "stream_chat", "astream_chat",
                                      "complete", "acomplete", "stream_complete", "astream_complete"])
async def test_token_counting_equals_reported_usage(make_llm: Make, endpoint: str) -> None:
    llm, handler = counted(make_llm)
    first = await run_endpoint(llm, endpoint)
    second = await run_endpoint(llm, endpoint)
    expected_in = usage_of(first.raw)[0] + usage_of(second.raw)[0]
    expected_out = usage_of(first.raw)[1] + usage_of(second.raw)[1]
    assert len(handler.llm_token_counts) == 2
    assert handler.prompt_llm_token_count == expected_in
    assert handler.completion_llm_token_count == expected_out
    assert handler.total_llm_token_count == first.raw["usage"]["total_tokens"] + second.raw["usage"]["total_tokens"]


def test_token_counting_in_query_engine(make_llm: Make) -> None:
    handler = TokenCountingHandler()
    Settings.callback_manager = CallbackManager([handler])  # engines hand theirs to the LLM
    engine = SummaryIndex.from_documents(DOCS).as_query_engine(llm=make_llm("grounded"), streaming=True)
    response = engine.query("How tall is Mount Fuji?")
    "".join(response.response_gen)
    [event] = handler.llm_token_counts
    assert event.prompt_token_count > 0 and event.completion_token_count > 0
    # the numbers are the agent's, not a local tokenizer's estimate
    assert event.completion_token_count == count_tokens("Mount Fuji is 3776 meters tall.")
