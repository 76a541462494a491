"""The package's pytest plugin: used by these tests, and tested itself with pytester."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from foundry_agents.pytest_plugin import FoundryEmulator
from tests.conftest import recordings_dir

PLUGIN = ("-p", "foundry_agents.pytest_plugin", "-o", "asyncio_default_fixture_loop_scope=function")


# -- the project's own tests use the fixtures ------------------------------------------------------
def test_chat_foundry_agent_in_an_lcel_chain(chat_foundry_agent: Any) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    chain = ChatPromptTemplate.from_messages([("human", "{question}")]) | chat_foundry_agent("echo:1") | StrOutputParser()
    assert chain.invoke({"question": "Hello"}) == "Echo: Hello"
    assert "".join(chain.stream({"question": "Hello"})) == "Echo: Hello"


def test_foundry_agent_llm_completes(foundry_agent_llm: Any) -> None:
    assert foundry_agent_llm("echo:1").complete("Hi there").text == "Echo: Hi there"


@pytest.mark.foundry_agents_file("agents.yaml")
def test_agents_file_marker_adds_agents(foundry_client: Any, foundry_emulator: FoundryEmulator) -> None:
    assert foundry_emulator.mode == "emulator"
    assert foundry_client.create_response("support", input="I want a refund").output_text == "Refunds take 5 days."
    assert foundry_client.create_response("echo:1", input="still here").output_text == "Echo: still here"


@pytest.mark.foundry_replay(str(recordings_dir()))
def test_replay_marker_serves_the_shipped_recordings(foundry_client: Any, foundry_emulator: FoundryEmulator) -> None:
    from tests._recordings import expected
    from tests.core.test_recordings import call_kwargs

    assert foundry_emulator.mode == "replay"
    entry = json.loads((recordings_dir() / "function_tool_roundtrip.json").read_text(encoding="utf-8"))["Entries"][1]
    agent, kwargs = call_kwargs(entry["RequestBody"])
    answer = foundry_client.create_response(agent, **kwargs)
    assert [(c.call_id, c.name, c.arguments) for c in answer.function_calls] == expected(entry)["function_calls"]


# -- the plugin itself, in a separate pytest run ---------------------------------------------------
def test_plugin_does_nothing_unless_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="""
        import threading

        def test_plain():
            assert not [t for t in threading.enumerate() if t.name.startswith("emulator-")]
    """)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    help_text = pytester.runpytest(*PLUGIN, "--help").stdout.str()
    assert "--foundry-replay=DIR" in help_text and "foundry_agents_file" in help_text


def test_ini_agents_file_and_factories(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", agents="agents:\n  - name: greeter\n    reply: 'Hello from the file: {input}'\n")
    pytester.makeini("[pytest]\nfoundry_agents_file = agents.yaml\n")
    pytester.makepyfile(test_uses="""
        def test_chain(chat_foundry_agent, foundry_emulator):
            assert foundry_emulator.mode == "emulator" and foundry_emulator.endpoint.startswith("http://127.0.0.1:")
            assert chat_foundry_agent("greeter").invoke("hi").text == "Hello from the file: hi"

        def test_llm(foundry_agent_llm):
            assert foundry_agent_llm("greeter").complete("yo").text == "Hello from the file: yo"
    """)
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)


def test_foundry_replay_option_serves_a_recorded_session(pytester: pytest.Pytester, tmp_path: Path) -> None:
    from foundry_agents import FoundryAgentsClient
    from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
    from foundry_agents.emulator.record import create_record_app, token_provider
    from foundry_agents.emulator.server import serve_app

    recordings = tmp_path / "recordings"
    with run_emulator() as upstream:
        app = create_record_app(recordings, upstream.endpoint, token_provider("t"))
        with serve_app(app) as base, FoundryAgentsClient(base + "/api/projects/emulator", api_key=EMULATOR_TOKEN) as api:
            assert api.create_response("echo", input="recorded once").output_text == "Echo v2: recorded once"
    pytester.makepyfile(test_replayed="""
        import pytest
        from foundry_agents import NotFoundError

        def test_same_call(foundry_client, foundry_emulator):
            assert foundry_emulator.mode == "replay"
            assert foundry_client.create_response("echo", input="recorded once").output_text == "Echo v2: recorded once"

        def test_other_call(foundry_client):
            with pytest.raises(NotFoundError, match="Closest recorded request: POST"):
                foundry_client.create_response("echo", input="never recorded")
    """)
    pytester.runpytest(*PLUGIN, "--foundry-replay", str(recordings)).assert_outcomes(passed=2)


def test_bad_replay_folder_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_x="def test_x(foundry_emulator):\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "--foundry-replay", str(tmp_path / "nope"))
    assert "does not exist" in result.stdout.str() + result.stderr.str()
    assert result.ret != 0


def test_the_documented_example_passes(pytester: pytest.Pytester) -> None:
    from tests.docs._snippets import python_blocks

    doc = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
    (example,) = [s for s in python_blocks(doc) if s.code.startswith("# test_my_chain.py")]
    pytester.makepyfile(test_my_chain=example.code)
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=3)
