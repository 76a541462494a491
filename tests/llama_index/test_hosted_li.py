"""LlamaIndex: a hosted agent's session and the response headers ride on additional_kwargs, and
the next chat (sync, async, streamed) resends the session from the history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from llama_index.core.llms import ChatMessage

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from llama_index_foundry import FoundryAgentLLM


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_emulator(extra_agents=[{"name": "helpdesk", "kind": "hosted", "behavior": "echo"}]) as server:
        yield str(server.endpoint)


def test_session_and_headers_in_kwargs_and_reused(endpoint: str) -> None:
    llm = FoundryAgentLLM("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN)
    first = llm.chat([ChatMessage(role="user", content="hi")])
    extra = first.message.additional_kwargs
    session = extra["agent_session_id"]
    assert extra["response_id"].startswith("caresp_") and session
    assert extra["headers"]["region"] == "Emulator"
    history = [ChatMessage(role="user", content="hi"), first.message, ChatMessage(role="user", content="again")]
    assert llm.chat(history).message.additional_kwargs["agent_session_id"] == session

    async def streamed() -> str:
        last = None
        async for part in await llm.astream_chat(history):
            last = part
        assert last is not None
        return str(last.message.additional_kwargs["agent_session_id"])

    assert asyncio.run(streamed()) == session


def test_per_call_user_identity_isolates_sessions(endpoint: str) -> None:
    from foundry_agents import NotFoundError

    llm = FoundryAgentLLM("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN, max_retries=0)
    first = llm.chat([ChatMessage(role="user", content="hi")], user_identity="erin")
    history = [ChatMessage(role="user", content="hi"), first.message, ChatMessage(role="user", content="again")]
    with pytest.raises(NotFoundError):
        llm.chat(history, user_identity="frank")
    assert llm.chat(history, user_identity="erin").message.additional_kwargs["agent_session_id"] == \
        first.message.additional_kwargs["agent_session_id"]
