"""run_with_tools / arun_with_tools against the emulator: a Foundry agent as orchestrator."""

from __future__ import annotations

import asyncio
import threading

import pytest

from foundry_agents import FoundryAgent, FoundryConfigError, arun_with_tools, run_with_tools
from foundry_agents.tools import tool_error_output


@pytest.fixture
def make(emulator_endpoint, emulator_token):
    return lambda name: FoundryAgent(name, project_endpoint=emulator_endpoint, api_key=emulator_token)


def test_weather_agent_tool_runs_locally(make):
    seen = []

    def get_weather(location: str) -> dict:
        seen.append(location)
        return {"forecast": "light snow", "temp_c": -2}

    result = run_with_tools(make("weather"), "What is the weather in Oslo?", tools={"get_weather": get_weather})
    assert seen == ["Oslo"]
    assert "light snow" in result.response.output_text
    assert len(result.responses) == 2
    assert result.usage.total_tokens == sum(r.usage.total_tokens for r in result.responses)


def test_triage_delegates_to_two_agents_in_parallel(make):
    weather, researcher = make("weather"), make("researcher")
    # Both sub-agent calls must be in flight at once to pass the barrier; run one after the
    # other, the first would wait alone and the barrier would break.
    both_running = threading.Barrier(2, timeout=10)

    def track(fn):
        def wrapper(question: str) -> str:
            both_running.wait()
            return fn(question)
        return wrapper

    ask_weather = track(lambda question: run_with_tools(
        weather, question, tools={"get_weather": lambda location: f"sunny in {location}"}).response.output_text)
    ask_researcher = track(researcher.ask)
    result = run_with_tools(make("triage"), "What is the weather in Paris and what is the history of the Eiffel Tower?",
                            tools={"ask_weather": ask_weather, "ask_researcher": ask_researcher})
    names = sorted(call.name for call, _ in result.calls)
    assert names == ["ask_researcher", "ask_weather"]
    assert not any(out.startswith("error:") for _, out in result.calls)  # the barrier held
    assert "sunny in Paris" in result.response.output_text


def test_failing_sub_agent_becomes_a_tool_error(make):
    missing = make("no-such-agent")
    result = run_with_tools(make("triage"), "What is the weather in Rome?",
                            tools={"ask_weather": missing.ask, "ask_researcher": lambda question: "n/a"})
    (call, output), = result.calls
    assert output.startswith("error: tool 'ask_weather' failed: NotFoundError")
    assert "request id" in output
    assert result.response.status == "completed"


def test_ask_refuses_to_hide_pending_work(make):
    assert make("echo:1").ask("hi") == "Echo: hi"
    with pytest.raises(FoundryConfigError, match="run_with_tools"):
        make("weather").ask("Weather in Oslo?")


def test_unknown_tool_is_a_clear_local_error(make):
    with pytest.raises(FoundryConfigError, match=r"called \['get_weather'\] but no implementation"):
        run_with_tools(make("weather"), "Weather in Oslo?", tools={})


def test_on_tool_error_raise(make):
    def boom(location: str) -> str:
        raise RuntimeError("sensor offline")

    with pytest.raises(RuntimeError, match="sensor offline"):
        run_with_tools(make("weather"), "Weather in Oslo?", tools={"get_weather": boom}, on_tool_error="raise")


def test_async_loop_with_coroutine_tools(make):
    async def get_weather(location: str) -> str:
        await asyncio.sleep(0)
        return f"fog over {location}"

    result = asyncio.run(arun_with_tools(make("weather"), "What is the weather in London?",
                                         tools={"get_weather": get_weather}))
    assert "fog over London" in result.response.output_text


def test_tool_error_output_format():
    class E(Exception):
        request_id = "r-1"

    assert tool_error_output("t", E("bad")) == "error: tool 't' failed: E: bad (request id r-1)"
