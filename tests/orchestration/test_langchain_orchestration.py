"""Agent-of-agents with LangChain / LangGraph against the emulator."""

from __future__ import annotations

import asyncio
import re
import sys

import pytest
from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler, UsageMetadataCallbackHandler
from langchain_core.tools import tool

from foundry_agents.tools import PendingToolCallsError
from langchain_foundry_agents import ChatFoundryAgent
from langchain_foundry_agents.orchestration import fan_out, foundry_agent_tool

QUESTION = "What is the weather in Paris and what is the history of the Eiffel Tower?"


@tool
def get_weather(location: str) -> str:
    """Current weather for a city."""
    return f"sunny and 24C in {location}"


@pytest.fixture
def conn(emulator_endpoint, emulator_token):
    return {"project_endpoint": emulator_endpoint, "api_key": emulator_token}


def orchestrator(conn, weather_agent="weather"):
    return create_agent(ChatFoundryAgent("triage", **conn), tools=[
        foundry_agent_tool(weather_agent, tools=[get_weather], name="ask_weather", **conn),
        foundry_agent_tool("researcher", **conn),
    ])


def final_text(state):
    return state["messages"][-1].text


def test_tool_wraps_an_agent_and_runs_its_own_tools(conn):
    ask_weather = foundry_agent_tool("weather", tools=[get_weather], **conn)
    assert ask_weather.name == "ask_weather"
    assert "sunny and 24C in Oslo" in ask_weather.invoke({"question": "What is the weather in Oslo?"})
    assert "sunny and 24C in Rome" in asyncio.run(ask_weather.ainvoke({"question": "What is the weather in Rome?"}))


class CallLog(BaseCallbackHandler):
    """Which agent each chat-model run was, and the tokens it reported."""

    def __init__(self):
        self.names, self.calls = {}, []

    def on_chat_model_start(self, serialized, messages, *, run_id, metadata=None, **kw):
        self.names[run_id] = (metadata or {}).get("ls_model_name")

    def on_llm_end(self, response, *, run_id, **kw):
        message = response.generations[0][0].message
        self.calls.append((self.names.get(run_id), message.usage_metadata["total_tokens"]))


def test_triage_orchestrates_two_sub_agents_with_usage_aggregated(conn):
    usage, log = UsageMetadataCallbackHandler(), CallLog()
    state = orchestrator(conn).invoke({"messages": [("user", QUESTION)]}, config={"callbacks": [usage, log]})
    answer = final_text(state)
    assert "sunny and 24C in Paris" in answer
    assert "Eiffel" in answer
    tool_msgs = [m for m in state["messages"] if m.type == "tool"]
    assert sorted(m.name for m in tool_msgs) == ["ask_researcher", "ask_weather"]
    # triage x2, weather x2 (function call + answer), researcher x1: every call seen and counted.
    assert sorted(name for name, _ in log.calls) == ["researcher", "triage", "triage", "weather", "weather"]
    assert sum(u["total_tokens"] for u in usage.usage_metadata.values()) == sum(t for _, t in log.calls)


def test_who_called_whom_is_visible_in_astream_events(conn):
    async def run():
        events = []
        async for ev in orchestrator(conn).astream_events({"messages": [("user", QUESTION)]}, version="v2"):
            events.append(ev)
        return events

    events = asyncio.run(run())
    tool_runs = {ev["run_id"]: ev["name"] for ev in events if ev["event"] == "on_tool_start"}
    nested = {}
    for ev in events:
        if ev["event"] == "on_chat_model_start":
            parents = [tool_runs[p] for p in ev.get("parent_ids", []) if p in tool_runs]
            nested.setdefault(ev["metadata"].get("ls_model_name"), set()).update(parents)
    assert nested["weather"] == {"ask_weather"}
    assert nested["researcher"] == {"ask_researcher"}
    if sys.version_info >= (3, 11):
        # create_agent calls its own model without a config; before Python 3.11 asyncio cannot hand
        # LangGraph's callbacks to it, so the orchestrator's model reports no events there.
        assert nested["triage"] == set()
    # the sub-agents' tokens streamed through to the orchestrator's event stream
    assert any(ev["event"] == "on_chat_model_stream" and ev["metadata"].get("ls_model_name") == "researcher"
               for ev in events)


