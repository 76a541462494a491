"""``foundry-agents --help``, ``agents list/show``, ``emulator``, and how failures look (subprocesses)."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

from foundry_agents import APIConnectionError, FoundryAgentsClient

from ._cli import ROOT, assert_one_line_error, clean_env, cli, command


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["chat", "agents", "emulator", "demo"]),
    (["chat"], ["AGENT[:VERSION]", "/reset", "/version", "--conversation", "--endpoint", "--api-key"]),
    (["agents"], ["list", "show"]),
    (["agents", "list"], ["--endpoint", "--api-key"]),
    (["agents", "show"], ["NAME[:VERSION]", "--versions", "--json", "--endpoint"]),
    (["emulator"], ["--port", "--host", "--agents"]),
    (["demo"], ["--endpoint", "--api-key", "emulator"]),
])
def test_help(args: list[str], expected: list[str]) -> None:
    proc = cli(*args, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: foundry-agents")
    for word in expected:
        assert word in proc.stdout


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0
    assert re.fullmatch(r"foundry-agents \S+\n", proc.stdout)


def test_no_command_prints_help_and_exits_2() -> None:
    proc = cli()
    assert proc.returncode == 2
    assert "usage: foundry-agents" in proc.stdout


# -- agents ----------------------------------------------------------------------------------------
def test_agents_list(connect: list[str]) -> None:
    proc = cli("agents", "list", *connect)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAME", "LATEST", "MODEL", "TOOLS"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert {"echo", "grounded", "weather", "approval", "researcher", "triage", "calendar"} <= set(rows)
    assert rows["echo"].split()[1] == "2"
    assert "get_weather" in rows["weather"]
    assert "ask_weather, ask_researcher" in rows["triage"]
    assert "o4-mini" in rows["researcher"]


@pytest.mark.parametrize(("agent", "version", "instructions"), [
    ("echo", "2", "prefixed with 'Echo v2:'"),
    ("echo:1", "1", "prefixed with 'Echo:'"),
])
def test_agents_show(connect: list[str], agent: str, version: str, instructions: str) -> None:
    proc = cli("agents", "show", agent, *connect)
    assert proc.returncode == 0, proc.stderr
    fields = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in proc.stdout.split("\n\n")[0].splitlines()[2:])
    assert fields["name"] == "echo"
    assert fields["version"] == version
    assert fields["model"] == "gpt-4.1-mini"
    assert fields["output format"] == "text"
    assert instructions in proc.stdout.split("instructions:")[1]


def test_agents_show_tools(connect: list[str]) -> None:
    proc = cli("agents", "show", "weather", *connect)
    assert re.search(r"^tools\s+get_weather$", proc.stdout, re.M), proc.stdout


def test_agents_show_versions(connect: list[str]) -> None:
    proc = cli("agents", "show", "echo", "--versions", *connect)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["VERSION", "MODEL", "TOOLS"]
    assert [line.split()[0] for line in lines[2:]] == ["2", "1"]


@pytest.mark.parametrize(("agent", "version"), [("echo", "2"), ("echo:1", "1"), ("calendar", "1")])
def test_agents_show_json(connect: list[str], agent: str, version: str) -> None:
    proc = cli("agents", "show", agent, "--json", *connect)
    assert proc.returncode == 0, proc.stderr
    definition = json.loads(proc.stdout)
    assert (definition["name"], definition["version"]) == (agent.split(":")[0], version)
    assert definition["definition"]["model"]


def test_calendar_json_shows_output_schema(connect: list[str]) -> None:
    definition = json.loads(cli("agents", "show", "calendar", "--json", *connect).stdout)
    assert definition["definition"]["text"]["format"]["name"] == "CalendarEvent"


# -- failures: one line, an exit code, no traceback -------------------------------------------------
@pytest.mark.parametrize("args", [["agents", "show", "nope"], ["agents", "show", "echo:9"]])
def test_unknown_agent_exits_1_with_request_id(connect: list[str], args: list[str]) -> None:
    line = assert_one_line_error(cli(*args, *connect), code=1, mentions="404")
    assert re.search(r"request id:? [0-9a-f]{8,}", line), line


@pytest.mark.parametrize(("args", "endpoint"), [
    (["agents", "list"], "not-a-url"),
    (["agents", "show", "echo"], "ftp://example.com/api/projects/p"),
    (["chat", "echo"], "http://example.com/api/projects/p"),  # plain http is for loopback only
])
def test_bad_endpoint_exits_2(args: list[str], endpoint: str) -> None:
    assert_one_line_error(cli(*args, "--endpoint", endpoint, "--api-key", "t", stdin="hi\n"), code=2,
                          mentions="endpoint")


def test_missing_endpoint_exits_2() -> None:
    assert_one_line_error(cli("agents", "list"), code=2, mentions="FOUNDRY_PROJECT_ENDPOINT")


def test_unreachable_endpoint_exits_1() -> None:
    proc = cli("agents", "list", "--endpoint", f"http://127.0.0.1:{_closed_port()}/api/projects/p", "--api-key", "t")
    assert_one_line_error(proc, code=1, mentions="connect")


def test_server_error_exits_1_with_request_id(connect: list[str]) -> None:
    proc = cli("chat", "broken", *connect, stdin="hi\n")
    line = assert_one_line_error(proc, code=1, mentions="500")
    assert "request id" in line


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the emulator command --------------------------------------------------------------------------
def test_emulator_prints_endpoint_and_serves() -> None:
    proc = subprocess.Popen(command("emulator", "--port", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean_env(), cwd=ROOT)
    try:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/projects/emulator", endpoint), endpoint
        assert "any non-empty bearer token" in proc.stdout.readline()
        with FoundryAgentsClient(endpoint, api_key="any") as client:
            for _ in range(200):  # the endpoint is printed just before uvicorn listens
                try:
                    assert client.create_response("echo", input="ping").output_text == "Echo v2: ping"
                    break
                except APIConnectionError:
                    time.sleep(0.05)
            else:
                pytest.fail("the emulator never answered")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_agents_show_versions_json(connect: list[str]) -> None:
    proc = cli("agents", "show", "echo", "--versions", "--json", *connect)
    assert proc.returncode == 0, proc.stderr
    assert [v["version"] for v in json.loads(proc.stdout)] == ["2", "1"]


def test_output_piped_into_a_closed_reader_is_not_a_traceback(connect: list[str], monkeypatch, capsys) -> None:
    import sys

    from foundry_agents.cli import main

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["agents", "show", "echo", "--versions", "--json", *connect]) == 0
    assert capsys.readouterr().err == ""
