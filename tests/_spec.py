"""Validate request bodies against the published OpenAPI documents (``tests/spec``).

Foundry's document (an excerpt) names OpenAI's schemas as ``OpenAI.X``; OpenAI's document defines
them as ``X``. :func:`create_response_validator` merges both into one registry (Foundry's wins where
both define a name) and validates with JSON Schema 2020-12, with two documented adjustments:

- OpenAPI discriminated unions overlap (a user message matches both ``EasyInputMessage`` and
  ``InputMessage``), and JSON Schema's ``oneOf`` ignores the discriminator, so every ``oneOf`` is
  read as ``anyOf``;
- TypeSpec's base-model marker (``allOf: [OpenAI.InputItem]`` inside a member of that very union)
  would recurse forever; such self-referencing ``allOf`` entries are dropped.

Where the spec and the recorded service traffic disagree, the recordings win; each such case is in
:data:`RECORDED_OVERRIDES` (and in docs/protocol.md, "Replayed history").

The documents ship with the tests and are loaded once per session.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_PREFIX = "#/components/schemas/"


def spec_dir() -> Path:
    """``$FOUNDRY_SPEC_DIR`` when set, else the documents shipped in ``tests/spec``."""
    env = os.environ.get("FOUNDRY_SPEC_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "spec"


def _rewrite(node: Any, prefix: str) -> Any:
    """Copy of ``node`` with refs renamed (``X`` -> ``OpenAI.X``) and ``oneOf`` read as ``anyOf``."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_PREFIX):
                out[key] = _PREFIX + prefix + value[len(_PREFIX):]
            elif key == "oneOf":
                out["anyOf"] = _rewrite(value, prefix)
            elif key == "discriminator":
                continue
            else:
                out[key] = _rewrite(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite(v, prefix) for v in node]
    return node


#: schema name -> required fields the real service does not require (recording that shows it).
RECORDED_OVERRIDES: dict[str, tuple[frozenset[str], str]] = {
    # OpenAI's document requires a ``request_id`` no client has; the service accepts the answer
    # with type, approval_request_id and approve only (200 in the recording).
    "OpenAI.MCPApprovalResponse": (frozenset({"request_id"}), "mcp_approval_v1"),
}


@functools.cache
def _schemas() -> dict[str, Any]:
    import yaml

    path = spec_dir()
    openai = json.loads((path / "openai-openapi.json").read_text(encoding="utf-8"))
    foundry = yaml.safe_load((path / "foundry-v1-excerpt.yaml").read_text(encoding="utf-8"))
    schemas = {f"OpenAI.{k}": _rewrite(v, "OpenAI.") for k, v in openai["components"]["schemas"].items()}
    schemas.setdefault("OpenAI.integer", {"type": "integer"})
    schemas.setdefault("OpenAI.numeric", {"type": "number"})
    for name, schema in foundry["components"]["schemas"].items():
        schema = _rewrite(schema, "")
        base = schema.get("allOf")
        if isinstance(base, list):  # TypeSpec's base-model marker: the union this schema is part of
            kept = [b for b in base if not (isinstance(b, dict) and b.get("$ref") == _PREFIX + "OpenAI.InputItem")]
            if kept:
                schema["allOf"] = kept
            else:
                del schema["allOf"]
        schemas[name] = schema
    for name, (not_required, _recording) in RECORDED_OVERRIDES.items():
        schema = schemas[name]
        schema["required"] = [f for f in schema.get("required", []) if f not in not_required]
    return schemas


@functools.cache
def create_response_validator() -> Any:
    """A validator for the body of ``POST /openai/v1/responses`` (``CreateResponseRequest``)."""
    from jsonschema import Draft202012Validator

    root = {"$ref": _PREFIX + "CreateResponseRequest", "components": {"schemas": _schemas()}}
    return Draft202012Validator(root)


def spec_errors(body: dict[str, Any]) -> list[str]:
    """Every place ``body`` breaks the spec, deepest reason first (empty when valid)."""
    from jsonschema.exceptions import best_match

    out = []
    for error in create_response_validator().iter_errors(body):
        best = best_match([error])
        out.append(f"{'/'.join(map(str, best.absolute_path))}: {best.message[:300]}")
    return out


@functools.cache
def _schema_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schemas = _schemas()
    if name not in schemas:
        raise KeyError(f"no schema {name!r} in the spec documents")
    return Draft202012Validator({"$ref": _PREFIX + name, "components": {"schemas": schemas}})


def schema_errors(name: str, value: Any) -> list[str]:
    """Every place ``value`` breaks the spec's schema ``name`` (``OpenAI.ImageGenToolCall``, ...)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in _schema_validator(name).iter_errors(value)]
