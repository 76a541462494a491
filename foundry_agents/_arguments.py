"""The one rule for keyword arguments an entry point does not take (both adapters use it).

A sampling, model, tool or output-format argument (``temperature``, ``model``, ``tools``, ...)
belongs to the agent definition: :class:`~foundry_agents.errors.RefusedParameterError` says so.
Any other unknown name raises :class:`~foundry_agents.errors.FoundryConfigError` listing the valid
ones (and the closest match). Nothing is dropped silently: a typo such as ``max_tokens`` would
otherwise look accepted and change nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from .errors import FoundryConfigError
from .request import check_refused

__all__ = ["check_arguments"]

#: Names users bring from other chat models, with what this package calls them.
ALIASES = {"max_tokens": "max_output_tokens", "max_completion_tokens": "max_output_tokens",
           "api_base": "project_endpoint", "base_url": "project_endpoint", "endpoint": "project_endpoint",
           "azure_endpoint": "project_endpoint", "request_timeout": "timeout", "model_name": "agent"}


def check_arguments(given: Iterable[str], *, valid: Collection[str], where: str) -> None:
    """Raise for every name in ``given`` that is not in ``valid`` (see the module docstring).

    Example:
        >>> check_arguments(["agent", "foo"], valid=["agent", "timeout"], where="Model(...)")
        Traceback (most recent call last):
        ...
        foundry_agents.errors.FoundryConfigError: Model(...) got unexpected argument(s) ['foo']; valid arguments: ['agent', 'timeout']
    """
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return
    check_refused(unknown, where=where)
    hints = []
    for name in unknown:
        match = ALIASES.get(name) if ALIASES.get(name) in valid else None
        close = [match] if match else difflib.get_close_matches(name, list(valid), n=1)
        if close:
            hints.append(f"{name!r} -> did you mean {close[0]!r}?")
    hint = f" ({'; '.join(hints)})" if hints else ""
    raise FoundryConfigError(
        f"{where} got unexpected argument(s) {unknown}{hint}; valid arguments: {sorted(valid)}"
    )