def test_failing_sub_agent_is_a_tool_error_not_a_crash(conn):
    state = orchestrator(conn, weather_agent="no-such-agent").invoke({"messages": [("user", QUESTION)]})
    tool_msgs = {m.name: m.text for m in state["messages"] if m.type == "tool"}
    assert "NotFoundError" in tool_msgs["ask_weather"] and "request id" in tool_msgs["ask_weather"]
    assert "Eiffel" in tool_msgs["ask_researcher"]  # the other branch is unaffected
    assert "Eiffel" in final_text(state)


def test_fan_out_fan_in(conn):
    chain = fan_out({"echo": ChatFoundryAgent("echo:1", **conn), "research": ChatFoundryAgent("researcher", **conn),
                     "broken": ChatFoundryAgent("broken", max_retries=0, **conn)},
                    merger=ChatFoundryAgent("echo", **conn))
    usage = UsageMetadataCallbackHandler()
    merged = chain.invoke("Tell me about Lisbon", config={"callbacks": [usage]})
    assert merged.startswith("Echo v2:")          # the merger saw the combined prompt
    assert "echo: Echo: Tell me about Lisbon" in merged
    assert "research: Here is what I found" in merged
    assert "broken: error: tool 'broken' failed: ServerError" in merged
    assert sum(u["total_tokens"] for u in usage.usage_metadata.values()) > 0
    assert asyncio.run(chain.ainvoke("Tell me about Lisbon")).startswith("Echo v2:")


def test_fan_out_runs_a_branch_tools_instead_of_merging_an_empty_answer(conn):
    chain = fan_out({"weather": ChatFoundryAgent("weather", **conn), "research": ChatFoundryAgent("researcher", **conn)},
                    merger=ChatFoundryAgent("echo", **conn), tools={"weather": [get_weather]})
    merged = chain.invoke("What is the weather in Oslo?")
    assert "- weather: The weather in Oslo: sunny and 24C in Oslo" in merged
    assert "- weather: \n" not in merged
    assert "sunny and 24C in Oslo" in asyncio.run(chain.ainvoke("What is the weather in Oslo?"))


def test_fan_out_branch_with_pending_calls_and_no_tools_fails_loudly(conn):
    chain = fan_out({"weather": ChatFoundryAgent("weather", **conn), "echo": ChatFoundryAgent("echo", **conn)},
                    merger=ChatFoundryAgent("echo", **conn))
    for run in (chain.invoke, lambda q: asyncio.run(chain.ainvoke(q))):
        with pytest.raises(PendingToolCallsError, match=r"fan-out branch 'weather' called \['get_weather'\]") as info:
            run("What is the weather in Oslo?")
        assert info.value.pending == ["get_weather"] and "tools={'weather'" in str(info.value)


def test_fan_out_tools_for_an_unknown_branch_is_refused(conn):
    with pytest.raises(ValueError, match=r"\['wether'\]"):
        fan_out({"weather": ChatFoundryAgent("weather", **conn)}, merger=ChatFoundryAgent("echo", **conn),
                tools={"wether": [get_weather]})


def test_sub_agent_error_names_its_request_id_once(conn):
    ask = foundry_agent_tool("broken", max_retries=0, **conn)
    text = ask.invoke({"question": "hi"})
    rid = re.search(r"\[request id: (\w+)\]", text)
    assert "ServerError" in text and rid and text.count(rid.group(1)) == 1, text


def test_triage_routes_a_factual_part_without_keywords_to_the_researcher(conn):
    state = orchestrator(conn).invoke({"messages": [("user", "Is it windy in Porto, and who painted the Night Watch?")]})
    tool_msgs = {m.name: m.text for m in state["messages"] if m.type == "tool"}
    assert sorted(tool_msgs) == ["ask_researcher", "ask_weather"]
    assert "sunny and 24C in Porto" in tool_msgs["ask_weather"]
    assert "Night Watch" in tool_msgs["ask_researcher"] and "Porto" not in tool_msgs["ask_researcher"]


def test_fan_out_branch_waiting_for_an_approval_fails_loudly(conn):
    chain = fan_out({"docs": ChatFoundryAgent("approval", **conn)}, merger=ChatFoundryAgent("echo", **conn))
    with pytest.raises(PendingToolCallsError, match=r"fan-out branch 'docs' is waiting for approval of \['docs/search_docs'\]"):
        chain.invoke("How do I export data?")
