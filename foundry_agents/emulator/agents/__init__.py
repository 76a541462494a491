"""Scripted agent behaviours, one module per family, and the table that names them."""

from .catalog import BEHAVIORS, BUILTIN, builtin_agents

__all__ = ["BEHAVIORS", "BUILTIN", "builtin_agents"]
