"""Structured output from an agent whose definition fixes the output format.

The service refuses a response format next to an agent (``text`` is "Not allowed when agent is
specified"), so nothing is sent: :class:`AgentJSONParser` reads the agent's answer as JSON and
validates it against the caller's schema (a pydantic model, a ``TypedDict``, or a JSON schema
dict), raising :class:`~langchain_core.exceptions.OutputParserException` with the reason and
the text otherwise. When the reply carries a Foundry ``structured_outputs`` item, its ``output``
is what is validated (the text is not parsed). Give the agent a JSON schema output format (or instructions) that matches.

Example:
    >>> from pydantic import BaseModel
    >>> class Event(BaseModel):
    ...     name: str
    >>> AgentJSONParser(target_schema=Event).parse('```json\\n{"name": "standup"}\\n```')
    Event(name='standup')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pydantic
from langchain_core.exceptions import OutputParserException
from langchain_core.output_parsers import BaseOutputParser
from langchain_core.outputs import Generation

__all__ = ["AgentJSONParser", "json_schema_of", "load_json"]


def load_json(text: str) -> Any:
    """The JSON value in ``text``: bare, inside a Markdown code fence, or the outermost object."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0].strip()
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        start, end = body.find("{"), body.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(body[start:end + 1])
            except json.JSONDecodeError:
                pass
        raise OutputParserException(f"the agent's answer is not JSON ({exc})", llm_output=text) from exc


def json_schema_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON schema inside an OpenAI-style wrapper (``{"name", "schema"}`` or ``{"parameters"}``)."""
    if isinstance(schema.get("schema"), Mapping):
        return dict(schema["schema"])
    if isinstance(schema.get("parameters"), Mapping):
        return dict(schema["parameters"])
    return dict(schema)


def _validate_json_schema(value: Any, schema: dict[str, Any]) -> None:
    try:
        import jsonschema
    except ImportError:  # not a dependency: check what matters most without it
        if schema.get("type") == "object":
            if not isinstance(value, dict):
                raise ValueError("expected a JSON object") from None
            missing = [k for k in schema.get("required") or () if k not in value]
            if missing:
                raise ValueError(f"missing required properties {missing}") from None
        return
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        raise ValueError(exc.message) from exc


class AgentJSONParser(BaseOutputParser[Any]):
    """Parse the agent's answer as JSON and validate it against ``schema`` (see module docstring).

    ``target_schema=None`` returns the parsed JSON as is (``method="json_mode"``).
    """

    target_schema: Any = None

    @property
    def _type(self) -> str:
        return "foundry_agent_json"

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        message = getattr(result[0], "message", None) if result else None
        content = getattr(message, "content", None)
        if isinstance(content, list):
            found = [b["output"] for b in content if isinstance(b, Mapping) and b.get("type") == "structured_outputs"]
            if found:
                return self._validate(found[-1], json.dumps(found[-1], default=str))
        return super().parse_result(result, partial=partial)

    def parse(self, text: str) -> Any:
        return self._validate(load_json(text), text)

    def _validate(self, value: Any, text: str) -> Any:
        schema = self.target_schema
        try:
            if schema is None:
                return value
            if isinstance(schema, Mapping):
                _validate_json_schema(value, json_schema_of(schema))
                return value
            if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
                return schema.model_validate(value)
            if isinstance(schema, type) and hasattr(schema, "parse_obj"):  # pydantic.v1 models
                return schema.parse_obj(value)
            return pydantic.TypeAdapter(schema).validate_python(value)
        except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
            name = getattr(schema, "__name__", None) or (schema.get("title") if isinstance(schema, Mapping) else None)
            raise OutputParserException(
                f"the agent's answer does not match the schema {name or ''}: {exc}".replace("  ", " "),
                llm_output=text,
            ) from exc
