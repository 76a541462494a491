"""The official ``openai`` SDK parses every emulator answer and raises its own error types."""

from __future__ import annotations

import openai
import pytest

from foundry_agents.emulator import EMULATOR_TOKEN


@pytest.fixture(scope="module")
def sdk(emulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{emulator.endpoint}/openai/v1", api_key=EMULATOR_TOKEN, max_retries=0)


def agent(name: str, version: str | None = None) -> dict:
    ref = {"type": "agent_reference", "name": name}
    if version:
        ref["version"] = version
    return {"agent_reference": ref}


def test_create_text(sdk):
    resp = sdk.responses.create(input="hello sdk", extra_body=agent("echo", "1"))
    assert resp.output_text == "Echo: hello sdk"
    assert resp.usage.input_tokens > 0 and resp.usage.output_tokens_details.reasoning_tokens == 0
    got = sdk.responses.retrieve(resp.id)
    assert got.id == resp.id


@pytest.mark.parametrize(
    ("name", "question"),
    [
        ("echo", "stream please"),
        ("weather", "Weather in Boston?"),
        ("researcher", "history of Rome"),
        ("approval", "How do I rotate keys?"),
        ("triage", "weather and history of Rome"),
        ("calendar", "Ann meets Bob at the fair on 2025-05-01."),
        ("truncated", "long"),
        ("failing", "x"),
    ],
)
def test_stream_parses(sdk, name, question):
    stream = sdk.responses.create(input=question, stream=True, extra_body=agent(name))
    events = list(stream)
    assert events[0].type == "response.created"
    assert events[-1].type in ("response.completed", "response.incomplete", "response.failed")
    final = events[-1].response
    nonstream = sdk.responses.create(input=question, extra_body=agent(name))
    assert [i.type for i in final.output] == [i.type for i in nonstream.output]
    assert final.usage == nonstream.usage


def test_erroring_stream_event_parses(sdk):
    events = list(sdk.responses.create(input="x", stream=True, extra_body=agent("erroring")))
    assert events[-1].type == "error"


def test_function_round_trip(sdk):
    first = sdk.responses.create(input="What's the weather in Seattle?", extra_body=agent("weather"))
    call = first.output[0]
    assert call.type == "function_call" and call.name == "get_weather"
    second = sdk.responses.create(
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        previous_response_id=first.id,
        extra_body=agent("weather"),
    )
    assert second.output_text == "The weather in Seattle: sunny"


def test_conversations(sdk):
    conv = sdk.conversations.create(items=[{"type": "message", "role": "user", "content": "remember me"}])
    resp = sdk.responses.create(conversation=conv.id, extra_body=agent("echo"))
    assert resp.output_text == "Echo v2: remember me"
    items = sdk.conversations.items.list(conv.id)
    assert [i.type for i in items.data] == ["message", "message"]
    added = sdk.conversations.items.create(conv.id, items=[{"type": "message", "role": "user", "content": "more"}])
    assert added.data[0].type == "message"
    item = sdk.conversations.items.retrieve(added.data[0].id, conversation_id=conv.id)
    assert item.id == added.data[0].id
    sdk.conversations.update(conv.id, metadata={"k": "v"})
    assert sdk.conversations.retrieve(conv.id).metadata == {"k": "v"}
    assert sdk.conversations.delete(conv.id).deleted is True


def test_error_types(sdk, emulator):
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.responses.create(input="x", temperature=0.2, extra_body=agent("echo"))
    assert bad.value.code == "invalid_payload"
    with pytest.raises(openai.NotFoundError):
        sdk.responses.create(input="x", extra_body=agent("nobody"))
    with pytest.raises(openai.RateLimitError):
        sdk.responses.create(input="sdk rate limit", extra_body=agent("flaky"))
    with pytest.raises(openai.InternalServerError):
        sdk.responses.create(input="x", extra_body=agent("broken"))
    unauth = openai.OpenAI(
        base_url=f"{emulator.endpoint}/openai/v1", api_key="x", max_retries=0, default_headers={"Authorization": "Basic nope"}
    )
    with pytest.raises(openai.AuthenticationError):
        unauth.responses.create(input="x", extra_body=agent("echo"))


def test_sdk_retries_flaky(emulator):
    retrying = openai.OpenAI(base_url=f"{emulator.endpoint}/openai/v1", api_key=EMULATOR_TOKEN, max_retries=3)
    resp = retrying.responses.create(input="sdk retries this", extra_body=agent("flaky"))
    assert resp.output_text.startswith("Recovered after 2 failures")


async def test_async_sdk_stream(emulator):
    client = openai.AsyncOpenAI(base_url=f"{emulator.endpoint}/openai/v1", api_key=EMULATOR_TOKEN, max_retries=0)
    stream = await client.responses.create(input="async", stream=True, extra_body=agent("echo"))
    kinds = [event.type async for event in stream]
    assert kinds[-1] == "response.completed"
    await client.close()
