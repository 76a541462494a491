"""ChatFoundryAgent with long-running agents against the emulator: background invoke waits,
streams resume across cuts, and a later model picks a response up from its continuation token."""

from __future__ import annotations

import asyncio
from functools import reduce
from typing import Any

import pytest
from langchain_core.exceptions import ModelTimeoutError
from langchain_core.messages import AIMessage

from langchain_foundry_agents import ChatFoundryAgent
from langchain_foundry_agents.errors import StreamInterruptedError, WaitTimeoutError


@pytest.fixture
def make(emulator_endpoint: str, emulator_token: str) -> Any:
    def factory(agent: str, **kwargs: Any) -> ChatFoundryAgent:
        return ChatFoundryAgent(agent, project_endpoint=emulator_endpoint, api_key=emulator_token, **kwargs)

    return factory


def test_invoke_on_a_background_model_waits_for_the_answer(make):
    llm = make("long_running", background=True, request_metadata={"duration": "0.4"})
    reply = llm.invoke("summarize the archive")
    assert reply.text == "Finished the long task: summarize the archive"
    meta = reply.response_metadata
    assert meta["status"] == "completed" and meta["background"] is True
    assert meta["continuation_token"].startswith("fa1.") and reply.id == meta["id"]


def test_ainvoke_waits_too(make):
    llm = make("long_running", request_metadata={"duration": "0.4"})
    reply = asyncio.run(llm.ainvoke("x", background=True))
    assert reply.text == "Finished the long task: x" and reply.response_metadata["background"] is True


def test_the_deadline_raises_a_langchain_timeout_and_a_later_model_resumes_from_the_token(make):
    llm = make("long_running", background=True, wait_timeout=0.2, request_metadata={"duration": "1.5"})
    with pytest.raises(WaitTimeoutError) as caught:
        llm.invoke("big job")
    assert isinstance(caught.value, ModelTimeoutError)
    token = caught.value.continuation_token.to_str()
    later = make("long_running")  # another process: only the token string travels
    reply = later.resume(token)
    assert isinstance(reply, AIMessage) and reply.text == "Finished the long task: big job"
    again = asyncio.run(later.aresume(token))
    assert again.text == reply.text and again.id == reply.id


def test_per_call_wait_timeout_is_honoured(make):
    llm = make("long_running", background=True, request_metadata={"duration": "5"})
    with pytest.raises(WaitTimeoutError):
        llm.invoke("x", wait_timeout=0.1)


def test_bad_wait_timeout_is_refused_before_any_call(make):
    with pytest.raises(ValueError, match="wait_timeout"):
        make("echo", wait_timeout=-1).invoke("x")


def test_stream_resumes_across_a_cut(make):
    whole = make("cutoff").invoke("tell me")
    chunks = list(make("cutoff", background=True).stream("tell me"))
    merged = reduce(lambda a, b: a + b, chunks)
    assert merged.text == whole.text
    assert merged.response_metadata["status"] == "completed"
    assert merged.response_metadata["continuation_token"].startswith("fa1.")


def test_astream_resumes_across_a_cut(make):
    async def go() -> Any:
        return [c async for c in make("cutoff").astream("tell me", background=True)]

    merged = reduce(lambda a, b: a + b, asyncio.run(go()))
    assert merged.text.endswith("tell me")


def test_a_stream_that_cannot_be_resumed_raises_the_stream_error(make):
    with pytest.raises(StreamInterruptedError):
        list(make("cutoff", store=False).stream("x"))


def test_resume_stream_replays_a_background_response(make):
    first = make("long_running", background=True, request_metadata={"duration": "0.2"}).invoke("again")
    chunks = list(make("long_running").resume_stream(first.response_metadata["continuation_token"]))
    merged = reduce(lambda a, b: a + b, chunks)
    assert merged.text == first.text
