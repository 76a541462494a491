"""One concurrency rule for a sub-agent's tool calls: the same in the core and both adapters, sync and async.

The ``triage`` agent answers a two-part question with two function calls in one turn
(``ask_weather`` first, then ``ask_researcher``). Here ``ask_weather`` only returns once
``ask_researcher`` has finished: run one by one, the first call would wait alone and fail (the
wait is a guard against a hang, not a timing assertion). So an answer built from both outputs
proves the two calls ran at the same time, in every adapter and mode.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.tools import FunctionTool

from foundry_agents import FoundryAgent, FoundryConfigError, arun_with_tools, run_with_tools
from langchain_foundry_agents.orchestration import foundry_agent_tool as lc_tool
from llama_index_foundry.orchestration import foundry_agent_tool as li_tool

QUESTION = "What is the weather in Paris and what is the history of the Eiffel Tower?"
GUARD = 10  # seconds before a wait gives up (only reached when the calls run one by one)


def sync_tools() -> list[Callable[..., str]]:
    researcher_done = threading.Event()

    def ask_weather(question: str) -> str:
        """Weather questions."""
        if not researcher_done.wait(GUARD):
            raise RuntimeError("ask_weather ran alone: the calls were not concurrent")
        return "WEATHER-OK"

    def ask_researcher(question: str) -> str:
        """Research questions."""
        researcher_done.set()
        return "RESEARCH-OK"

    return [ask_weather, ask_researcher]


def async_tools() -> list[Callable[..., Any]]:
    state: dict[str, asyncio.Event] = {}

    def event() -> asyncio.Event:  # created on the running loop (Python 3.10 binds it there)
        return state.setdefault("done", asyncio.Event())

    async def ask_weather(question: str) -> str:
        """Weather questions."""
        try:
            await asyncio.wait_for(event().wait(), GUARD)
        except asyncio.TimeoutError as exc:
            raise RuntimeError("ask_weather ran alone: the calls were not concurrent") from exc
        return "WEATHER-OK"

    async def ask_researcher(question: str) -> str:
        """Research questions."""
        event().set()
        return "RESEARCH-OK"

    return [ask_weather, ask_researcher]


@pytest.fixture
def conn(emulator_endpoint: str, emulator_token: str) -> dict[str, str]:
    return {"project_endpoint": emulator_endpoint, "api_key": emulator_token}


def _core(conn: dict[str, str], mode: str) -> str:
    agent = FoundryAgent("triage", **conn)
    if mode == "sync":
        return run_with_tools(agent, QUESTION, tools={f.__name__: f for f in sync_tools()}).response.output_text
    tools = {f.__name__: f for f in async_tools()}
    return asyncio.run(arun_with_tools(agent, QUESTION, tools=tools)).response.output_text


def _langchain(conn: dict[str, str], mode: str) -> str:
    if mode == "sync":
        return str(lc_tool("triage", tools=sync_tools(), **conn).invoke({"question": QUESTION}))
    return str(asyncio.run(lc_tool("triage", tools=async_tools(), **conn).ainvoke({"question": QUESTION})))


def _llama_index(conn: dict[str, str], mode: str) -> str:
    if mode == "sync":
        tools = [FunctionTool.from_defaults(fn=f) for f in sync_tools()]
        return str(li_tool("triage", tools=tools, **conn).call(question=QUESTION).content)
    tools = [FunctionTool.from_defaults(async_fn=f) for f in async_tools()]
    return str(asyncio.run(li_tool("triage", tools=tools, **conn).acall(question=QUESTION)).content)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("run", [_core, _langchain, _llama_index], ids=["core", "langchain", "llama_index"])
def test_a_turns_tool_calls_run_concurrently(conn: dict[str, str], run: Callable[[dict[str, str], str], str],
                                              mode: str) -> None:
    answer = run(conn, mode)
    assert "WEATHER-OK" in answer and "RESEARCH-OK" in answer
    assert "not concurrent" not in answer and "error" not in answer


@pytest.mark.parametrize("make", [lc_tool, li_tool], ids=["langchain", "llama_index"])
@pytest.mark.parametrize(("limits", "message"), [({"max_workers": 0}, "max_workers must be a positive integer, got 0"),
                                                 ({"max_rounds": 0}, "max_rounds must be a positive integer, got 0")])
def test_limits_are_checked_when_the_tool_is_made(conn: dict[str, str], make: Callable[..., Any],
                                                  limits: dict[str, int], message: str) -> None:
    with pytest.raises(FoundryConfigError, match=message):
        make("triage", tools=sync_tools(), **limits, **conn)
