"""ChatFoundryAgent end to end against the emulator over a real socket."""

from __future__ import annotations

import re
import sys
from functools import reduce
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelInvalidRequestError,
    ModelNotFoundError,
    OutputParserException,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableParallel
from langchain_core.tools import tool
from pydantic import BaseModel

import foundry_agents
from langchain_foundry_agents import (
    AgentToolMismatchError,
    BadRequestError,
    ChatFoundryAgent,
    NotFoundError,
    approval_message,
)


@pytest.fixture
def make(emulator_endpoint: str, emulator_token: str) -> Any:
    def factory(agent: str, **kwargs: Any) -> ChatFoundryAgent:
        return ChatFoundryAgent(agent, project_endpoint=emulator_endpoint, api_key=emulator_token, **kwargs)

    return factory


_ID = re.compile(r"\b[a-z]+_[0-9A-Za-z]{16,}\b")


def normalized(value: Any) -> Any:
    """``value`` with generated ids (resp_..., ws_..., msg_...) blanked, to compare two calls."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return _ID.sub("<id>", value) if isinstance(value, str) else value


def add(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return reduce(lambda a, b: a + b, chunks)


# -- chains ----------------------------------------------------------------------------------------
PROMPT = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{question}")])


def test_lcel_chain_sync_and_streaming(make: Any) -> None:
    chain = PROMPT | make("echo:1") | StrOutputParser()
    assert chain.invoke({"question": "Hello there"}) == "Echo: Hello there"
    pieces = list(chain.stream({"question": "Hello there"}))
    assert len(pieces) > 1 and "".join(pieces) == "Echo: Hello there"


async def test_lcel_chain_async_and_abatch(make: Any) -> None:
    chain = PROMPT | make("echo:1") | StrOutputParser()
    assert await chain.ainvoke({"question": "Hi"}) == "Echo: Hi"
    assert "".join([p async for p in chain.astream({"question": "Hi"})]) == "Echo: Hi"
    inputs = [{"question": f"number {i}"} for i in range(20)]
    answers = await chain.abatch(inputs, config={"max_concurrency": 5})
    assert answers == [f"Echo: number {i}" for i in range(20)]


def test_batch_sync(make: Any) -> None:
    llm = make("echo:1")
    assert [m.text for m in llm.batch(["a", "b", "c"], config={"max_concurrency": 2})] == ["Echo: a", "Echo: b", "Echo: c"]


def test_parallel_fan_out_to_two_agents(make: Any) -> None:
    fan = RunnableParallel(echo=make("echo:1") | StrOutputParser(), research=make("researcher") | StrOutputParser())
    out = fan.invoke("What is the Eiffel Tower?")
    assert out["echo"] == "Echo: What is the Eiffel Tower?"
    assert "Contoso Encyclopedia" in out["research"]


def test_version_pinning(make: Any) -> None:
    assert make("echo:1").invoke("x").text == "Echo: x"
    latest = make("echo").invoke("x")
    assert latest.text == "Echo v2: x" and latest.response_metadata["agent_version"] == "2"
    assert make("echo", agent_version="1").invoke("x").response_metadata["model_name"] == "gpt-4.1-mini"


# -- continuity ------------------------------------------------------------------------------------
def three_turns(llm: Any, **kwargs: Any) -> list[AIMessage]:
    """Three turns on the grounded agent: the fact from turn 1 must still be known in turn 3."""
    history: list[Any] = [HumanMessage("The launch code word is Pineapple.")]
    replies = []
    for question in ("What is the weather like?", "What is the launch code word?"):
        reply = llm.invoke(history, **kwargs)
        replies.append(reply)
        history += [reply, HumanMessage(question)]
    replies.append(llm.invoke(history, **kwargs))
    return replies


def test_three_turns_chained(make: Any) -> None:
    replies = three_turns(make("grounded"))
    assert "Pineapple" in replies[-1].text
    assert all(r.id and r.id.startswith("resp_") for r in replies)


def test_three_turns_stateless(make: Any) -> None:
    assert "Pineapple" in three_turns(make("grounded", store=False))[-1].text


def test_three_turns_in_a_conversation(make: Any) -> None:
    llm = make("grounded")
    conv = llm.create_conversation()
    replies = three_turns(llm.bind(conversation_id=conv))
    assert "Pineapple" in replies[-1].text
    assert {r.response_metadata.get("conversation_id") for r in replies} == {conv}


def test_conversation_only_new_messages_per_call(make: Any) -> None:
    llm = make("grounded")
    conv = llm.create_conversation([SystemMessage("The office opens at 9am.")])
    assert "9am" in llm.invoke("When does the office open?", conversation_id=conv).text
    assert "9am" in make("grounded", conversation_id=conv).invoke("When does the office open?").text


async def test_async_conversation(make: Any) -> None:
    llm = make("grounded")
    conv = await llm.acreate_conversation()
    await llm.ainvoke("The password is Swordfish.", conversation_id=conv)
    assert "Swordfish" in (await llm.ainvoke("What is the password?", conversation_id=conv)).text


# -- streaming -------------------------------------------------------------------------------------
@pytest.mark.parametrize("agent", ["echo", "researcher", "weather", "approval"])
def test_stream_adds_up_to_invoke(make: Any, agent: str) -> None:
    llm = make(agent)
    question = "What is the weather in Paris?"
    chunks = list(llm.stream(question))
    full, reply = add(chunks), llm.invoke(question)
    assert chunks[-1].chunk_position == "last"
    assert normalized(full.content) == normalized(reply.content)
    assert normalized(full.tool_calls) == normalized(reply.tool_calls)
    assert full.usage_metadata == reply.usage_metadata and full.usage_metadata
    assert full.id == full.response_metadata["id"] and full.id.startswith("resp_")


async def test_astream_adds_up_to_ainvoke(make: Any) -> None:
    llm = make("researcher")
    full = add([c async for c in llm.astream("Who built Rome?")])
    reply = await llm.ainvoke("Who built Rome?")
    assert normalized(full.content) == normalized(reply.content) and full.usage_metadata == reply.usage_metadata


def test_on_llm_new_token_fires(make: Any) -> None:
    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[Any] = []

        def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
            self.tokens.append(token)

    handler = Tokens()
    list(make("echo:1").stream("one two three four", config={"callbacks": [handler]}))
    assert len(handler.tokens) > 2


async def test_astream_events(make: Any) -> None:
    kinds = [e["event"] async for e in make("echo:1").astream_events("hello world", version="v2")]
    assert kinds[0] == "on_chat_model_start" and kinds[-1] == "on_chat_model_end"
    assert kinds.count("on_chat_model_stream") > 1


# -- content blocks --------------------------------------------------------------------------------
def test_researcher_citations_and_reasoning(make: Any) -> None:
    reply = make("researcher").invoke("What is the Eiffel Tower?")
    kinds = [b["type"] for b in reply.content_blocks]
    assert kinds[0] == "reasoning" and "server_tool_call" in kinds and kinds[-1] == "text"
    text = reply.content_blocks[-1]
    assert [a["type"] for a in text["annotations"]] == ["citation", "citation"]
    assert text["annotations"][0]["url"].startswith("https://encyclopedia.contoso.com/")
    assert reply.usage_metadata["output_token_details"]["reasoning"] > 0


def test_output_version_v1(make: Any) -> None:
    llm = make("researcher", output_version="v1")
    reply = llm.invoke("What is the Eiffel Tower?")
    assert reply.content[0]["type"] == "reasoning"
    streamed = add(list(llm.stream("What is the Eiffel Tower?")))
    assert sum(b["type"] == "text" for b in streamed.content_blocks) == 1


# -- tools -----------------------------------------------------------------------------------------
@tool
def get_weather(location: str) -> str:
    """Get the current weather for a location."""
    return f"Sunny, 21C in {location}"


def test_weather_loop_with_create_agent(make: Any) -> None:
    from langchain.agents import create_agent

    graph = create_agent(make("weather"), tools=[get_weather])
    result = graph.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    messages = result["messages"]
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert messages[1].tool_calls[0]["args"] == {"location": "Paris"}
    assert messages[-1].text == "The weather in Paris: Sunny, 21C in Paris"


@pytest.mark.skipif(sys.version_info < (3, 11), reason=(
    "LangGraph needs Python 3.11's asyncio.create_task(context=...) to hand its callbacks to the model "
    "that create_agent calls without a config; on 3.10 stream_mode='messages' sees no model tokens"))
async def test_weather_loop_async_streaming(make: Any) -> None:
    from langchain.agents import create_agent

    graph = create_agent(make("weather"), tools=[get_weather])
    tokens = [m async for m, _ in graph.astream({"messages": [HumanMessage("Weather in Lyon?")]}, stream_mode="messages")]
    assert any(isinstance(t, AIMessageChunk) and "Lyon" in t.text for t in tokens)


def test_bind_tools_rejects_undeclared_tool(make: Any) -> None:
    @tool
    def book_flight(city: str) -> str:
        """Book a flight."""
        return city

    with pytest.raises(AgentToolMismatchError, match=r"'book_flight'.*\['get_weather'\]"):
        make("weather").bind_tools([get_weather, book_flight])


def test_approve_and_deny(make: Any) -> None:
    llm = make("approval")
    question = HumanMessage("How do I reset my password?")
    first = llm.invoke([question])
    (pending,) = first.response_metadata["pending_approvals"]
    assert pending["name"] == "search_docs" and first.content_blocks[-1]["type"] == "non_standard"
    approved = llm.invoke([question, first, approval_message(pending, True)])
    assert "Documentation result" in approved.text
    assert any(b["type"] == "server_tool_result" for b in approved.content_blocks)
    denied = llm.invoke([question, first, approval_message(pending["id"], False, reason="not now")])
    assert "denied" in denied.text


# -- structured output -----------------------------------------------------------------------------
class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


class Weather(BaseModel):
    city: str
    celsius: float


def test_structured_output_from_calendar(make: Any) -> None:
    llm = make("calendar")
    event = llm.with_structured_output(CalendarEvent).invoke("Alice and Bob are going to a science fair on Friday, March 14th.")
    assert event == CalendarEvent(name="Science fair", date="2025-03-14", participants=["Alice", "Bob"])
    raw = llm.with_structured_output(CalendarEvent.model_json_schema(), include_raw=True).invoke(
        "Carol and Dave are going to a concert on May 2nd.")
    assert raw["parsing_error"] is None and raw["parsed"]["participants"] == ["Carol", "Dave"]
    with pytest.raises(OutputParserException, match="does not match the schema Weather"):
        llm.with_structured_output(Weather).invoke("Lunch on June 3rd")


# -- errors ----------------------------------------------------------------------------------------
def test_unknown_agent_is_a_typed_404(make: Any) -> None:
    with pytest.raises(NotFoundError) as info:
        make("no-such-agent").invoke("hi")
    assert isinstance(info.value, ModelNotFoundError) and isinstance(info.value, foundry_agents.NotFoundError)
    assert info.value.status_code == 404 and info.value.request_id


def test_refused_fields_fail_before_any_call(make: Any) -> None:
    for kwargs in ({"temperature": 0.2}, {"extra_body": {"tools": []}}):
        with pytest.raises(foundry_agents.RefusedParameterError, match="which Foundry refuses"):
            make("echo").invoke("hi", **kwargs)
    with pytest.raises(foundry_agents.RefusedParameterError, match="'model'"):
        make("echo", model="gpt-4o")


def test_service_400_is_typed(make: Any) -> None:
    llm = make("weather")
    first = llm.invoke("What is the weather in Paris?")
    bogus = ToolMessage("sunny", tool_call_id="call_that_was_never_made")
    with pytest.raises(BadRequestError) as info:
        llm.invoke([HumanMessage("What is the weather in Paris?"), first, bogus])
    assert isinstance(info.value, ModelInvalidRequestError) and info.value.status_code == 400
    assert info.value.code and info.value.request_id


async def test_weather_loop_with_a_langgraph_tool_node(make: Any) -> None:
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode, tools_condition

    model = make("weather").bind_tools([get_weather])

    async def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode([get_weather]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    builder.add_edge("tools", "agent")
    result = await builder.compile().ainvoke({"messages": [HumanMessage("Weather in Oslo and in Rome?")]})
    assert result["messages"][-1].text.startswith("The weather in Oslo")
