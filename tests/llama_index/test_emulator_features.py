"""Versions, continuity, approvals, citations and reasoning, structured output and errors on the
emulator (real socket), sync and async where the paths differ."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core import SummaryIndex
from llama_index.core.base.llms.types import CitationBlock, ThinkingBlock
from llama_index.core.llms import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel

from foundry_agents import (
    NotFoundError,
    RefusedParameterError,
    ResponseFailedError,
    ServerError,
    StreamEventError,
    StreamInterruptedError,
)
from llama_index_foundry import FoundryAgentLLM, StructuredOutputError, approval_message

Make = Callable[..., FoundryAgentLLM]


def user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=text)


async def last(llm: FoundryAgentLLM, mode: str, messages: list[ChatMessage], **kwargs: Any) -> Any:
    """The final ChatResponse of one call in ``mode`` (chat, achat, stream_chat, astream_chat)."""
    if mode == "chat":
        return llm.chat(messages, **kwargs)
    if mode == "achat":
        return await llm.achat(messages, **kwargs)
    if mode == "stream_chat":
        return list(llm.stream_chat(messages, **kwargs))[-1]
    return [c async for c in await llm.astream_chat(messages, **kwargs)][-1]


MODES = ["chat", "achat", "stream_chat", "astream_chat"]


# -- versions -------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_version_pinning(make_llm: Make, mode: str) -> None:
    pinned = await last(make_llm("echo:1"), mode, [user("hello")])
    latest = await last(make_llm("echo"), mode, [user("hello")])
    by_kwarg = await last(make_llm("echo", agent_version=1), mode, [user("hello")])
    assert pinned.message.content == "Echo: hello" == by_kwarg.message.content
    assert latest.message.content == "Echo v2: hello"
    assert pinned.message.additional_kwargs["agent_version"] == "1"
    assert latest.message.additional_kwargs["agent_version"] == "2"
    assert make_llm("azure_ai/agents/echo:1").metadata.model_name == "echo:1"


# -- continuity -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_chaining_from_history(make_llm: Make, mode: str) -> None:
    llm = make_llm("grounded")
    first = await last(llm, mode, [user("My cat is called Tom.")])
    history = [user("My cat is called Tom."), first.message, user("What is my cat called?")]
    second = await last(llm, mode, history)
    assert "Tom" in second.message.content
    assert second.raw["previous_response_id"] == first.message.additional_kwargs["response_id"]


@pytest.mark.parametrize("mode", MODES)
async def test_stateless_replay(make_llm: Make, mode: str) -> None:
    llm = make_llm("grounded", store=False)
    first = await last(llm, mode, [user("My dog is called Rex.")])
    second = await last(llm, mode, [user("My dog is called Rex."), first.message, user("What is my dog called?")])
    assert "Rex" in second.message.content
    assert second.raw.get("previous_response_id") is None


@pytest.mark.parametrize("mode", MODES)
async def test_conversation_per_call_and_configured(make_llm: Make, mode: str) -> None:
    llm = make_llm("grounded")
    conv = llm.foundry_agent.client.create_conversation().id
    await last(llm, mode, [user("The meeting room is Aurora.")], conversation_id=conv)
    answer = await last(llm, mode, [user("Which meeting room is it?")], conversation_id=conv)
    assert "Aurora" in answer.message.content
    assert answer.message.additional_kwargs["conversation_id"] == conv
    configured = make_llm("grounded", conversation_id=conv)
    again = await last(configured, mode, [user("Which meeting room is it?")])
    assert "Aurora" in again.message.content


def test_explicit_previous_response_id(make_llm: Make) -> None:
    llm = make_llm("grounded")
    first = llm.chat([user("The parking spot is B12.")])
    rid = first.message.additional_kwargs["response_id"]
    assert "B12" in llm.chat([user("Which parking spot?")], previous_response_id=rid).message.content
    assert "B12" in make_llm("grounded", previous_response_id=rid).chat([user("Which parking spot?")]).message.content
    assert "B12" not in llm.chat([user("Which parking spot?")]).message.content  # no hidden state


# -- approvals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("approve", [True, False])
async def test_approval_flow(make_llm: Make, mode: str, approve: bool) -> None:
    llm = make_llm("approval")
    question = user("How do I rotate keys?")
    first = await last(llm, mode, [question])
    [request] = first.message.additional_kwargs["approval_requests"]
    assert request["id"].startswith("mcpr_") and request["name"] == "search_docs"
    assert first.message.additional_kwargs["server_tool_calls"][0]["type"] == "mcp_list_tools"
    answer = await last(llm, mode, [question, first.message, approval_message(request["id"], approve)])
    assert "approval_requests" not in answer.message.additional_kwargs
    if approve:
        assert "Documentation result for 'How do I rotate keys?'" in answer.message.content
        assert answer.message.additional_kwargs["server_tool_calls"][0]["type"] == "mcp_call"
    else:
        assert "denied" in answer.message.content


# -- citations and reasoning ----------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_citations_and_reasoning(make_llm: Make, mode: str) -> None:
    response = await last(make_llm("researcher"), mode, [user("What is the Great Wall of China?")])
    message = response.message
    thinking = [b for b in message.blocks if isinstance(b, ThinkingBlock)]
    citations = [b for b in message.blocks if isinstance(b, CitationBlock)]
    assert thinking and "Great Wall of China" in (thinking[0].content or "")
    assert [c.source for c in citations] == [
        "https://encyclopedia.contoso.com/wiki/the_Great_Wall_of_China",
        "https://wiki.example.org/the_Great_Wall_of_China",
    ]
    assert [c.cited_content.text for c in citations] == ["Contoso Encyclopedia", "Example Wiki"]
    assert len(message.additional_kwargs["annotations"]) == 2
    assert message.additional_kwargs["server_tool_calls"][0]["type"] == "web_search_call"
    assert response.raw["usage"]["output_tokens_details"]["reasoning_tokens"] > 0


def test_streamed_reasoning_and_citations_arrive_as_they_stream(make_llm: Make) -> None:
    chunks = list(make_llm("researcher").stream_chat([user("What is the Great Wall of China?")]))
    assert any(c.additional_kwargs == {} and c.message.additional_kwargs.get("thinking_delta") for c in chunks)
    counts = [len(c.message.additional_kwargs.get("annotations", [])) for c in chunks]
    assert counts == sorted(counts) and counts[-1] == 2  # accumulated, never overwritten


# -- structured output ----------------------------------------------------------------------------
class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


TEXT = "Alice and Bob are going to a science fair on Friday, March 14th 2025."
EXPECTED = CalendarEvent(name="Science fair", date="2025-03-14", participants=["Alice", "Bob"])


def test_structured_predict(make_llm: Make) -> None:
    assert make_llm("calendar").structured_predict(CalendarEvent, PromptTemplate("{text}"), text=TEXT) == EXPECTED


async def test_astructured_predict(make_llm: Make) -> None:
    llm = make_llm("calendar")
    assert await llm.astructured_predict(CalendarEvent, PromptTemplate("{text}"), text=TEXT) == EXPECTED


def test_stream_structured_predict(make_llm: Make) -> None:
    parts = list(make_llm("calendar").stream_structured_predict(CalendarEvent, PromptTemplate("{text}"), text=TEXT))
    assert parts and parts[-1].model_dump() == EXPECTED.model_dump()


async def test_astream_structured_predict(make_llm: Make) -> None:
    stream = await make_llm("calendar").astream_structured_predict(CalendarEvent, PromptTemplate("{text}"), text=TEXT)
    parts = [p async for p in stream]
    assert parts[-1].model_dump() == EXPECTED.model_dump()


async def test_as_structured_llm(make_llm: Make) -> None:
    sllm = make_llm("calendar").as_structured_llm(CalendarEvent)
    response = sllm.chat([user(TEXT)])
    assert response.raw == EXPECTED
    assert CalendarEvent.model_validate_json(response.message.content) == EXPECTED
    aresponse = await sllm.achat([user(TEXT)])
    assert aresponse.raw == EXPECTED
    assert sllm.complete(TEXT).raw == EXPECTED


def test_structured_output_non_json_is_a_clear_error(make_llm: Make) -> None:
    with pytest.raises(StructuredOutputError, match="did not answer with JSON matching CalendarEvent") as info:
        make_llm("echo:1").structured_predict(CalendarEvent, PromptTemplate("{text}"), text="hello")
    assert info.value.text == "Echo: hello"


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_unknown_agent_is_not_found(make_llm: Make, mode: str) -> None:
    with pytest.raises(NotFoundError) as info:
        await last(make_llm("no-such-agent"), mode, [user("x")])
    assert (info.value.status_code, info.value.agent_name) == (404, "no-such-agent")
    assert info.value.request_id
    with pytest.raises(NotFoundError):
        await last(make_llm("echo:9"), mode, [user("x")])


def test_errors_surface_through_a_query_engine(make_llm: Make) -> None:
    from llama_index.core import Document

    engine = SummaryIndex.from_documents([Document(text="x")]).as_query_engine(llm=make_llm("no-such-agent"))
    with pytest.raises(NotFoundError):
        engine.query("anything")


@pytest.mark.parametrize("mode", MODES)
async def test_refused_field_raises_before_the_call(make_llm: Make, mode: str) -> None:
    with pytest.raises(RefusedParameterError) as info:
        await last(make_llm("echo"), mode, [user("x")], temperature=0.1)
    assert info.value.params == ("temperature",)
    with pytest.raises(RefusedParameterError):
        await last(make_llm("echo"), mode, [user("x")], extra_body={"tools": []})


@pytest.mark.parametrize(("agent", "error"), [
    ("dropper", StreamInterruptedError), ("failing", ResponseFailedError), ("erroring", StreamEventError),
    ("broken", ServerError),
])
@pytest.mark.parametrize("mode", ["stream_chat", "astream_chat"])
async def test_stream_faults_are_typed(make_llm: Make, agent: str, error: type[Exception], mode: str) -> None:
    with pytest.raises(error) as info:
        await last(make_llm(agent), mode, [user("x")])
    assert info.value.request_id


@pytest.mark.parametrize("mode", ["chat", "achat"])
async def test_failed_and_incomplete(make_llm: Make, mode: str) -> None:
    with pytest.raises(ResponseFailedError):
        await last(make_llm("failing"), mode, [user("x")])
    truncated = await last(make_llm("truncated"), mode, [user("x")])
    assert truncated.message.additional_kwargs["incomplete_reason"] == "max_output_tokens"


def test_retries_are_the_core_s(make_llm: Make) -> None:
    assert make_llm("flaky", max_retries=2).chat([user("retry me")]).message.content.startswith("Recovered after 2")
