"""Lifecycle: one client from any event loop, credentials the package builds are closed, custom
token providers are used as-is, failing credentials raise one typed, one-line error."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from foundry_agents import (
    AsyncFoundryAgentsClient,
    AuthenticationError,
    FoundryAgent,
    FoundryAgentsClient,
    Message,
)
from foundry_agents.auth import make_token_provider

from ._harness import EP


class SlowCred:
    """A sync credential whose tokens are always inside the refresh margin: every call fetches,
    so concurrent calls contend for the provider's lock."""

    def __init__(self, token: str) -> None:
        self.token, self.calls = token, 0

    def get_token(self, *scopes: str, **kw: object) -> AccessToken:
        self.calls += 1
        time.sleep(0.01)
        return AccessToken(self.token, int(time.time()) + 60)


class BrokenCred:
    """What DefaultAzureCredential does with no login: a long multi-line error with a response."""

    def __init__(self) -> None:
        self.error = ClientAuthenticationError(
            "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
            "Attempted credentials:\n\tEnvironmentCredential: missing\n\tAzureCliCredential: not logged in")
        self.error.response = "a response holding the token request"  # type: ignore[assignment]

    def get_token(self, *scopes: str, **kw: object) -> AccessToken:
        raise self.error


class MyProvider:
    """A custom TokenProvider (the public protocol), not an azure credential."""

    def __init__(self, token: str) -> None:
        self.token, self.invalidated = token, 0

    def get_token(self) -> str:
        return self.token

    async def aget_token(self) -> str:
        return self.token

    def invalidate(self) -> None:
        self.invalidated += 1


def test_async_client_serves_successive_event_loops(emulator_endpoint, emulator_token):
    client = AsyncFoundryAgentsClient(emulator_endpoint, api_key=emulator_token)
    for _ in range(3):  # each asyncio.run is a new loop; each ends by releasing its pool
        assert asyncio.run(client.create_response("echo", input="hi")).output_text.endswith("hi")
        assert len(client._pools) == 0


def test_foundry_agent_serves_successive_event_loops(emulator_endpoint, emulator_token):
    agent = FoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    first = asyncio.run(agent.arespond([Message("user", "one")]))
    second = asyncio.run(agent.arespond([Message("user", "two")]))
    assert first.output_text.endswith("one") and second.output_text.endswith("two")


def test_credential_with_concurrent_calls_on_successive_loops(emulator_endpoint, emulator_token):
    cred = SlowCred(emulator_token)
    agent = FoundryAgent("echo", project_endpoint=emulator_endpoint, credential=cred)

    async def burst(tag: str) -> list[str]:
        replies = await asyncio.gather(*(agent.aask(f"{tag}{i}") for i in range(4)))
        return [r.rsplit(" ", 1)[-1] for r in replies]

    assert asyncio.run(burst("a")) == ["a0", "a1", "a2", "a3"]
    assert asyncio.run(burst("b")) == ["b0", "b1", "b2", "b3"]


