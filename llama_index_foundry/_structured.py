"""Structured output for agents: the agent answers JSON, we parse it into the caller's model.

A Foundry agent cannot take a request-level response format (``text`` is refused next to an
agent) and its tools are fixed, so neither JSON mode nor a function-calling program can work.
:class:`~llama_index_foundry.FoundryAgentLLM` therefore uses a text program of its own (its
``pydantic_program_mode`` defaults to ``LLM``): the JSON schema goes into a system message (the
user's text stays as written, which matters to agents that read only the user turn), and the
answer is parsed from the agent's JSON. An agent whose definition sets a JSON schema output
format answers in that schema anyway. When the response carries a Foundry ``structured_outputs``
item whose ``output`` matches the model, that output is the result (the latest one first);
otherwise the text is parsed. A parse failure raises :class:`StructuredOutputError`. Streamed,
the partial objects come from the text as it arrives, and the last chunk (the final response,
with its ``structured_outputs`` items) gives the matching item's output when there is one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, TextBlock
from llama_index.core.output_parsers.utils import extract_json_str
from llama_index.core.program.utils import process_streaming_objects
from llama_index.core.prompts import BasePromptTemplate
from pydantic import BaseModel, ValidationError

from foundry_agents.errors import StructuredOutputError

__all__ = [
    "StructuredOutputError",
    "aparse_stream",
    "item_result",
    "parse_stream",
    "parse_structured",
    "schema_instructions",
    "structured_messages",
    "structured_result",
]

_INSTRUCTIONS = (
    "Answer with one JSON object only (no prose, no code fences) that conforms to this JSON schema:\n{schema}"
)


def schema_instructions(output_cls: type[BaseModel]) -> str:
    return _INSTRUCTIONS.format(schema=json.dumps(output_cls.model_json_schema(), ensure_ascii=False))


def structured_messages(prompt: BasePromptTemplate, output_cls: type[BaseModel], prompt_args: Mapping[str, Any],
                        *, llm: Any, system_allowed: bool = True) -> list[ChatMessage]:
    """The prompt's messages plus the schema instructions: in the first system message (added
    when there is none), or after the last message's text when system messages are refused."""
    messages = llm._extend_messages(prompt.format_messages(llm=llm, **prompt_args))
    note = schema_instructions(output_cls)
    if not system_allowed:
        return [*messages[:-1], _with_text(messages[-1], note)] if messages else [
            ChatMessage(role=MessageRole.USER, content=note)]
    if messages and messages[0].role == MessageRole.SYSTEM:
        return [_with_text(messages[0], note), *messages[1:]]
    return [ChatMessage(role=MessageRole.SYSTEM, content=note), *messages]


def _with_text(message: ChatMessage, text: str) -> ChatMessage:
    return message.model_copy(update={"blocks": [*message.blocks, TextBlock(text="\n\n" + text)]})


def structured_result(agent: str, output_cls: type[BaseModel], message: ChatMessage) -> Any:
    """``output_cls`` from the message's ``structured_outputs`` entries when one matches, else from its text."""
    found = item_result(output_cls, message)
    return found if found is not None else parse_structured(agent, output_cls, message.content or "")


def item_result(output_cls: type[BaseModel], message: ChatMessage) -> Any:
    """``output_cls`` from the latest ``structured_outputs`` entry that matches it, else ``None``."""
    for entry in reversed((message.additional_kwargs or {}).get("structured_outputs") or []):
        if isinstance(entry, Mapping) and entry.get("output") is not None:
            try:
                return output_cls.model_validate(entry["output"])
            except ValidationError:
                continue  # another shape than the caller's model: try the next, then the text
    return None


def parse_structured(agent: str, output_cls: type[BaseModel], text: str) -> Any:
    """The agent's answer as ``output_cls``; :class:`StructuredOutputError` when it is not that JSON."""
    try:
        return output_cls.model_validate_json(extract_json_str(text))
    except (ValueError, ValidationError) as exc:
        shown = text if len(text) <= 300 else text[:300] + "..."
        raise StructuredOutputError(
            f"agent {agent!r} did not answer with JSON matching {output_cls.__name__}: {exc}. "
            f"The answer was: {shown!r}. Give the agent a JSON schema output format in its definition, "
            "or ask for JSON in its instructions.",
            text=text,
        ) from exc


def parse_stream(chunks: Iterator[ChatResponse], output_cls: type[BaseModel], llm: Any) -> Iterator[Any]:
    """Partial objects (flexible models) as the JSON streams in, as LlamaIndex's programs yield them."""
    current = None
    for chunk in chunks:
        objects = _partial(chunk, output_cls, current, llm)
        if objects is not None:
            current = objects if isinstance(objects, list) else [objects]
            yield objects


async def aparse_stream(chunks: AsyncIterator[ChatResponse], output_cls: type[BaseModel], llm: Any) -> AsyncIterator[Any]:
    current = None
    async for chunk in chunks:
        objects = _partial(chunk, output_cls, current, llm)
        if objects is not None:
            current = objects if isinstance(objects, list) else [objects]
            yield objects


def _partial(chunk: ChatResponse, output_cls: type[BaseModel], current: Any, llm: Any) -> Any:
    found = item_result(output_cls, chunk.message)  # only the last chunk carries the items
    if found is not None:
        return found
    try:
        return process_streaming_objects(chunk, output_cls, cur_objects=current, flexible_mode=True, llm=llm)
    except (ValueError, ValidationError):
        return None  # not parseable yet: wait for more text
