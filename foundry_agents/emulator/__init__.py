"""A local emulator of the Foundry Agent Service v2 endpoints (responses, conversations, agents).

Deterministic scripted agents (``echo``, ``grounded``, ``weather``, ``approval``, ``researcher``,
``triage``, ``calendar`` and fault agents) answer over the same wire protocol as the service, in
JSON and SSE. Use it in-process or over a socket:

Example:
    >>> import httpx
    >>> from foundry_agents.emulator import create_app, EMULATOR_TOKEN
    >>> client = httpx.Client(transport=httpx.ASGITransport(app=create_app()))  # doctest: +SKIP
    >>> with run_emulator() as emu:                                              # doctest: +SKIP
    ...     print(emu.endpoint)

``EMULATOR_TOKEN`` is a convenient token; any non-empty bearer token is accepted.
"""

from .app import create_app
from .config import AgentsFileError, load_agents_file
from .model import AgentVersion
from .server import EMULATOR_PROJECT, EMULATOR_TOKEN, RunningEmulator, run_emulator

__all__ = [
    "EMULATOR_PROJECT",
    "EMULATOR_TOKEN",
    "AgentVersion",
    "AgentsFileError",
    "RunningEmulator",
    "create_app",
    "load_agents_file",
    "run_emulator",
]
