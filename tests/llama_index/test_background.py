"""FoundryAgentLLM with long-running agents on the emulator: background chat waits (sync and
async), streams resume across cuts, and a later LLM picks a response up from its token."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from foundry_agents import StreamInterruptedError, WaitTimeoutError


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


def test_chat_on_a_background_llm_waits_for_the_answer(make_llm):
    llm = make_llm("long_running", background=True, metadata={"duration": "0.4"})
    reply = llm.chat(user("crunch the numbers"))
    assert reply.message.content == "Finished the long task: crunch the numbers"
    kwargs = reply.message.additional_kwargs
    assert kwargs["status"] == "completed" and kwargs["background"] is True
    assert kwargs["continuation_token"].startswith("fa1.")


def test_achat_waits_with_background_per_call(make_llm):
    llm = make_llm("long_running", metadata={"duration": "0.4"})
    reply = asyncio.run(llm.achat(user("x"), background=True))
    assert reply.message.content == "Finished the long task: x"


def test_deadline_then_resume_from_the_token_in_a_new_llm(make_llm):
    llm = make_llm("long_running", background=True, wait_timeout=0.2, metadata={"duration": "1.5"})
    with pytest.raises(WaitTimeoutError) as caught:
        llm.chat(user("big"))
    token = caught.value.continuation_token.to_str()
    later = make_llm("long_running")
    reply = later.resume(token)
    assert reply.message.content == "Finished the long task: big"
    assert asyncio.run(later.aresume(token)).message.content == reply.message.content


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_stream_chat_resumes_across_a_cut(make_llm, mode):
    whole = make_llm("cutoff").chat(user("go on")).message.content
    llm = make_llm("cutoff", background=True)
    if mode == "sync":
        chunks = list(llm.stream_chat(user("go on")))
    else:
        async def go() -> Any:
            return [c async for c in await llm.astream_chat(user("go on"))]

        chunks = asyncio.run(go())
    assert "".join(c.delta or "" for c in chunks) == whole
    assert chunks[-1].message.content == whole
    assert chunks[-1].message.additional_kwargs["continuation_token"].startswith("fa1.")


def test_a_stream_that_cannot_resume_raises_with_the_partial(make_llm):
    with pytest.raises(StreamInterruptedError) as caught:
        list(make_llm("cutoff", store=False).stream_chat(user("x")))
    assert caught.value.partial_response.output_text


def test_resume_stream_replays_a_background_response(make_llm):
    first = make_llm("long_running", background=True, metadata={"duration": "0.2"}).chat(user("again"))
    chunks = list(make_llm("long_running").resume_stream(first.message.additional_kwargs["continuation_token"]))
    assert chunks[-1].message.content == first.message.content
