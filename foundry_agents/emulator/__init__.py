"""A local emulator of the Foundry Agent Service v2 endpoints (responses, conversations, agents,
files and container files).

Deterministic scripted agents (``echo``, ``grounded``, ``weather``, ``forecast``, ``approval``,
``researcher``, ``triage``, ``writer``, ``calendar``, the tool agents ``coder``, ``painter``,
``mcp-oauth``, ``memory``, ``computer``, ``file-searcher``, and fault agents) answer over the same wire protocol as the service, in
JSON and SSE. Use it in-process or over a socket:

Example:
    >>> import httpx
    >>> from foundry_agents.emulator import create_app, EMULATOR_TOKEN
    >>> client = httpx.Client(transport=httpx.ASGITransport(app=create_app()))  # doctest: +SKIP
    >>> with run_emulator() as emu:                                              # doctest: +SKIP
    ...     print(emu.endpoint)

``EMULATOR_TOKEN`` is a convenient token; any non-empty bearer token is accepted.
"""

from typing import Any

from .constants import EMULATOR_PROJECT, EMULATOR_TOKEN, EXTRA_MODULES, NEEDS_EXTRA

__all__ = [
    "EMULATOR_PROJECT",
    "EMULATOR_TOKEN",
    "AgentVersionRecord",
    "AgentsFileError",
    "RunningEmulator",
    "create_app",
    "load_agents_file",
    "run_emulator",
]

# The web stack (starlette, uvicorn) loads on first use, so `foundry-agents chat` does not pay it.
_LAZY = {"create_app": "app", "AgentsFileError": "config", "load_agents_file": "config",
         "AgentVersionRecord": "model", "RunningEmulator": "server", "run_emulator": "server"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        try:
            module = importlib.import_module(f".{_LAZY[name]}", __name__)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in EXTRA_MODULES:
                raise
            raise ModuleNotFoundError(f"{NEEDS_EXTRA} ({exc})", name=exc.name) from exc
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
