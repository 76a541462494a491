"""The agents file (``--agents FILE``): user-defined scripted agents in YAML or JSON.

Format (full description and an example in docs/emulator.md)::

    agents:
      - name: support
        description: Answers support questions.
        behavior: scripted          # optional; any built-in behaviour name (default: scripted)
        versions:                   # oldest first; a missing list means one version
          - model: gpt-4.1-mini
            instructions: You answer support questions.
            tools: []               # definition keys: model, instructions, tools, text, reasoning, kind
            reply: "Echo: {input}"  # behaviour keys: reply, rules, after_tool, failures, delay,
                                    # duration (long_running), cut_after and cuts (cutoff)
            rules:
              - {match: refund, reply: "Refunds take 5 days."}
      - name: research-and-write  # a workflow agent: runs other agents in sequence and in parallel
        kind: workflow
        steps:
          - agent: researcher
          - parallel: [{agent: forecast}, {agent: echo}]
          - agent: writer
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .model import AgentVersionRecord

DEFINITION_KEYS = ("kind", "model", "instructions", "tools", "text", "reasoning")
OPTION_KEYS = ("reply", "rules", "after_tool", "failures", "delay", "duration", "cut_after", "cuts", "steps")
DEFAULT_MODEL = "gpt-4.1-mini"


class AgentsFileError(ValueError):
    """The agents file is unreadable or malformed."""


def load_agents_file(path: str | Path) -> list[AgentVersionRecord]:
    """Parse a YAML (``.yaml``/``.yml``) or JSON agents file into agent versions."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AgentsFileError(f"{path}: not valid JSON: {exc}") from exc
    return parse_agents(data, source=str(path))


def parse_agents(data: Any, *, source: str = "agents") -> list[AgentVersionRecord]:
    """Agent versions from the parsed file content (``{"agents": [...]}`` or a bare list)."""
    entries = data.get("agents") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise AgentsFileError(f"{source}: expected a list under 'agents'")
    out: list[AgentVersionRecord] = []
    for index, entry in enumerate(entries):
        out.extend(_agent_versions(entry, f"{source}: agents[{index}]"))
    return out


def _agent_versions(entry: Any, where: str) -> Iterable[AgentVersionRecord]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise AgentsFileError(f"{where}: each agent needs a 'name'")
    versions = entry.get("versions") or [entry]
    if not isinstance(versions, list):
        raise AgentsFileError(f"{where}: 'versions' must be a list")
    for number, spec in enumerate(versions, 1):
        if not isinstance(spec, dict):
            raise AgentsFileError(f"{where}.versions[{number - 1}]: must be a mapping")
        kind = spec.get("kind", entry.get("kind", "prompt"))
        definition: dict[str, Any] = {"kind": "workflow"} if kind == "workflow" else {"kind": "prompt", "model": DEFAULT_MODEL}
        definition.update({k: spec[k] for k in DEFINITION_KEYS if k in spec})
        default_behavior = "scripted"
        if kind == "workflow":
            check_steps(spec.get("steps", entry.get("steps")), f"{where}.versions[{number - 1}]")
            default_behavior = "workflow"
        options = {k: spec[k] for k in OPTION_KEYS if k in spec}
        if "steps" in entry and "steps" not in options:
            options["steps"] = entry["steps"]
        if definition["kind"] == "hosted" and "model" not in spec:
            del definition["model"]  # a hosted agent (a container) answers with model ""
        yield AgentVersionRecord(
            name=entry["name"],
            version=str(spec.get("version", number)),
            definition=definition,
            behavior=str(spec.get("behavior", entry.get("behavior", default_behavior))),
            description=str(spec.get("description", entry.get("description", ""))),
            metadata=dict(spec.get("metadata", entry.get("metadata", {})) or {}),
            options=options,
        )


def check_steps(steps: Any, where: str) -> None:
    """A workflow's ``steps``: a non-empty list of ``{agent: NAME}`` or ``{parallel: [{agent: NAME}, ...]}``."""
    if not isinstance(steps, list) or not steps:
        raise AgentsFileError(f"{where}: a workflow agent needs 'steps', a non-empty list")
    for index, step in enumerate(steps):
        here = f"{where}.steps[{index}]"
        if isinstance(step, dict) and "parallel" in step:
            branches = step["parallel"]
            if not isinstance(branches, list) or not branches:
                raise AgentsFileError(f"{here}: 'parallel' must be a non-empty list of {{agent: NAME}} steps")
            for b_index, branch in enumerate(branches):
                _check_agent_step(branch, f"{here}.parallel[{b_index}]")
        else:
            _check_agent_step(step, here)


def _check_agent_step(step: Any, where: str) -> None:
    if not isinstance(step, dict) or not isinstance(step.get("agent"), str) or not step["agent"]:
        raise AgentsFileError(f"{where}: expected {{agent: NAME}} (or {{parallel: [...]}} at the top level), got {step!r}")
    if step.get("input", "request") not in ("request", "answers"):
        raise AgentsFileError(f"{where}: 'input' must be 'request' or 'answers', got {step['input']!r}")


def workflow_references(agents: Iterable[AgentVersionRecord]) -> None:
    """Every agent a workflow agent runs must exist; raises :class:`AgentsFileError` naming the first that does not."""
    agents = list(agents)
    names = {a.name for a in agents}
    for agent in agents:
        for step in agent.options.get("steps") or () if agent.behavior == "workflow" else ():
            for target in step.get("parallel", [step]):
                if target["agent"] not in names:
                    raise AgentsFileError(f"workflow agent '{agent.name}' runs agent '{target['agent']}', "
                                          f"which is not defined (built-in or in the agents file)")
