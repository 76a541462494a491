"""The public surface of ``foundry_agents.emulator``."""

from __future__ import annotations

import httpx

import foundry_agents.emulator as emulator
from foundry_agents.emulator import run_emulator


def test_all_names_exist():
    assert set(emulator.__all__) >= {"create_app", "run_emulator", "EMULATOR_PROJECT", "EMULATOR_TOKEN"}
    for name in emulator.__all__:
        assert hasattr(emulator, name)
    assert emulator.EMULATOR_PROJECT == "emulator" and emulator.EMULATOR_TOKEN == "emulator-token"


def test_several_emulators_are_isolated():
    with run_emulator() as a, run_emulator() as b:
        assert a.port != b.port
        assert a.endpoint == f"{a.base_url}/api/projects/emulator"
        headers = {"Authorization": "Bearer t"}
        body = {"input": "x", "agent_reference": {"name": "echo"}, "store": True}
        rid = httpx.post(f"{a.endpoint}/openai/v1/responses", json=body, headers=headers).json()["id"]
        assert httpx.get(f"{a.endpoint}/openai/v1/responses/{rid}", headers=headers).status_code == 200
        assert httpx.get(f"{b.endpoint}/openai/v1/responses/{rid}", headers=headers).status_code == 404
        assert a.app is not b.app


def test_no_two_public_classes_share_a_name_across_packages():
    """A name means one thing: the emulator's stored agent version is AgentVersionRecord, the
    client's is foundry_agents.AgentVersion. Same-named classes are re-exports or, for the
    LangChain error classes, the core class with LangChain's category added (a subclass)."""
    import foundry_agents
    import langchain_foundry_agents
    import llama_index_foundry

    seen: dict[str, type] = {}
    for package in (foundry_agents, emulator, langchain_foundry_agents, llama_index_foundry):
        for name in package.__all__:
            value = getattr(package, name)
            if not isinstance(value, type):
                continue
            other = seen.setdefault(name, value)
            if other is not value:
                assert issubclass(value, other) or issubclass(other, value), f"{package.__name__}.{name}"
    assert emulator.AgentVersionRecord is not foundry_agents.AgentVersion
    assert "AgentVersion" not in emulator.__all__
