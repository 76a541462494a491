"""ConnectionSettings: one validation for every entry point, FOUNDRY_API_KEY, the Secret holder."""

from __future__ import annotations

import asyncio
import copy
import pickle
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from foundry_agents import AsyncFoundryAgentsClient, FoundryAgent, FoundryAgentsClient
from foundry_agents.cli._connect import client_from_args
from foundry_agents.connection import CONNECTION_ARGUMENTS, ConnectionSettings, Secret
from foundry_agents.errors import FoundryConfigError, InvalidEndpointError

EP = "https://acme.services.ai.azure.com/api/projects/demo"
OK = {"id": "resp_1", "object": "response", "status": "completed", "output": []}


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FOUNDRY_API_KEY", "FOUNDRY_PROJECT_ENDPOINT", "AZURE_AI_PROJECT_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def _adapters() -> list[Any]:
    from langchain_foundry_agents import ChatFoundryAgent
    from llama_index_foundry import FoundryAgentLLM

    return [lambda **kw: ChatFoundryAgent("echo", **kw), lambda **kw: FoundryAgentLLM("echo", **kw)]


ENTRY_POINTS = {
    "settings": lambda **kw: ConnectionSettings(**kw),
    "client": lambda **kw: FoundryAgentsClient(**kw),
    "async_client": lambda **kw: AsyncFoundryAgentsClient(**kw),
    "agent": lambda **kw: FoundryAgent("echo", **kw),
    "langchain": lambda **kw: _adapters()[0](**kw),
    "llama_index": lambda **kw: _adapters()[1](**kw),
}

BAD = [
    ({"api_key": 98765}, "api_key must be a string"),
    ({"api_key": b"tok-98765"}, "api_key must be a string"),
    ({"api_key": "  "}, "api_key is empty"),
    ({"credential": "not-a-credential"}, "credential must be an azure-identity"),
    ({"api_key": "t", "credential": object()}, "credential must be"),
    ({"tenant_id": "t", "client_id": "c"}, "missing ['client_secret']"),
    ({"tenant_id": 1, "client_id": "c", "client_secret": "s"}, "tenant_id must be a string"),
    ({"api_key": "t", "tenant_id": "t", "client_id": "c", "client_secret": "s"}, "one way to authenticate"),
    ({"route": "sideways"}, "route must be one of"),
    ({"timeout": "soon"}, "timeout must be a positive number"),
    ({"timeout": -1}, "timeout must be a positive number"),
    ({"timeout": True}, "timeout must be a positive number"),
    ({"max_retries": -1}, "max_retries must be a non-negative integer"),
    ({"max_retries": "2"}, "max_retries must be a non-negative integer"),
    ({"default_headers": {"Authorization": "Bearer x"}}, "not an Authorization header"),
    ({"default_headers": ["X-A"]}, "default_headers must be a mapping"),
    ({"default_headers": {"X-A": 1}}, "default_headers must map strings to strings"),
    ({"user_agent_extra": 5}, "user_agent_extra must be a string"),
    ({"http_client": httpx.AsyncClient()}, "pass it as http_async_client="),
    ({"http_async_client": httpx.Client()}, "pass it as http_client="),
    ({"project_endpoint": 42}, "project_endpoint must be a URL string"),
]


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize(("kwargs", "message"), BAD, ids=[m for _, m in BAD])
def test_every_entry_point_rejects_bad_arguments_the_same_way(entry: str, kwargs: dict[str, Any],
                                                              message: str) -> None:
    if entry == "async_client" and "http_client" in kwargs:
        pytest.skip("the async client's own http_client= argument is its httpx.AsyncClient")
    kwargs = {"project_endpoint": EP, **kwargs}
    with pytest.raises(FoundryConfigError) as caught:
        ENTRY_POINTS[entry](**kwargs)
    assert message in str(caught.value)
    assert "98765" not in str(caught.value)  # a mistyped secret is not echoed


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_a_missing_endpoint_names_the_variable(entry: str) -> None:
    with pytest.raises(InvalidEndpointError, match="FOUNDRY_PROJECT_ENDPOINT"):
        ENTRY_POINTS[entry](api_key="t")


def test_the_settings_are_immutable_and_shared_by_copies() -> None:
    settings = ConnectionSettings(EP, api_key="t", timeout=5, default_headers={"X-A": "1"})
    with pytest.raises(AttributeError, match="immutable"):
        settings.max_retries = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.default_headers["X-B"] = "2"  # type: ignore[index]
    assert copy.copy(settings) is settings and copy.deepcopy(settings) is settings
    assert settings.timeout == httpx.Timeout(5)
    changed = settings.replace(max_retries=0)
    assert (changed.max_retries, changed.project_endpoint, changed.auth) == (0, settings.project_endpoint, "api_key")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(settings)
    plain = pickle.loads(pickle.dumps(ConnectionSettings(EP, route="preview")))
    assert (plain.project_endpoint.url, plain.route.value, plain.auth) == (EP, "preview", "default")