def test_credential_with_concurrent_calls_on_two_loops_at_once(emulator_endpoint, emulator_token):
    agent = FoundryAgent("echo", project_endpoint=emulator_endpoint, credential=SlowCred(emulator_token))
    results: dict[str, object] = {}

    def run(tag: str) -> None:
        async def burst() -> list[str]:
            return list(await asyncio.gather(*(agent.aask(f"{tag}{i}") for i in range(4))))
        try:
            results[tag] = asyncio.run(burst())
        except Exception as exc:  # reported below, with its type
            results[tag] = exc

    threads = [threading.Thread(target=run, args=(t,)) for t in "xy"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for tag in "xy":
        assert isinstance(results[tag], list), results[tag]
        assert [r.rsplit(" ", 1)[-1] for r in results[tag]] == [f"{tag}{i}" for i in range(4)]


def test_aclose_releases_the_pool_and_a_later_call_reopens(emulator_endpoint, emulator_token):
    client = AsyncFoundryAgentsClient(emulator_endpoint, api_key=emulator_token)

    async def main() -> str:
        await client.create_response("echo", input="x")
        pool = await client._http()
        await client.close()
        assert pool.is_closed
        return (await client.create_response("echo", input="again")).output_text

    assert asyncio.run(main()).endswith("again")


def _refusing(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no request may be sent without a token")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_failing_credential_raises_one_line_authentication_error(mode):
    cred = BrokenCred()
    transport = httpx.MockTransport(_refusing)
    if mode == "sync":
        with FoundryAgentsClient(EP, credential=cred, http_client=httpx.Client(transport=transport)) as c, \
                pytest.raises(AuthenticationError) as info:
            c.create_response("echo", input="hi")
    else:
        async def main() -> None:
            async with AsyncFoundryAgentsClient(EP, credential=cred,
                                                http_client=httpx.AsyncClient(transport=transport)) as c:
                await c.create_response("echo", input="hi")
        with pytest.raises(AuthenticationError) as info:
            asyncio.run(main())
    message = str(info.value)
    assert "\n" not in message and "az login" in message and "FOUNDRY_API_KEY" in message
    assert "DefaultAzureCredential failed to retrieve a token" in message  # the reason, first line only
    assert info.value.__cause__ is cred.error
    assert cred.error.response is None  # the token request/response is not kept


def test_custom_token_provider_is_used_as_is():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"id": "resp_1", "status": "completed", "output": []})

    provider = MyProvider("custom-token")
    assert make_token_provider(credential=provider) is provider
    with FoundryAgentsClient(EP, credential=provider,
                             http_client=httpx.Client(transport=httpx.MockTransport(handler))) as c:
        c.create_response("echo", input="hi")

    async def main() -> None:
        async with AsyncFoundryAgentsClient(EP, credential=provider,
                                            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))) as c:
            await c.create_response("echo", input="hi")

    asyncio.run(main())
    assert seen == ["Bearer custom-token", "Bearer custom-token"]


class FakeSPCredential:
    instances: list[FakeSPCredential] = []

    def __init__(self, tenant_id: str, client_id: str, secret: str) -> None:
        self.closed = 0
        FakeSPCredential.instances.append(self)

    def get_token(self, *scopes: str, **kw: object) -> AccessToken:
        return AccessToken("sp-token", int(time.time()) + 3600)

    def close(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_service_principal_credential_is_closed(mode, monkeypatch):
    import azure.identity

    monkeypatch.setattr(azure.identity, "ClientSecretCredential", FakeSPCredential)
    FakeSPCredential.instances = []
    sp = {"tenant_id": "t", "client_id": "c", "client_secret": "s"}
    if mode == "sync":
        FoundryAgentsClient(EP, **sp).close()
    else:
        async def main() -> None:
            async with AsyncFoundryAgentsClient(EP, **sp):
                pass
        asyncio.run(main())
    assert [c.closed for c in FakeSPCredential.instances] == [1]


def test_user_credential_is_not_closed():
    cred = FakeSPCredential("t", "c", "s")
    FoundryAgentsClient(EP, credential=cred).close()
    assert cred.closed == 0


def test_foundry_agent_close_reopens_on_next_call(emulator_endpoint, emulator_token):
    agent = FoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token)
    with agent:
        agent.ask("one")
        first = agent.client
    assert first._http.is_closed
    assert agent.ask("two").endswith("two") and agent.client is not first
    agent.close()


def test_chained_credential_failure_is_reported_once(caplog):
    from azure.identity import ChainedTokenCredential, CredentialUnavailableError

    class NotLoggedIn:
        def get_token(self, *scopes: str, **kw: object) -> AccessToken:
            raise CredentialUnavailableError("Please run 'az login' to set up an account")

    transport = httpx.MockTransport(_refusing)
    with caplog.at_level("DEBUG"), \
            FoundryAgentsClient(EP, credential=ChainedTokenCredential(NotLoggedIn()),
                                http_client=httpx.Client(transport=transport)) as c, \
            pytest.raises(AuthenticationError, match="ChainedTokenCredential could not get a token") as info:
        c.create_response("echo", input="hi")
    assert isinstance(info.value.__cause__, ClientAuthenticationError)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # not printed a second time
