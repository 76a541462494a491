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
