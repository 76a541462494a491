"""Fixtures: an in-process emulator app and an httpx client bound to it (fast, no socket)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from foundry_agents.emulator import create_app

from .helpers import AUTH


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=AUTH) as c:
        yield c
