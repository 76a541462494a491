"""ChatFoundryAgent's lifecycle: any event loop, close/aclose, copies, credential errors."""

from __future__ import annotations

import asyncio
import copy

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from langchain_core.exceptions import ModelAuthenticationError

import foundry_agents
from langchain_foundry_agents import ChatFoundryAgent

from ._support import EP


def test_same_model_on_successive_event_loops(emulator_endpoint, emulator_token):
    llm = ChatFoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    assert asyncio.run(llm.ainvoke("one")).text.endswith("one")
    assert asyncio.run(llm.ainvoke("two")).text.endswith("two")
    replies = asyncio.run(llm.abatch(["three", "four"]))
    assert [r.text.rsplit(" ", 1)[-1] for r in replies] == ["three", "four"]


def test_close_and_context_managers_release_the_clients(emulator_endpoint, emulator_token):
    llm = ChatFoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    with llm:
        llm.invoke("hi")
        sync_client = llm.foundry_agent.client
    assert sync_client._http.is_closed
    assert llm.invoke("again").text.endswith("again")  # a later call opens new clients

    async def main() -> None:
        async with llm:
            await llm.ainvoke("hi")
            pool = await llm.foundry_agent.async_client._http()
        assert pool.is_closed

    asyncio.run(main())
    llm.close()


def test_copies_follow_the_lifecycle_rule():
    llm = ChatFoundryAgent("echo:1", project_endpoint=EP, api_key="k")
    core = llm.foundry_agent
    for same in (copy.copy(llm), copy.deepcopy(llm), llm.model_copy()):
        assert same.foundry_agent is core  # one HTTP pool and credential for identical settings
    other = llm.model_copy(update={"agent": "weather:2"})
    assert other.foundry_agent is not core and str(other.foundry_agent.ref) == "weather:2"
    sync_client = core.client
    copy.copy(llm).close()  # closing a sharer closes the shared clients
    assert sync_client._http.is_closed


class BrokenCred:
    def __init__(self) -> None:
        self.error = ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token.\nline 2\nline 3")

    def get_token(self, *scopes: str, **kw: object) -> None:
        raise self.error


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_failing_credential_is_a_model_authentication_error(mode):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent without a token")

    cred = BrokenCred()
    transport = httpx.MockTransport(refuse)
    llm = ChatFoundryAgent("echo", project_endpoint=EP, credential=cred, max_retries=0,
                           http_client=httpx.Client(transport=transport),
                           http_async_client=httpx.AsyncClient(transport=transport))
    with pytest.raises(ModelAuthenticationError) as info:
        if mode == "sync":
            llm.invoke("hi")
        else:
            asyncio.run(llm.ainvoke("hi"))
    assert isinstance(info.value, foundry_agents.AuthenticationError)
    assert "\n" not in str(info.value) and "az login" in str(info.value)
    assert info.value.__cause__ is cred.error  # the credential's own error, shown once
