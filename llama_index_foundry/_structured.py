"""Structured output for agents: the agent answers JSON, we parse it into the caller's model.

A Foundry agent cannot take a request-level response format (``text`` is refused next to an
agent) and its tools are fixed, so neither OpenAI-style JSON mode nor a function-calling program
can work. :class:`~llama_index_foundry.FoundryAgentLLM` therefore defaults to LlamaIndex's text
completion program (``PydanticProgramMode.LLM``: the schema goes into the prompt, the answer is
parsed with a ``PydanticOutputParser``). An agent whose definition sets a JSON schema answers in
that schema anyway. :func:`structured_errors` turns a parse failure into one clear error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from foundry_agents.errors import FoundryAgentsError

__all__ = ["StructuredOutputError", "structured_errors"]


class StructuredOutputError(ValueError):
    """The agent's answer is not JSON matching the requested model."""


@contextmanager
def structured_errors(agent: str, model_name: str) -> Iterator[None]:
    """Re-raise parse and validation failures (not service or config errors) as :class:`StructuredOutputError`."""
    try:
        yield
    except (FoundryAgentsError, StructuredOutputError):
        raise
    except ValueError as exc:  # pydantic.ValidationError is a ValueError too
        raise StructuredOutputError(
            f"agent {agent!r} did not answer with JSON matching {model_name}: {exc}. "
            "Give the agent a JSON schema output format in its definition, or ask for JSON in the prompt."
        ) from exc
