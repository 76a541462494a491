"""A pytest plugin: the local emulator (or a replay of recordings) as fixtures.

Installed with the package and registered through the ``pytest11`` entry point; it does nothing
until a test asks for one of its fixtures (no autouse fixture, no option with an effect by default).
Needs the ``emulator`` extra; ``langchain-core`` or ``llama-index-core`` only for their factories.

Fixtures:

- ``foundry_emulator``: a running emulator (``.endpoint``, ``.token``, ``.mode``: ``"emulator"`` or
  ``"replay"``). One emulator per agents file is shared by the session; a replay is fresh per test.
- ``foundry_client``: a :class:`~foundry_agents.FoundryAgentsClient` bound to it.
- ``chat_foundry_agent``: ``chat_foundry_agent("echo", **kwargs)`` -> a ready ``ChatFoundryAgent``.
- ``foundry_agent_llm``: ``foundry_agent_llm("echo", **kwargs)`` -> a ready ``FoundryAgentLLM``.

Configuration:

- ``foundry_agents_file`` (ini option) or ``@pytest.mark.foundry_agents_file(path)``: a YAML/JSON
  agents file (docs/emulator.md) loaded next to the built-in agents; an ini path is relative to the
  rootdir, a marker path to the test file.
- ``--foundry-replay DIR`` or ``@pytest.mark.foundry_replay(DIR)``: serve the recordings in DIR
  (``foundry-agents emulator --record``) instead of the emulator.

Example:
    >>> def test_my_chain(chat_foundry_agent):                          # doctest: +SKIP
    ...     chain = prompt | chat_foundry_agent("echo") | StrOutputParser()
    ...     assert chain.invoke({"question": "hi"}) == "Echo v2: hi"
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["FoundryEmulator"]

INI_AGENTS_FILE = "foundry_agents_file"
MARK_AGENTS_FILE = "foundry_agents_file"
MARK_REPLAY = "foundry_replay"


@dataclass(frozen=True)
class FoundryEmulator:
    """What ``foundry_emulator`` gives a test: where to connect and with which token."""

    endpoint: str
    token: str
    mode: str  # "emulator" or "replay"
    app: Any = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("foundry-agents", "Foundry agents emulator fixtures")
    group.addoption("--foundry-replay", metavar="DIR", default=None,
                    help="serve the recordings in DIR to the foundry_emulator fixture instead of the emulator")
    parser.addini(INI_AGENTS_FILE, "agents file (YAML/JSON) the foundry_emulator fixture loads", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK_AGENTS_FILE}(path): agents file for the foundry_emulator fixture")
    config.addinivalue_line("markers", f"{MARK_REPLAY}(dir): serve these recordings to the foundry_emulator fixture")


def _marker_path(request: pytest.FixtureRequest, name: str) -> Path | None:
    marker = request.node.get_closest_marker(name)
    if marker is None:
        return None
    if len(marker.args) != 1 or not isinstance(marker.args[0], (str, Path)):
        raise pytest.UsageError(f"@pytest.mark.{name} takes one path, got {marker.args!r}")
    path = Path(marker.args[0])
    return path if path.is_absolute() else Path(str(request.node.path)).parent / path


class _Emulators:
    """The session's emulators, one per agents file, started on first use."""

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()
        self.running: dict[str | None, FoundryEmulator] = {}

    def get(self, agents_file: Path | None) -> FoundryEmulator:
        key = str(agents_file) if agents_file else None
        if key not in self.running:
            from .emulator import AgentsFileError, run_emulator

            try:
                emu = self.stack.enter_context(run_emulator(agents_file=agents_file))
            except (OSError, AgentsFileError) as exc:
                raise pytest.UsageError(f"foundry_emulator: cannot load agents file {key}: {exc}") from exc
            self.running[key] = FoundryEmulator(emu.endpoint, emu.token, "emulator", emu.app)
        return self.running[key]


@pytest.fixture(scope="session")
def _foundry_emulators() -> Iterator[_Emulators]:
    emulators = _Emulators()
    with emulators.stack:
        yield emulators


def _agents_file(request: pytest.FixtureRequest) -> Path | None:
    marked = _marker_path(request, MARK_AGENTS_FILE)
    if marked is not None:
        return marked
    configured = str(request.config.getini(INI_AGENTS_FILE) or "").strip()
    return Path(request.config.rootpath, configured) if configured else None


def _replay_dir(request: pytest.FixtureRequest) -> Path | None:
    marked = _marker_path(request, MARK_REPLAY)
    if marked is not None:
        return marked
    option = request.config.getoption("--foundry-replay", default=None)
    return Path(option) if option else None


@pytest.fixture
def foundry_emulator(request: pytest.FixtureRequest, _foundry_emulators: _Emulators) -> Iterator[FoundryEmulator]:
    """The emulator (shared per agents file) or, with ``--foundry-replay``, a fresh replay."""
    replay = _replay_dir(request)
    if replay is None:
        yield _foundry_emulators.get(_agents_file(request))
        return
    from .emulator import EMULATOR_PROJECT, EMULATOR_TOKEN
    from .emulator.replay import RecordingsError, create_replay_app
    from .emulator.server import serve_app

    try:
        app = create_replay_app(replay)
    except RecordingsError as exc:
        raise pytest.UsageError(f"foundry_emulator: {exc}") from exc
    with serve_app(app) as base:
        yield FoundryEmulator(f"{base}/api/projects/{EMULATOR_PROJECT}", EMULATOR_TOKEN, "replay", app)


@pytest.fixture
def foundry_client(foundry_emulator: FoundryEmulator) -> Iterator[Any]:
    """A core client bound to ``foundry_emulator`` (closed after the test)."""
    from . import FoundryAgentsClient

    with FoundryAgentsClient(foundry_emulator.endpoint, api_key=foundry_emulator.token) as client:
        yield client


def _factory(foundry_emulator: FoundryEmulator, cls: type) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(agent: str, **kwargs: Any) -> Any:
        kwargs.setdefault("project_endpoint", foundry_emulator.endpoint)
        kwargs.setdefault("api_key", foundry_emulator.token)
        model = cls(agent, **kwargs)
        made.append(model)
        return model

    yield make
    for model in made:
        model.close()


@pytest.fixture
def chat_foundry_agent(foundry_emulator: FoundryEmulator) -> Iterator[Callable[..., Any]]:
    """``chat_foundry_agent("echo", **kwargs)``: a LangChain ``ChatFoundryAgent`` on the emulator."""
    from langchain_foundry_agents import ChatFoundryAgent

    yield from _factory(foundry_emulator, ChatFoundryAgent)


@pytest.fixture
def foundry_agent_llm(foundry_emulator: FoundryEmulator) -> Iterator[Callable[..., Any]]:
    """``foundry_agent_llm("echo", **kwargs)``: a LlamaIndex ``FoundryAgentLLM`` on the emulator."""
    from llama_index_foundry import FoundryAgentLLM

    yield from _factory(foundry_emulator, FoundryAgentLLM)
