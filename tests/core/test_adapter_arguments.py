"""Both adapters refuse the arguments they cannot honour, the same way (one rule, in the core)."""

from __future__ import annotations

from typing import Any

import pytest

from foundry_agents import FoundryAgent
from foundry_agents.errors import FoundryConfigError, RefusedParameterError

EP = "https://acme.services.ai.azure.com/api/projects/demo"


def _langchain(**kwargs: Any) -> Any:
    from langchain_foundry_agents import ChatFoundryAgent

    return ChatFoundryAgent("echo", project_endpoint=EP, api_key="t", **kwargs)


def _llama_index(**kwargs: Any) -> Any:
    from llama_index_foundry import FoundryAgentLLM

    return FoundryAgentLLM("echo", project_endpoint=EP, api_key="t", **kwargs)


ADAPTERS = {"ChatFoundryAgent": _langchain, "FoundryAgentLLM": _llama_index}


@pytest.mark.parametrize("name", list(ADAPTERS))
@pytest.mark.parametrize("argument", ["temperature", "top_p", "model", "tools", "response_format", "instructions"])
def test_agent_definition_arguments_are_refused_with_where_they_belong(name: str, argument: str) -> None:
    with pytest.raises(RefusedParameterError, match="agent definition") as caught:
        ADAPTERS[name](**{argument: 0.5})
    assert list(caught.value.params) == [argument]
    assert f"{name}(...) sets '{argument}'" in str(caught.value)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_unknown_arguments_are_refused_with_the_valid_ones(name: str) -> None:
    with pytest.raises(FoundryConfigError) as caught:
        ADAPTERS[name](max_tokens=10)
    message = str(caught.value)
    assert "unexpected argument(s) ['max_tokens']" in message
    assert "did you mean 'max_output_tokens'?" in message and "'project_endpoint'" in message
    with pytest.raises(FoundryConfigError, match=r"unexpected argument\(s\) \['foo'\]; valid arguments: \["):
        ADAPTERS[name](foo=1)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_every_connection_argument_is_accepted_by_both_adapters(name: str) -> None:
    model = ADAPTERS[name](route="preview", timeout=5, max_retries=0, default_headers={"X-A": "1"},
                           user_agent_extra="mine/1", foundry_features="F=1")
    connection = model.foundry_agent.connection
    assert (connection.route.value, connection.max_retries, connection.foundry_features) == ("preview", 0, "F=1")
    assert connection.headers()["User-Agent"].endswith(" mine/1")  # after the framework's own
    assert connection.headers()["X-A"] == "1"


def test_the_core_agent_refuses_the_same_names() -> None:
    with pytest.raises(RefusedParameterError, match="agent definition"):
        FoundryAgent("echo", project_endpoint=EP, api_key="t", temperature=0.5)
    with pytest.raises(FoundryConfigError, match="max_tokens"):
        FoundryAgent("echo", project_endpoint=EP, api_key="t", max_tokens=10)


def test_a_llama_index_dict_round_trips_through_the_argument_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_index_foundry import FoundryAgentLLM

    monkeypatch.delenv("FOUNDRY_API_KEY", raising=False)
    llm = _llama_index(metadata={"team": "a"}, timeout=5)
    clone = FoundryAgentLLM.from_dict(llm.to_dict())  # every dumped field is a valid argument
    assert (clone.request_metadata, clone.timeout, clone.agent) == ({"team": "a"}, 5, "echo")
    assert clone.foundry_agent.connection.auth == "default"  # the token is never dumped
