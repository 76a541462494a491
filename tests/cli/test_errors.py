"""How the CLI fails: one ``error:`` line and an exit code, never a traceback unless ``--debug``."""

from __future__ import annotations

import socket

import pytest
from azure.core.exceptions import ClientAuthenticationError

from foundry_agents import FoundryAgentsClient
from foundry_agents.cli import main

from ._cli import AMBIENT, assert_one_line_error, cli

NO_LOGIN = (
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
    "Attempted credentials:\n\tEnvironmentCredential: EnvironmentCredential authentication unavailable.\n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/azsdk/python/identity."
)


class NoLogin:
    """``DefaultAzureCredential`` on a machine where nobody signed in."""

    def __init__(self, **kwargs: object) -> None:
        pass

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        raise ClientAuthenticationError(message=NO_LOGIN)

    def close(self) -> None:
        pass


class Failed:
    """What ``main`` printed and returned."""

    def __init__(self, code: int, err: str, out: str) -> None:
        self.returncode, self.stderr, self.stdout = code, err, out


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    for var in (*AMBIENT, "FOUNDRY_AGENTS_DEBUG"):
        monkeypatch.delenv(var, raising=False)

    def run(*argv: str) -> Failed:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Failed(code, captured.err, captured.out)

    return run


def test_no_login_is_one_line_naming_the_ways_to_sign_in(run_main, monkeypatch, emulator_endpoint: str) -> None:
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", NoLogin)
    line = assert_one_line_error(run_main("agents", "list", "--endpoint", emulator_endpoint), code=2,
                                 mentions="DefaultAzureCredential failed to retrieve a token")
    assert "--api-key" in line and "FOUNDRY_API_KEY" in line and "--debug" in line
    assert "Attempted credentials" not in line


def test_unexpected_error_is_one_line_naming_its_type(run_main, monkeypatch, connect: list[str]) -> None:
    def boom(self: object) -> None:
        raise KeyError("surprise\nsecond line")

    monkeypatch.setattr(FoundryAgentsClient, "list_agents", boom)
    line = assert_one_line_error(run_main("agents", "list", *connect), code=1, mentions="unexpected KeyError")
    assert "surprise" in line and "--debug" in line


@pytest.mark.parametrize("how", ["flag before", "flag after", "environment"])
def test_debug_shows_the_traceback(run_main, monkeypatch, connect: list[str], how: str) -> None:
    def boom(self: object) -> None:
        raise RuntimeError("surprise")

    monkeypatch.setattr(FoundryAgentsClient, "list_agents", boom)
    argv = ["agents", "list", *connect]
    if how == "flag before":
        argv.insert(0, "--debug")
    elif how == "flag after":
        argv.append("--debug")
    else:
        monkeypatch.setenv("FOUNDRY_AGENTS_DEBUG", "1")
    result = run_main(*argv)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "in boom" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: unexpected RuntimeError: surprise")


def test_missing_endpoint_names_the_cli_option_and_variable() -> None:
    line = assert_one_line_error(cli("agents", "list"), code=2, mentions="--endpoint")
    assert "FOUNDRY_PROJECT_ENDPOINT" in line and "project_endpoint=" not in line


def test_connection_error_names_the_url_but_not_the_token() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/api/projects/p"
    proc = cli("agents", "list", "--endpoint", endpoint, "--api-key", "s3cret-token")
    line = assert_one_line_error(proc, code=1, mentions="connect")
    assert f"127.0.0.1:{port}/api/projects/p" in line
    assert "s3cret-token" not in proc.stderr + proc.stdout
