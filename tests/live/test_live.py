"""Opt-in tests against a real Foundry project.

Run only when ``FOUNDRY_PROJECT_ENDPOINT`` and ``FOUNDRY_AGENT_NAME`` are set. Auth comes from
``FOUNDRY_API_KEY`` (a bearer token) when set, else ``DefaultAzureCredential``. The agent should
be a plain prompt agent that answers text.
"""

from __future__ import annotations

import os

import pytest

ENDPOINT = os.environ.get("FOUNDRY_PROJECT_ENDPOINT")
AGENT = os.environ.get("FOUNDRY_AGENT_NAME")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (ENDPOINT and AGENT), reason="set FOUNDRY_PROJECT_ENDPOINT and FOUNDRY_AGENT_NAME"),
]


@pytest.fixture(scope="module")
def client():
    from foundry_agents import FoundryAgentsClient

    with FoundryAgentsClient(ENDPOINT, api_key=os.environ.get("FOUNDRY_API_KEY")) as c:
        yield c


def test_agent_answers_and_resolves_version(client):
    reply = client.create_response(AGENT, input="Say hello in one word.")
    assert reply.status == "completed" and reply.output_text
    assert reply.agent is not None and reply.agent.version
    assert reply.usage and reply.usage.total_tokens > 0 and reply.request_id


def test_stream_matches_final(client):
    with client.stream_response(AGENT, input="Count to three.") as stream:
        text = "".join(stream.text_deltas())
        final = stream.get_final_response()
    assert text == final.output_text and final.usage


def test_chaining_and_conversation(client):
    first = client.create_response(AGENT, input="Remember the word 'kiwi'.")
    second = client.create_response(AGENT, input="Which word did I ask you to remember?",
                                    previous_response_id=first.id)
    assert "kiwi" in second.output_text.lower()
    conv = client.create_conversation(items="Remember the number 42.")
    try:
        client.create_response(AGENT, conversation=conv.id)
        reply = client.create_response(AGENT, input="Which number?", conversation=conv.id)
        assert "42" in reply.output_text
    finally:
        client.delete_conversation(conv.id)


def test_unknown_agent_is_not_found(client):
    from foundry_agents import NotFoundError

    with pytest.raises(NotFoundError) as info:
        client.create_response("surely-no-such-agent-xyz", input="hi")
    assert info.value.request_id


def test_agent_definition(client):
    version = client.get_agent_version(AGENT)
    assert version.name == AGENT and version.definition


def _auth() -> dict:
    key = os.environ.get("FOUNDRY_API_KEY")
    return {"api_key": key} if key else {}


def test_langchain_adapter_live():
    pytest.importorskip("langchain_core")
    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent(AGENT, project_endpoint=ENDPOINT, **_auth())
    reply = llm.invoke("Say hello in one word.")
    assert reply.text and reply.usage_metadata["total_tokens"] > 0
    chunks = list(llm.stream("Count to three."))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.text and total.usage_metadata


def test_llama_index_adapter_live():
    pytest.importorskip("llama_index.core")
    from llama_index.core.base.llms.types import ChatMessage

    from llama_index_foundry import FoundryAgentLLM

    llm = FoundryAgentLLM(AGENT, project_endpoint=ENDPOINT, **_auth())
    assert llm.chat([ChatMessage(role="user", content="Say hello in one word.")]).message.content
    chunks = list(llm.stream_complete("Count to three."))
    assert chunks and chunks[-1].text and chunks[-1].raw.get("usage")
