"""The core's OpenTelemetry spans and metrics against the emulator, in sync and async mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from foundry_agents import (
    AsyncFoundryAgentsClient,
    FoundryAgent,
    FoundryAgentsClient,
    NotFoundError,
)
from foundry_agents.errors import FoundryAgentsError
from foundry_agents.tools import arun_with_tools, run_with_tools

MODES = ["sync", "async"]


def call(mode: str, endpoint: str, token: str, method: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        with FoundryAgentsClient(endpoint, api_key=token) as client:
            return getattr(client, method)(*args, **kwargs)

    async def go() -> Any:
        async with AsyncFoundryAgentsClient(endpoint, api_key=token) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(go())


def stream(mode: str, endpoint: str, token: str, agent: str, *, stop_after: int | None = None, **kwargs: Any) -> list[Any]:
    """Read a stream to the end, or stop after ``stop_after`` events."""
    if mode == "sync":
        with FoundryAgentsClient(endpoint, api_key=token) as client, client.stream_response(agent, **kwargs) as s:
            events = []
            for event in s:
                events.append(event)
                if stop_after is not None and len(events) >= stop_after:
                    break
            return events

    async def go() -> list[Any]:
        async with AsyncFoundryAgentsClient(endpoint, api_key=token) as client:
            s = await client.stream_response(agent, **kwargs)
            events = []
            async with s:
                async for event in s:
                    events.append(event)
                    if stop_after is not None and len(events) >= stop_after:
                        break
            return events

    return asyncio.run(go())


def all_values(spans) -> str:
    """Every attribute and event attribute of every span, as one string."""
    parts = []
    for s in spans.all:
        parts.append(json.dumps(dict(s.attributes), default=str))
        parts.append(s.status.description or "")
        for e in s.events:
            parts.append(e.name + json.dumps(dict(e.attributes), default=str))
    return "\n".join(parts)


@pytest.mark.parametrize("mode", MODES)
def test_a_call_is_one_invoke_agent_span_with_the_genai_attributes(mode, spans, emulator_endpoint, emulator_token):
    reply = call(mode, emulator_endpoint, emulator_token, "create_response", "echo:1", input="Hello",
                 max_output_tokens=64)
    span = spans.one("invoke_agent echo")
    a = span.attributes
    assert span.kind.name == "CLIENT" and span.parent is None
    assert a["gen_ai.operation.name"] == "invoke_agent"
    assert a["gen_ai.provider.name"] == "microsoft.foundry"
    assert a["gen_ai.agent.name"] == "echo"
    assert a["gen_ai.agent.version"] == "1" and a["gen_ai.agent.id"] == "echo:1"
    assert a["gen_ai.request.max_tokens"] == 64
    assert a["gen_ai.response.id"] == reply.id
    assert a["gen_ai.response.model"] == reply.model
    assert a["gen_ai.usage.input_tokens"] == reply.usage.input_tokens
    assert a["gen_ai.usage.output_tokens"] == reply.usage.output_tokens
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["server.address"] == "127.0.0.1" and a["server.port"] == int(emulator_endpoint.split(":")[2].split("/")[0])
    assert a["foundry.request_id"] == reply.request_id
    # No content by default, and never the token.
    assert "gen_ai.input.messages" not in a and "gen_ai.output.messages" not in a
    assert "Hello" not in all_values(spans)
    assert emulator_token not in all_values(spans)


@pytest.mark.parametrize("mode", MODES)
def test_conversation_id_is_recorded(mode, spans, emulator_endpoint, emulator_token):
    conv = call(mode, emulator_endpoint, emulator_token, "create_conversation")
    call(mode, emulator_endpoint, emulator_token, "create_response", "echo", input="Hi", conversation=conv.id)
    assert spans.one("invoke_agent echo").attributes["gen_ai.conversation.id"] == conv.id
    # Management calls (conversations, agents) are not agent invocations.
    assert [s.name for s in spans.all] == ["invoke_agent echo"]


@pytest.mark.parametrize("mode", MODES)
def test_an_error_sets_the_status_and_error_type(mode, spans, emulator_endpoint, emulator_token):
    with pytest.raises(NotFoundError) as info:
        call(mode, emulator_endpoint, emulator_token, "create_response", "no-such-agent", input="Hi")
    span = spans.one("invoke_agent no-such-agent")
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"] == "NotFoundError"
    assert span.attributes["foundry.request_id"] == info.value.request_id
    assert emulator_token not in all_values(spans)


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_response_is_an_error_span(mode, spans, emulator_endpoint, emulator_token):
    with pytest.raises(FoundryAgentsError) as info:
        call(mode, emulator_endpoint, emulator_token, "create_response", "failing", input="Hi")
    span = spans.one("invoke_agent failing")
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"] == type(info.value).__qualname__


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_span_covers_the_stream_and_ends_with_the_usage(mode, spans, emulator_endpoint, emulator_token):
    events = stream(mode, emulator_endpoint, emulator_token, "echo", input="Hello there")
    final = events[-1].response
    span = spans.one("invoke_agent echo")
    assert span.attributes["gen_ai.request.stream"] is True
    assert span.attributes["gen_ai.response.id"] == final.id
    assert span.attributes["gen_ai.usage.output_tokens"] == final.usage.output_tokens
    assert span.status.status_code.name == "UNSET"


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_the_consumer_stops_early_still_ends_its_span(mode, spans, emulator_endpoint, emulator_token):
    stream(mode, emulator_endpoint, emulator_token, "echo", input="Hello there, a longer text", stop_after=1)
    span = spans.one("invoke_agent echo")
    assert span.end_time is not None
    assert span.attributes["foundry.stream.closed_early"] is True
    assert span.status.status_code.name == "UNSET"


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_error_event_ends_the_span_with_the_error(mode, spans, emulator_endpoint, emulator_token):
    with pytest.raises(FoundryAgentsError) as info:
        stream(mode, emulator_endpoint, emulator_token, "erroring", input="Hi")
    span = spans.one("invoke_agent erroring")
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"] == type(info.value).__qualname__


@pytest.mark.parametrize("mode", MODES)
def test_content_is_recorded_only_when_opted_in(mode, spans, emulator_endpoint, emulator_token, monkeypatch):
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    call(mode, emulator_endpoint, emulator_token, "create_response", "echo", input="Hello secretless world")
    a = spans.one("invoke_agent echo").attributes
    assert "Hello secretless world" in a["gen_ai.input.messages"]
    assert json.loads(a["gen_ai.input.messages"]) == [{"role": "user", "parts": [{"type": "text", "content": "Hello secretless world"}]}]
    output = json.loads(a["gen_ai.output.messages"])
    assert output[0]["role"] == "assistant" and output[0]["finish_reason"] == "stop"
    assert "Hello secretless world" in output[0]["parts"][0]["content"]
    assert emulator_token not in all_values(spans)


def test_capture_content_switch_overrides_the_environment(spans, emulator_endpoint, emulator_token, monkeypatch):
    from foundry_agents import telemetry

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    telemetry.capture_content(False)
    call("sync", emulator_endpoint, emulator_token, "create_response", "echo", input="Hello")
    assert "gen_ai.input.messages" not in spans.one("invoke_agent echo").attributes
    with pytest.raises(TypeError, match="True, False or None"):
        telemetry.capture_content("yes")  # type: ignore[arg-type]


def test_metrics_record_duration_and_token_usage(spans, emulator_endpoint, emulator_token):
    reply = call("sync", emulator_endpoint, emulator_token, "create_response", "echo", input="Hello")
    data = spans.metrics()
    [duration] = data["gen_ai.client.operation.duration"]
    assert duration.count == 1
    assert duration.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert duration.attributes["gen_ai.provider.name"] == "microsoft.foundry"
    assert duration.attributes["gen_ai.response.model"] == reply.model
    tokens = {p.attributes["gen_ai.token.type"]: p for p in data["gen_ai.client.token.usage"]}
    assert set(tokens) == {"input", "output"}
    assert tokens["input"].sum == reply.usage.input_tokens
    assert tokens["output"].sum == reply.usage.output_tokens


def _tree_checks(spans, emulator_token):
    outer = [s for s in spans.named("invoke_agent triage") if s.kind.name == "INTERNAL"]
    assert len(outer) == 1 and outer[0].parent is None
    rounds = [s for s in spans.named("invoke_agent triage") if s.kind.name == "CLIENT"]
    assert len(rounds) == 2 and all(spans.parent(s) is outer[0] or spans.parent(s).name == outer[0].name for s in rounds)
    ask = spans.one("execute_tool ask_weather")
    assert spans.ancestors(ask) == ["invoke_agent triage"]
    assert ask.attributes["gen_ai.tool.call.id"].startswith("call_")
    weather_calls = [s for s in spans.named("invoke_agent weather") if s.kind.name == "CLIENT"]
    assert len(weather_calls) == 2
    for s in weather_calls:
        assert spans.ancestors(s) == ["invoke_agent weather", "execute_tool ask_weather", "invoke_agent triage"]
    get = spans.one("execute_tool get_weather")
    assert spans.ancestors(get) == ["invoke_agent weather", "execute_tool ask_weather", "invoke_agent triage"]
    assert len({s.context.trace_id for s in spans.all}) == 1
    assert "gen_ai.tool.call.arguments" not in get.attributes  # no content by default
    assert emulator_token not in all_values(spans)


def test_run_with_tools_nests_sub_agents_under_the_orchestrator_across_threads(spans, emulator_endpoint, emulator_token):
    conn = {"project_endpoint": emulator_endpoint, "api_key": emulator_token}
    weather, triage = FoundryAgent("weather", **conn), FoundryAgent("triage", **conn)

    def ask_weather(question: str) -> str:
        return run_with_tools(weather, question, tools={"get_weather": lambda location: "sunny"}).response.output_text

    run_with_tools(triage, "Weather and history of Lisbon?",
                   tools={"ask_weather": ask_weather, "ask_researcher": lambda question: "old"})
    _tree_checks(spans, emulator_token)


def test_arun_with_tools_nests_sub_agents_under_the_orchestrator_across_tasks(spans, emulator_endpoint, emulator_token):
    conn = {"project_endpoint": emulator_endpoint, "api_key": emulator_token}
    weather, triage = FoundryAgent("weather", **conn), FoundryAgent("triage", **conn)

    async def ask_weather(question: str) -> str:
        result = await arun_with_tools(weather, question, tools={"get_weather": lambda location: "sunny"})
        return result.response.output_text

    async def ask_researcher(question: str) -> str:
        return "old"

    asyncio.run(arun_with_tools(triage, "Weather and history of Lisbon?",
                                tools={"ask_weather": ask_weather, "ask_researcher": ask_researcher}))
    _tree_checks(spans, emulator_token)


def test_a_failing_tool_marks_its_span(spans, emulator_endpoint, emulator_token, monkeypatch):
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    weather = FoundryAgent("weather", project_endpoint=emulator_endpoint, api_key=emulator_token)

    def get_weather(location: str) -> str:
        raise RuntimeError("sensor offline")

    run_with_tools(weather, "Weather in Oslo?", tools={"get_weather": get_weather})
    span = spans.one("execute_tool get_weather")
    assert span.status.status_code.name == "ERROR" and span.attributes["error.type"] == "ToolError"
    assert "Oslo" in span.attributes["gen_ai.tool.call.arguments"]
    assert "sensor offline" in span.attributes["gen_ai.tool.call.result"]


def test_tool_calls_and_approvals_are_span_events(spans, emulator_endpoint, emulator_token):
    call("sync", emulator_endpoint, emulator_token, "create_response", "weather", input="Weather in Oslo?")
    event = next(e for e in spans.one("invoke_agent weather").events if e.name == "foundry.tool_call.requested")
    assert event.attributes["gen_ai.tool.name"] == "get_weather"
    assert "gen_ai.tool.call.arguments" not in event.attributes
    spans.exporter.clear()
    call("sync", emulator_endpoint, emulator_token, "create_response", "approval", input="Do it")
    names = [e.name for e in spans.one("invoke_agent approval").events]
    assert "foundry.approval_request" in names


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_closed_before_reading_ends_its_span(mode, spans, emulator_endpoint, emulator_token):
    if mode == "sync":
        with FoundryAgentsClient(emulator_endpoint, api_key=emulator_token) as client, \
                client.stream_response("echo", input="Hi"):
            pass
    else:
        async def go() -> None:
            async with AsyncFoundryAgentsClient(emulator_endpoint, api_key=emulator_token) as client, \
                    await client.stream_response("echo", input="Hi"):
                pass

        asyncio.run(go())
    span = spans.one("invoke_agent echo")
    assert span.end_time is not None and span.attributes["foundry.stream.closed_early"] is True
