"""LangChain: a hosted agent's session and the response headers ride on the message metadata,
and the next call (invoke or stream, sync or async) resends the session from the history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from langchain_foundry_agents import ChatFoundryAgent


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_emulator(extra_agents=[{"name": "helpdesk", "kind": "hosted", "behavior": "echo"}]) as server:
        yield str(server.endpoint)


def test_session_and_headers_in_metadata_and_reused(endpoint: str) -> None:
    chat = ChatFoundryAgent("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN, user_identity="u1")
    first = chat.invoke([HumanMessage("hi")])
    session = first.response_metadata["agent_session_id"]
    assert first.id and first.id.startswith("caresp_") and session
    assert first.response_metadata["headers"]["region"] == "Emulator"
    second = chat.invoke([HumanMessage("hi"), first, HumanMessage("again")])
    assert second.response_metadata["agent_session_id"] == session

    async def streamed() -> AIMessage:
        out = None
        async for chunk in chat.astream([HumanMessage("hi"), first, HumanMessage("more")]):
            out = chunk if out is None else out + chunk
        assert out is not None
        return AIMessage(content=out.content, response_metadata=out.response_metadata)

    assert asyncio.run(streamed()).response_metadata["agent_session_id"] == session


def test_another_user_cannot_continue_the_session(endpoint: str) -> None:
    alice = ChatFoundryAgent("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN, user_identity="alice")
    bob = ChatFoundryAgent("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN, user_identity="bob",
                           max_retries=0)
    first = alice.invoke([HumanMessage("hi")])
    from foundry_agents import NotFoundError

    with pytest.raises(NotFoundError):
        bob.invoke([HumanMessage("hi"), first, HumanMessage("again")])


def test_per_call_user_identity_and_session(endpoint: str) -> None:
    chat = ChatFoundryAgent("helpdesk", project_endpoint=endpoint, api_key=EMULATOR_TOKEN)
    first = chat.invoke([HumanMessage("hi")], user_identity="carol")
    session = first.response_metadata["agent_session_id"]
    again = chat.invoke([HumanMessage("fresh")], user_identity="carol", agent_session_id=session)
    assert again.response_metadata["agent_session_id"] == session
    from foundry_agents import NotFoundError

    with pytest.raises(NotFoundError):
        chat.invoke([HumanMessage("fresh")], user_identity="dave", agent_session_id=session)
