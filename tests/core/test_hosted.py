"""Hosted agents (sessions, isolation), the application route, retrieval and paging, response
headers: the core clients against the emulator on a real loopback socket, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from foundry_agents import (
    AsyncFoundryAgentsClient,
    FoundryAgent,
    FoundryAgentsClient,
    FoundryConfigError,
    Message,
    NotFoundError,
)
from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from foundry_agents.errors import PreviewFeatureRequiredError, error_from_response
from foundry_agents.headers import parse_headers

HOSTED = {"name": "helpdesk", "kind": "hosted", "behavior": "echo"}
FEATURES = "AgentEndpoints=V1Preview"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_emulator(extra_agents=[HOSTED]) as server:
        yield str(server.endpoint)


class Both:
    """Each method through the sync or the async client; iterators are collected to lists."""

    def __init__(self, mode: str, endpoint: str, **kwargs: Any) -> None:
        self.mode, self.endpoint, self.kwargs = mode, endpoint, kwargs

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.mode == "sync":
                with FoundryAgentsClient(self.endpoint, api_key=EMULATOR_TOKEN, **self.kwargs) as c:
                    out = getattr(c, name)(*args, **kwargs)
                    return list(out) if name.startswith("iter_") else out

            async def go() -> Any:
                async with AsyncFoundryAgentsClient(self.endpoint, api_key=EMULATOR_TOKEN, **self.kwargs) as c:
                    if name.startswith("iter_"):
                        return [x async for x in getattr(c, "a" + name)(*args, **kwargs)]
                    return await getattr(c, name)(*args, **kwargs)

            return asyncio.run(go())

        return call


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_hosted_agent_answers_with_caresp_id_empty_model_and_a_session(endpoint: str, mode: str) -> None:
    client = Both(mode, endpoint)
    first = client.create_response("helpdesk", input="one")
    assert first.id.startswith("caresp_") and first.model is None and first.raw["model"] == ""
    assert first.agent_session_id
    again = client.create_response("helpdesk", input="two", previous_response_id=first.id,
                                   agent_session_id=first.agent_session_id)
    assert again.agent_session_id == first.agent_session_id


def test_a_session_belongs_to_its_user(endpoint: str, mode: str) -> None:
    alice, bob = Both(mode, endpoint, user_identity="alice"), Both(mode, endpoint, user_identity="bob")
    first = alice.create_response("helpdesk", input="hi")
    with pytest.raises(NotFoundError):
        bob.create_response("helpdesk", input="hi", agent_session_id=first.agent_session_id)
    with pytest.raises(NotFoundError):  # the response chain too (sample_agent_user_identity_isolation.py)
        bob.create_response("helpdesk", input="+10", previous_response_id=first.id)
    # the per-call user_identity wins over the client's
    ok = bob.create_response("helpdesk", input="+10", previous_response_id=first.id, user_identity="alice",
                             agent_session_id=first.agent_session_id)
    assert ok.agent_session_id == first.agent_session_id


def test_session_create_get_stop_list_delete_with_isolation(endpoint: str, mode: str) -> None:
    client = Both(mode, endpoint)
    session = client.create_session("helpdesk", isolation_key="tenant-a", agent_version=1)
    assert session.status == "active" and session.agent_version == "1"
    assert client.get_session("helpdesk", session.id, isolation_key="tenant-a").id == session.id
    with pytest.raises(NotFoundError):
        client.get_session("helpdesk", session.id, isolation_key="tenant-b")
    client.stop_session("helpdesk", session.id, isolation_key="tenant-a")
    assert client.get_session("helpdesk", session.id, isolation_key="tenant-a").status == "idle"
    listed = client.iter_sessions("helpdesk", isolation_key="tenant-a", page_size=1)
    assert session.id in [s.id for s in listed]
    assert session.id not in [s.id for s in client.iter_sessions("helpdesk", isolation_key="tenant-b")]
    client.delete_session("helpdesk", session.id, isolation_key="tenant-a")
    with pytest.raises(NotFoundError):
        client.get_session("helpdesk", session.id, isolation_key="tenant-a")


def test_session_calls_send_the_preview_feature_and_isolation_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"agent_session_id": "s1", "status": "active"})

    with FoundryAgentsClient("https://a.services.ai.azure.com/api/projects/p", api_key="t",
                             foundry_features="HostedAgents=V1Preview",
                             http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
        client.create_session("helpdesk", isolation_key="k1", agent_version=3)
    request = seen[0]
    assert request.url.path == "/api/projects/p/agents/helpdesk/endpoint/sessions"
    assert request.url.params["api-version"] == "v1"
    assert request.headers["Foundry-Features"] == "HostedAgents=V1Preview,AgentEndpoints=V1Preview"
    assert request.headers["x-session-isolation-key"] == "k1"
    assert request.content == b'{"version_indicator":{"type":"version_ref","agent_version":"3"}}'


def test_missing_preview_feature_names_the_value_to_pass() -> None:
    body = {"error": {"code": "preview_feature_required", "param": "Foundry-Features", "message":
                      "Agent endpoints are in preview. This operation requires the following opt-in preview "
                      "feature(s): AgentEndpoints=V1Preview."}}
    err = error_from_response(403, {}, body)
    assert isinstance(err, PreviewFeatureRequiredError) and err.feature == "AgentEndpoints=V1Preview"
    assert "foundry_features='AgentEndpoints=V1Preview'" in str(err)


def test_application_route_serves_the_published_agent_without_agent_reference(endpoint: str, mode: str) -> None:
    client = Both(mode, endpoint, route="application")
    reply = client.create_response("echo", input="ping")
    assert "ping" in reply.output_text and reply.agent is not None and reply.agent.name == "echo"
    with pytest.raises(FoundryConfigError, match="application route"):
        client.create_response("echo:1", input="ping")


def test_application_route_url_and_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "resp_1", "status": "completed", "output": []})

    with FoundryAgentsClient("https://a.services.ai.azure.com/api/projects/p", api_key="t", route="application",
                             http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
        client.create_response("support-app", input="hi")
    assert seen[0].url.path == "/api/projects/p/applications/support-app/protocols/openai/responses"
    assert b"agent_reference" not in seen[0].content


def test_input_items_include_and_pagination(endpoint: str, mode: str) -> None:
    client = Both(mode, endpoint)
    items = [{"type": "message", "role": "user", "content": f"m{i}"} for i in range(5)]
    reply = client.create_response("echo", input=items)
    page = client.list_input_items(reply.id, limit=2, order="asc")
    assert len(page.data) == 2 and page.has_more and page.last_id == page.data[-1]["id"]
    every = client.iter_input_items(reply.id, order="asc", page_size=2)
    assert [i["content"][0]["text"] if isinstance(i["content"], list) else i["content"] for i in every] == \
        [f"m{i}" for i in range(5)]
    assert client.retrieve_response(reply.id, include=["message.output_text.logprobs"]).id == reply.id


def test_agents_versions_and_conversation_items_are_paged_to_the_end(endpoint: str, mode: str) -> None:
    client = Both(mode, endpoint)
    names = [a.name for a in client.iter_agents(page_size=2)]
    assert "echo" in names and "helpdesk" in names and len(names) == len(set(names))
    assert [v.version for v in client.iter_agent_versions("echo", page_size=1)]
    conv = client.create_conversation(items=[{"type": "message", "role": "user", "content": str(i)} for i in range(3)])
    assert len(client.iter_conversation_items(conv.id, page_size=1)) == 3


def test_paging_arguments_are_checked_before_any_call(endpoint: str) -> None:
    with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as client:
        with pytest.raises(FoundryConfigError, match="limit must be an integer from 1 to 100"):
            client.list_input_items("resp_1", limit=0)
        with pytest.raises(FoundryConfigError, match="order must be"):
            list(client.iter_agents(order="newest"))  # type: ignore[arg-type]
        with pytest.raises(FoundryConfigError, match="include must be a list"):
            client.retrieve_response("resp_1", include="x")  # type: ignore[arg-type]
        with pytest.raises(FoundryConfigError, match="user_identity"):
            client.create_response("echo", input="x", user_identity="a\nb")


def test_an_endless_has_more_without_last_id_stops() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"object": "list", "data": [{"name": "a"}], "has_more": True})

    with FoundryAgentsClient("https://a.services.ai.azure.com/api/projects/p", api_key="t",
                             http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
        assert [a.name for a in client.iter_agents()] == ["a"]
    assert len(calls) == 1


def test_response_headers_reach_the_response_streamed_or_not(endpoint: str, mode: str) -> None:
    reply = Both(mode, endpoint).create_response("echo", input="hi")
    assert reply.headers is not None and reply.headers.region == "Emulator"
    assert reply.headers.request_id == reply.request_id
    with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as client, \
            client.stream_response("echo", input="hi") as stream:
        stream.until_done() if hasattr(stream, "until_done") else list(stream)
        assert stream.final is not None and stream.final.headers is not None
        assert stream.final.headers.region == "Emulator"


def test_rate_limit_headers_are_typed() -> None:
    h = parse_headers(httpx.Headers({"x-ratelimit-remaining-tokens": "4000", "x-ratelimit-remaining-requests": "x",
                                     "x-ratelimit-reset-tokens": "6m0s"}))
    assert h.rate_limit.remaining_tokens == 4000 and h.rate_limit.remaining_requests is None
    assert h.as_metadata() == {"ratelimit_remaining_tokens": 4000, "ratelimit_reset_tokens": "6m0s"}


def test_foundry_agent_resends_the_session_from_history(endpoint: str) -> None:
    with FoundryAgent("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN) as agent:
        first = agent.respond([Message("user", "hi")])
        history = [Message("user", "hi"),
                   Message("assistant", first.output_text, response_id=first.id, agent="helpdesk",
                           agent_session_id=first.agent_session_id),
                   Message("user", "again")]
        plan = agent.plan(history)
        assert plan.options["agent_session_id"] == first.agent_session_id
        assert plan.options["previous_response_id"] == first.id
        # without chaining (store=False) the session is still resent
        assert agent.plan(history, store=False).options["agent_session_id"] == first.agent_session_id
        assert agent.respond(history).agent_session_id == first.agent_session_id


def test_recorded_headers_and_403_parse() -> None:
    from tests.conftest import load_recording

    entry = next(e for e in load_recording("agent_responses_conversation_crud")
                 if "x-ratelimit-remaining-tokens" in e["ResponseHeaders"])
    headers = parse_headers(httpx.Headers(entry["ResponseHeaders"]))
    assert headers.rate_limit.remaining_tokens == int(entry["ResponseHeaders"]["x-ratelimit-remaining-tokens"])
    assert headers.region and headers.request_id
    denied = load_recording("agent_version_create_403")[0]
    err = error_from_response(403, httpx.Headers(denied["ResponseHeaders"]), denied["ResponseBody"])
    assert isinstance(err, PreviewFeatureRequiredError) and err.feature == "WorkflowAgents=V1Preview"


def test_emulator_sends_rate_limit_headers_on_responses(endpoint: str) -> None:
    with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as client:
        limits = client.create_response("echo", input="hi").headers
    assert limits is not None and limits.rate_limit.remaining_requests == 999
