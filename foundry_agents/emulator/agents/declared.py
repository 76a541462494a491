"""``tools``: an agent created through the API that uses the tools its definition declares.

The SDK's samples create their own agent (``create_version`` with a ``FunctionTool`` or an
``MCPTool``) and expect the model to call it. This behaviour stands in for that model:

- a declared function tool: the turn calls the tool whose name and description best match the
  question, with arguments filled from the question by the tool's JSON schema (a string gets
  the capitalized words after in/for/at/about, else the last mid-sentence capitalized word,
  else the question; a number the first number; an enum
  the value named in the question, else its first; a boolean ``false``); once every call has a
  ``function_call_output``, the answer quotes the outputs;
- a declared MCP tool (no function tool): the :mod:`.mcp` approval flow under that tool's
  ``server_label``;
- a ``text.format`` of type ``json_schema`` (no tool): a JSON object that fits the schema, the
  ``calendar`` agent's event when the schema asks for no more than its ``name``, ``date`` and
  ``participants``, else every property filled from the question as for function arguments;
- otherwise it echoes, like an agent without tools.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import Reply, TurnContext
from ..transcript import (
    content_words,
    function_calls,
    function_outputs,
    last_user_text,
    output_text,
)
from ._build import function_call, message
from .basic import echo
from .mcp import approval
from .research import extract_event
from .tools import extract_city

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def function_tools(ctx: TurnContext) -> list[dict[str, Any]]:
    return [t for t in ctx.agent.tools if t.get("type") == "function" and isinstance(t.get("name"), str)]


def declared_tools(ctx: TurnContext) -> Reply:
    tools = function_tools(ctx)
    if not tools:
        if any(t.get("type") == "mcp" for t in ctx.agent.tools):
            return approval(ctx)
        schema = json_schema_format(ctx.agent.definition)
        if schema is not None:
            return Reply(items=[message(json.dumps(structured_answer(schema, last_user_text(ctx.items))))])
        return echo(ctx)
    names = {t["name"] for t in tools}
    outputs = function_outputs(ctx.input)
    answered = [c for c in function_calls(ctx.items) if c.get("call_id") in outputs and c.get("name") in names]
    if answered:
        lines = [f"{c['name']} returned: {output_text(outputs[str(c['call_id'])])}" for c in answered]
        return Reply(items=[message("\n".join(lines))])
    question = last_user_text(ctx.items)
    tool = max(tools, key=lambda t: _overlap(t, question))  # ties: the first declared
    return Reply(items=[function_call(tool["name"], arguments_for(tool.get("parameters") or {}, question))])


def json_schema_format(definition: dict[str, Any]) -> dict[str, Any] | None:
    """The ``text.format.schema`` of a ``json_schema`` format, else ``None``."""
    text = definition.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    return None


def structured_answer(schema: dict[str, Any], question: str) -> dict[str, Any]:
    properties = schema.get("properties")
    wanted = set(properties) if isinstance(properties, dict) else set()
    event = extract_event(question)
    if wanted and wanted <= set(event):
        return {key: event[key] for key in properties}  # type: ignore[union-attr]
    return arguments_for(schema, question)


def _overlap(tool: dict[str, Any], question: str) -> int:
    described = f"{tool['name'].replace('_', ' ')} {tool.get('description') or ''}"
    return len(content_words(described) & content_words(question))


def arguments_for(schema: dict[str, Any], question: str) -> dict[str, Any]:
    """Arguments for every declared property (strict tools require all of them)."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    return {name: _value_for(spec if isinstance(spec, dict) else {}, question) for name, spec in properties.items()}


def _value_for(spec: dict[str, Any], question: str) -> Any:
    kind = spec.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        return next((v for v in enum if isinstance(v, str) and v.lower() in question.lower()), enum[0])
    if kind in ("number", "integer"):
        match = _NUMBER.search(question)
        number = float(match.group()) if match else 0
        return int(number) if kind == "integer" else number
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return arguments_for(spec, question)
    return extract_city(question) or question
