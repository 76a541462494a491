from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def connect(emulator_endpoint: str, emulator_token: str) -> list[str]:
    """``--endpoint URL --api-key TOKEN`` for the session's emulator (a real socket)."""
    return ["--endpoint", emulator_endpoint, "--api-key", emulator_token]
