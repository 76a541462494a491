"""The core clients against the emulator over a real loopback socket, in sync and async mode."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import foundry_agents._flow as flow
from foundry_agents import (
    ApprovalResponsePart,
    AsyncFoundryAgentsClient,
    FoundryAgentsClient,
    Message,
    NotFoundError,
    RefusedParameterError,
    ResponseFailedError,
    ServerError,
    StreamEventError,
    StreamInterruptedError,
    TextDelta,
    ToolResultPart,
)


class Both:
    """Runs each client method through the sync or the async client."""

    def __init__(self, mode: str, endpoint: str, token: str, **kwargs: Any) -> None:
        self.mode, self.endpoint, self.token, self.kwargs = mode, endpoint, token, kwargs

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.mode == "sync":
                with FoundryAgentsClient(self.endpoint, api_key=self.token, **self.kwargs) as c:
                    return getattr(c, name)(*args, **kwargs)

            async def go() -> Any:
                async with AsyncFoundryAgentsClient(self.endpoint, api_key=self.token, **self.kwargs) as c:
                    return await getattr(c, name)(*args, **kwargs)

            return asyncio.run(go())

        return call

    def stream(self, agent: str, **kwargs: Any) -> tuple[str, Any]:
        if self.mode == "sync":
            with FoundryAgentsClient(self.endpoint, api_key=self.token, **self.kwargs) as c, \
                    c.stream_response(agent, **kwargs) as s:
                events = list(s)
        else:
            async def go() -> list[Any]:
                async with AsyncFoundryAgentsClient(self.endpoint, api_key=self.token, **self.kwargs) as c:
                    s = await c.stream_response(agent, **kwargs)
                    async with s:
                        return [e async for e in s]

            events = asyncio.run(go())
        return "".join(e.delta for e in events if isinstance(e, TextDelta)), events[-1].response


@pytest.fixture(params=["sync", "async"])
def api(request, emulator_endpoint, emulator_token):
    return Both(request.param, emulator_endpoint, emulator_token)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(flow, "retry_delay", lambda attempt, headers=None: 0.0)


def test_version_pinning_is_observable(api):
    latest = api.create_response("echo", input="hello")
    pinned = api.create_response("echo:1", input="hello")
    assert str(latest.agent) == "echo:2" and str(pinned.agent) == "echo:1"
    assert latest.output_text != pinned.output_text and "hello" in pinned.output_text


def test_streamed_and_non_streamed_answers_are_the_same(api):
    text, final = api.stream("researcher", input="Tell me about the Eiffel Tower")
    plain = api.create_response("researcher", input="Tell me about the Eiffel Tower")
    assert text == final.output_text == plain.output_text
    assert final.usage == plain.usage and final.usage.reasoning_tokens > 0
    assert [a.url for a in final.annotations] == [a.url for a in plain.annotations] != []
    assert final.reasoning[0].text == plain.reasoning[0].text


def test_chaining_carries_history(api):
    first = api.create_response("grounded", input="My favourite colour is teal.")
    second = api.create_response("grounded", input="What is my favourite colour?", previous_response_id=first.id)
    assert "teal" in second.output_text
    assert second.previous_response_id == first.id


def test_conversation_accumulates_items(api):
    conv = api.create_conversation(items=[Message("user", "The launch code is 7731.")])
    api.create_response("grounded", conversation=conv.id)
    reply = api.create_response("grounded", input="What is the launch code?", conversation=conv.id)
    assert "7731" in reply.output_text and reply.conversation_id == conv.id
    items = api.list_conversation_items(conv.id)
    assert len(items.data) == 4 and items.data[0]["role"] == "assistant"  # newest first
    assert api.delete_conversation(conv.id) is True


def test_function_tool_round_trip(api):
    first = api.create_response("weather", input="What is the weather in Oslo?")
    (call,) = first.function_calls
    assert call.name == "get_weather" and call.parsed_arguments() == {"location": "Oslo"}
    assert first.pending_items == [call]
    second = api.create_response("weather", input=[Message("tool", [ToolResultPart(call.call_id, {"sky": "snow"})])],
                                 previous_response_id=first.id)
    assert "snow" in second.output_text and not second.pending_items


@pytest.mark.parametrize("approve", [True, False])
def test_mcp_approval(api, approve):
    first = api.create_response("approval", input="Summarise the docs")
    (request,) = first.approval_requests
    second = api.create_response("approval", previous_response_id=first.id,
                                 input=[Message("tool", [ApprovalResponsePart(request.id, approve)])])
    types = [i.type for i in second.output]
    assert ("mcp_call" in types) is approve
    assert ("denied" in second.output_text.lower()) is not approve


def test_store_false_is_not_retrievable(api):
    reply = api.create_response("echo", input="x", store=False)
    with pytest.raises(NotFoundError):
        api.create_response("echo", input="y", previous_response_id=reply.id)


def test_get_and_delete_response(api):
    reply = api.create_response("echo", input="keep me")
    assert api.get_response(reply.id).output_text == reply.output_text
    api.delete_response(reply.id)
    with pytest.raises(NotFoundError):
        api.get_response(reply.id)


def test_unknown_agent_and_version(api):
    with pytest.raises(NotFoundError) as info:
        api.create_response("no-such-agent", input="x")
    assert info.value.request_id and info.value.agent_name == "no-such-agent"
    with pytest.raises(NotFoundError):
        api.create_response("echo:99", input="x")


def test_refused_fields_never_reach_the_service(api):
    with pytest.raises(RefusedParameterError):
        api.create_response("echo", input="x", extra_body={"model": "gpt-4o"})


def test_rate_limited_agent_recovers_by_retrying(api):
    assert api.create_response("flaky", input=f"retry me {api.mode}").status == "completed"


def test_server_errors_surface_typed(api):
    with pytest.raises(ServerError) as info:
        api.create_response("broken", input="x")
    assert info.value.status_code == 500 and info.value.request_id


@pytest.mark.parametrize(("agent", "error"), [("dropper", StreamInterruptedError), ("failing", ResponseFailedError),
                                              ("erroring", StreamEventError)])
def test_stream_faults_raise_with_partial_output(api, agent, error):
    with pytest.raises(error) as info:
        api.stream(agent, input="tell me a long story")
    assert info.value.partial_response is not None


def test_dropped_stream_keeps_what_arrived(api):
    with pytest.raises(StreamInterruptedError) as info:
        api.stream("dropper", input="tell me a long story")
    assert info.value.partial_response.output_text  # the text received before the drop


def test_incomplete_reply(api):
    text, final = api.stream("truncated", input="write an essay")
    assert final.status == "incomplete" and final.incomplete_reason == "max_output_tokens" and text


def test_agents_api(api):
    agent = api.get_agent("echo")
    assert agent.latest.version == "2"
    versions = api.list_agent_versions("echo")
    assert [v.version for v in versions] == ["2", "1"]
    assert api.get_agent_version("weather").function_names == ["get_weather"]
    assert api.get_agent_version("echo:1").version == "1"


@pytest.mark.parametrize("route", ["preview", "agent_endpoint"])
def test_alternative_routes(emulator_endpoint, emulator_token, route):
    api = Both("sync", emulator_endpoint, emulator_token, route=route)
    reply = api.create_response("echo", input="via another route")
    assert "via another route" in reply.output_text


def test_agent_endpoint_route_creates_conversations_under_the_agent(api):
    # As azure-ai-projects' get_openai_client(agent_name=...) does: POST .../agents/{name}/endpoint/
    # protocols/openai/conversations. An unknown agent is a 404 there, not a project-level conversation.
    agent_api = Both(api.mode, api.endpoint, api.token, route="agent_endpoint")
    conv = agent_api.create_conversation(items=[Message("user", "seed")], agent="echo")
    reply = agent_api.create_response("echo", input="next", conversation=conv.id)
    assert reply.output_text.endswith(": next")
    with pytest.raises(NotFoundError):
        agent_api.create_conversation(agent="nobody")
    assert api.create_conversation(agent="nobody").id.startswith("conv_")  # project route: agent ignored


def test_foundry_features_only_on_agent_calls(emulator_endpoint, emulator_token):
    from foundry_agents.connection import SDK_AGENT_PREVIEW_FEATURES

    plain = FoundryAgentsClient(emulator_endpoint, api_key=emulator_token, route="agent_endpoint")
    opted = FoundryAgentsClient(emulator_endpoint, api_key=emulator_token, route="agent_endpoint",
                                foundry_features=SDK_AGENT_PREVIEW_FEATURES)
    with plain, opted:
        calls = {
            "response": plain._response_call("echo", {"input": "x"}, stream=False),
            "conversation": plain._create_conversation_call(None, None, "echo"),
            "agent": plain._agent_call("echo"),
            "project conversation": plain._conversation_call("GET", "conv_1"),
        }
        for name, call in calls.items():
            assert "Foundry-Features" not in plain._build(call, "t").headers, name
            sent = opted._build(call, "t").headers.get("Foundry-Features")
            assert sent == (None if name == "project conversation" else SDK_AGENT_PREVIEW_FEATURES), name
