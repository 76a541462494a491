"""Client-side tools of an agent: names, ``tool_choice``, and the check against the definition.

A Foundry agent declares its tools in its definition; the service refuses ``tools`` in a request
(400 "Not allowed when agent is specified"). So :meth:`ChatFoundryAgent.bind_tools` sends no
tools at all: it only works out the tools' names, checks them against the function tools the
agent declares, and binds ``tool_choice``. The implementations run where LangChain runs them
(a ``ToolNode``, ``create_agent``), and their results go back as ``function_call_output``.

Example:
    >>> tool_choice_option("get_weather", ["get_weather"])
    {'type': 'function', 'name': 'get_weather'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from foundry_agents import AgentVersion
from foundry_agents.errors import AgentToolMismatchError
from foundry_agents.request import tool_choice_option as core_tool_choice

from ._messages import COMPUTER_TOOL

__all__ = ["AgentToolMismatchError", "check_agent_tools", "tool_choice_option", "tool_names"]


def _name(tool: Any) -> str:
    if isinstance(tool, BaseTool):
        return tool.name
    if isinstance(tool, Mapping):
        if tool.get("type") == "function" and isinstance(tool.get("name"), str):
            return str(tool["name"])  # Responses-style function tool
        if isinstance(tool.get("function"), Mapping) and tool["function"].get("name"):
            return str(tool["function"]["name"])
        if tool.get("type") not in (None, "function", "object") and not {"parameters", "properties"} & set(tool):
            raise AgentToolMismatchError(
                f"cannot bind the server-side tool {dict(tool)!r}: server-side tools (web search, "
                "file search, MCP, ...) belong to the agent definition, which already runs them"
            )
    return str(convert_to_openai_tool(tool)["function"]["name"])


def tool_names(tools: Sequence[Mapping[str, Any] | type | Callable[..., Any] | BaseTool]) -> list[str]:
    """The function names of ``tools`` (LangChain tools, functions, pydantic models, dicts)."""
    return [_name(t) for t in tools]


def tool_choice_option(choice: Any, names: Sequence[str]) -> Any:
    """LangChain's ``tool_choice`` as the Responses field: the core's one mapping
    (:func:`foundry_agents.request.tool_choice_option`), with LangChain tool objects named here.

    ``"auto"``, ``"none"``, ``"required"`` pass through (``"any"`` and ``True`` mean
    ``"required"``); a tool name, a tool object or a function dict in either the Responses or the
    Chat-Completions shape becomes ``{"type": "function", "name": ...}`` (checked against the bound
    ``names``). ``None`` or ``False`` sends nothing (the agent definition decides).
    """
    return core_tool_choice(choice, names=list(names) or None, name_of=_name)


def check_agent_tools(names: Sequence[str], definition: AgentVersion) -> None:
    """Raise :class:`AgentToolMismatchError` naming every tool the agent does not declare."""
    declared = [n for n in definition.function_names if n]
    if definition.computer_tool is not None:  # its computer calls reach LangChain as COMPUTER_TOOL calls
        declared.append(COMPUTER_TOOL)
    missing = [n for n in names if n not in declared]
    if missing:
        raise AgentToolMismatchError(
            f"agent {definition.name!r} (version {definition.version}) declares no function tool "
            f"named {', '.join(repr(n) for n in missing)}; its function tools are {declared}. "
            "Tools are part of the agent definition and cannot be added per request: add them to "
            "a new agent version, or pass check_agent_tools=False to bind anyway."
        )
