"""Shared fixtures: the emulator over a real socket and in-process, and the recordings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The package's own pytest plugin (also registered by its pytest11 entry point once installed;
# naming it here too is a no-op then) and pytester, to test that plugin.
pytest_plugins = ["foundry_agents.pytest_plugin", "pytester"]


#: Real, sanitized captures of the service (Azure SDK test-proxy recordings), shipped with the
#: tests; ``tests/recordings/INDEX.md`` and ``SOURCES.json`` say where each one comes from.
RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"


def recordings_dir() -> Path:
    """``$FOUNDRY_RECORDINGS_DIR`` when set (to replay other captures), else ``tests/recordings``.

    A missing directory is a failure, not a skip: the tests that replay recordings must run in
    every clone.
    """
    env = os.environ.get("FOUNDRY_RECORDINGS_DIR")
    path = Path(env) if env else RECORDINGS_DIR
    if not (path.is_dir() and any(path.glob("*.json"))):
        raise FileNotFoundError(f"recordings not found in {path} (tests/recordings ships with the repository)")
    return path


#: The official OpenAPI documents (OpenAI's, and an excerpt of Foundry's v1 data plane), shipped
#: with the tests; ``tests/spec/SOURCES.md`` says where each one comes from.
SPEC_DIR = Path(__file__).resolve().parent / "spec"


def load_openai_spec() -> dict[str, Any]:
    """The OpenAI OpenAPI document the Foundry spec refers to (parsed once per process)."""
    global _OPENAI_SPEC
    if _OPENAI_SPEC is None:
        _OPENAI_SPEC = json.loads((SPEC_DIR / "openai-openapi.json").read_text(encoding="utf-8"))
    return _OPENAI_SPEC


_OPENAI_SPEC: dict[str, Any] | None = None


def load_recording(name: str) -> list[dict[str, Any]]:
    return json.loads((recordings_dir() / f"{name}.json").read_text(encoding="utf-8"))["Entries"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    """One emulator on a real loopback socket for the whole session (``.endpoint``, ``.app``)."""
    from foundry_agents.emulator import run_emulator

    with run_emulator() as server:
        yield server


@pytest.fixture(scope="session")
def emulator_endpoint(emulator: Any) -> str:
    return str(emulator.endpoint)


@pytest.fixture(scope="session")
def emulator_token() -> str:
    from foundry_agents.emulator import EMULATOR_TOKEN

    return EMULATOR_TOKEN
