"""foundry-agents core: call Microsoft Foundry Agent Service v2 agents (work in progress)."""

from ._version import __version__

__all__ = ["__version__"]
