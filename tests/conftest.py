"""Shared fixtures: the emulator over a real socket and in-process, and the recordings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def recordings_dir() -> Path | None:
    """``$FOUNDRY_RECORDINGS_DIR``, else ``../shared/recordings`` beside the checkout."""
    env = os.environ.get("FOUNDRY_RECORDINGS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "recordings", ROOT / "shared" / "recordings"]
    for path in candidates:
        if path.is_dir() and any(path.glob("*.json")):
            return path
    return None


def load_recording(name: str) -> list[dict[str, Any]]:
    path = recordings_dir()
    if path is None:
        pytest.skip("recordings not found: set FOUNDRY_RECORDINGS_DIR or place shared/ beside the checkout")
    return json.loads((path / f"{name}.json").read_text(encoding="utf-8"))["Entries"]


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