def test_clients_refuse_unknown_arguments_like_the_adapters() -> None:
    with pytest.raises(FoundryConfigError, match=r"FoundryAgentsClient\(\.\.\.\) sets 'temperature'"):
        FoundryAgentsClient(EP, api_key="t", temperature=0.5)
    with pytest.raises(FoundryConfigError, match=r"AsyncFoundryAgentsClient\(\.\.\.\) got unexpected argument\(s\) "
                                                 r"\['api_base'\] \('api_base' -> did you mean 'project_endpoint'\?\)"):
        AsyncFoundryAgentsClient(EP, api_key="t", api_base="x")


def test_connection_arguments_match_the_settings_signature() -> None:
    assert CONNECTION_ARGUMENTS == (
        "project_endpoint", "credential", "api_key", "tenant_id", "client_id", "client_secret", "route",
        "timeout", "max_retries", "default_headers", "user_agent_extra", "foundry_features", "user_identity",
        "http_client", "http_async_client", "rate_limiter")


def test_a_client_and_an_agent_take_ready_settings() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    settings = ConnectionSettings(EP, api_key="tok", default_headers={"X-Team": "a"},
                                  http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    with FoundryAgentsClient(connection=settings) as client:
        client.create_response("echo", input="x")
    agent = FoundryAgent("echo", connection=settings, store=False)
    agent.ask("x")
    assert agent.client.connection is settings and agent.defaults == {"store": False}
    assert [(r.headers["authorization"], r.headers["x-team"]) for r in seen] == [("Bearer tok", "a")] * 2
    # A given client lends its settings to the other mode's client.
    assert FoundryAgent("echo", client=agent.client).async_client.connection is settings


def test_secret_shows_nothing_but_through_its_accessor() -> None:
    secret = Secret("s3cr3t")
    assert "s3cr3t" not in repr(secret) + str(secret)
    assert not hasattr(secret, "__dict__") and copy.deepcopy(secret) is secret
    assert secret.get_secret_value() == "s3cr3t"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


# -- FOUNDRY_API_KEY ------------------------------------------------------------------------------
def _bearer_sent(make: Any) -> str:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=OK)

    transport = httpx.MockTransport(handler)
    make(httpx.Client(transport=transport), httpx.AsyncClient(transport=transport))
    return seen[0]


def _core(sync: httpx.Client, _: httpx.AsyncClient, **kw: Any) -> None:
    FoundryAgentsClient(EP, http_client=sync, **kw).create_response("echo", input="x")


def _async_core(_: httpx.Client, client: httpx.AsyncClient, **kw: Any) -> None:
    asyncio.run(AsyncFoundryAgentsClient(EP, http_client=client, **kw).create_response("echo", input="x"))


def _agent(sync: httpx.Client, client: httpx.AsyncClient, **kw: Any) -> None:
    FoundryAgent("echo", project_endpoint=EP, http_client=sync, **kw).ask("x")


def _langchain(sync: httpx.Client, client: httpx.AsyncClient, **kw: Any) -> None:
    from langchain_foundry_agents import ChatFoundryAgent

    ChatFoundryAgent("echo", project_endpoint=EP, http_client=sync, **kw).invoke("x")


def _llama_index(sync: httpx.Client, client: httpx.AsyncClient, **kw: Any) -> None:
    from llama_index_foundry import FoundryAgentLLM

    asyncio.run(FoundryAgentLLM("echo", project_endpoint=EP, http_async_client=client, **kw).acomplete("x"))


def _cli(sync: httpx.Client, _: httpx.AsyncClient, **kw: Any) -> None:
    import argparse

    client = client_from_args(argparse.Namespace(endpoint=EP, api_key=kw.get("api_key")))
    client._http.close()
    client._http = sync  # the CLI builds its own pool; answer through the mock instead
    client.create_response("echo", input="x")


MAKERS = [_core, _async_core, _agent, _langchain, _llama_index, _cli]


@pytest.mark.parametrize("make", MAKERS, ids=lambda m: m.__name__.strip("_"))
def test_foundry_api_key_is_the_default_static_token(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUNDRY_API_KEY", "env-token")
    assert _bearer_sent(make) == "Bearer env-token"
    assert _bearer_sent(lambda s, a: make(s, a, api_key="given")) == "Bearer given"  # an argument wins


def test_foundry_api_key_yields_to_a_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUNDRY_API_KEY", "env-token")

    class Credential:
        def get_token(self, *scopes: str) -> Any:
            return type("AccessToken", (), {"token": "from-credential", "expires_on": 9e9})()

    assert _bearer_sent(lambda s, a: _core(s, a, credential=Credential())) == "Bearer from-credential"
    settings = ConnectionSettings(EP)
    assert settings.auth == "api_key" and settings.replace(credential=Credential()).auth == "credential"
    monkeypatch.setenv("FOUNDRY_API_KEY", " ")
    assert ConnectionSettings(EP).auth == "default"  # a blank variable is no token


def test_adapter_pickles_refuse_held_credentials_but_not_an_environment_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_foundry_agents import ChatFoundryAgent

    monkeypatch.setenv("FOUNDRY_API_KEY", "env-token")
    clone = pickle.loads(pickle.dumps(ChatFoundryAgent("echo", project_endpoint=EP)))  # re-reads the env
    assert clone.foundry_agent.connection.auth == "api_key"
    with pytest.raises(TypeError, match=r"holds a credential \(client_secret=\)"):
        pickle.dumps(ChatFoundryAgent("echo", project_endpoint=EP, tenant_id="t", client_id="c",
                                      client_secret=SecretStr("s")))
