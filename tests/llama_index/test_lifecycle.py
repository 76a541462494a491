"""FoundryAgentLLM's lifecycle: any event loop, close/aclose, copies (the same rule as LangChain)."""

from __future__ import annotations

import asyncio
import copy

from llama_index.core.llms import ChatMessage

from llama_index_foundry import FoundryAgentLLM

EP = "https://acme.services.ai.azure.com/api/projects/demo"


def test_same_llm_on_successive_event_loops(emulator_endpoint, emulator_token):
    llm = FoundryAgentLLM("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    assert asyncio.run(llm.acomplete("one")).text.endswith("one")
    assert asyncio.run(llm.acomplete("two")).text.endswith("two")
    reply = asyncio.run(llm.achat([ChatMessage(role="user", content="three")]))
    assert str(reply.message.content).endswith("three")


def test_close_and_context_managers_release_the_clients(emulator_endpoint, emulator_token):
    llm = FoundryAgentLLM("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    with llm:
        llm.complete("hi")
        sync_client = llm.foundry_agent.client
    assert sync_client._http.is_closed
    assert llm.complete("again").text.endswith("again")

    async def main() -> None:
        async with llm:
            await llm.acomplete("hi")
            pool = await llm.foundry_agent.async_client._http()
        assert pool.is_closed

    asyncio.run(main())
    llm.close()


def test_copies_follow_the_lifecycle_rule():
    llm = FoundryAgentLLM("echo:1", project_endpoint=EP, api_key="k")
    core = llm.foundry_agent
    for same in (copy.copy(llm), copy.deepcopy(llm), llm.model_copy()):
        assert same.foundry_agent is core
    other = llm.model_copy(update={"agent": "weather:2"})
    assert other.foundry_agent is not core and str(other.foundry_agent.ref) == "weather:2"
    sync_client = core.client
    copy.copy(llm).close()
    assert sync_client._http.is_closed
