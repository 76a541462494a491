"""The one table of request options: names, wire keys, checks, and where each may be set. Pure.

Everything that lists request options is derived from :data:`OPTIONS`: the options the clients
accept (:class:`~foundry_agents.client.ResponseOptions` is held equal to it by a test), the call
options of :class:`~foundry_agents.FoundryAgent`, the body :func:`~foundry_agents.request.build_response_body`
writes, and the keyword arguments and model fields of both framework adapters.

Adding a request option (e.g. ``"service_tier"``) takes:

1. one :class:`Option` row in ``_ROWS`` below (its wire key, a check and what the check expects,
   its scope);
2. its key in :class:`~foundry_agents.client.ResponseOptions` (typing only; a test holds the two equal);
3. for a ``"default"`` option only, one field line per adapter (``ChatFoundryAgent`` and
   ``FoundryAgentLLM``; a test in each adapter's suite holds the fields equal to the table).

Per-call keyword arguments need nothing in the adapters: they map their keywords through
:func:`from_adapter`. The scopes:

- ``"client"``: only :meth:`FoundryAgentsClient.create_response` / ``stream_response`` take it
  (``FoundryAgent`` and the adapters fill it themselves: the agent version, the input items);
- ``"call"``: any call, per call (``FoundryAgent`` also takes it as a default at construction);
- ``"default"``: as ``"call"``, and the adapters declare a model field for it, a default for every call.

Example:
    >>> OPTIONS["max_output_tokens"].problem(0)
    'max_output_tokens must be a positive integer, got 0'
    >>> from_adapter({"conversation_id": "conv_1", "request_metadata": {"a": "b"}, "store": None})
    {'conversation': 'conv_1', 'metadata': {'a': 'b'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from .errors import FoundryConfigError
from .uploads import UploadedFiles

__all__ = [
    "OPTIONS",
    "Option",
    "adapter_defaults",
    "adapter_fields",
    "body_options",
    "call_options",
    "check_values",
    "from_adapter",
]

Scope = Literal["client", "call", "default"]
TOOL_CHOICE_WORDS = ("auto", "required", "none")


@dataclass(frozen=True, slots=True)
class Option:
    """One request option (a row of :data:`OPTIONS`)."""

    #: The keyword of ``create_response``/``FoundryAgent`` (the core's name).
    name: str
    #: The request-body key it is sent as; ``None`` when it is not a body field of its own.
    wire: str | None
    #: ``"client"``, ``"call"`` or ``"default"`` (see the module docstring).
    scope: Scope
    description: str
    #: ``value -> bool``: whether a (non-``None``) value is acceptable; ``None``: anything goes.
    check: Callable[[Any], bool] | None = None
    #: What :attr:`check` accepts, in words, for the error message.
    expected: str = ""
    #: The adapters' name for it when the core name clashes with a framework name.
    adapter_name: str | None = None

    @property
    def field(self) -> str:
        """The adapters' keyword and model-field name."""
        return self.adapter_name or self.name

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable, or ``None`` when it is (``None`` itself always is)."""
        if value is None or self.check is None or self.check(value):
            return None
        return f"{self.name} must be {self.expected}, got {value!r:.200}"


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_str_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _is_str_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_tool_choice(value: Any) -> bool:
    return value in TOOL_CHOICE_WORDS if isinstance(value, str) else isinstance(value, Mapping)


def _is_timeout(value: Any) -> bool:
    return isinstance(value, httpx.Timeout) or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                                 and value > 0)


def _is_conversation(value: Any) -> bool:
    return isinstance(value, (str, Mapping))


_ROWS = (
    Option("agent_version", None, "client", "the agent version to call (sent in agent_reference)",
           lambda v: isinstance(v, (str, int)) and not isinstance(v, bool), "a string or an integer"),
    Option("input", "input", "client", "the input: text or a list of input items (messages)"),
    Option("conversation", "conversation", "default",
           "a server-side conversation ('conv_...') that holds the history; the service appends the turn to it",
           _is_conversation, "a conversation id such as 'conv_...'", adapter_name="conversation_id"),
    Option("previous_response_id", "previous_response_id", "default",
           "the response this call continues (only the newer messages are sent)",
           _is_str, "a response id such as 'resp_...'"),
    Option("store", "store", "default", "False: nothing is stored, the whole history is replayed", _is_bool,
           "True or False"),
    Option("background", "background", "default", "run the response in the background (it must be stored)",
           _is_bool, "True or False"),
    Option("tool_choice", "tool_choice", "default", "whether and which tool the agent must call",
           _is_tool_choice, f"one of {TOOL_CHOICE_WORDS} or a mapping such as {{'type': 'function', "
           "'name': 'get_weather'}"),
    Option("structured_inputs", "structured_inputs", "default",
           "values for the {{variables}} in the agent definition's instructions", _is_mapping, "a mapping"),
    Option("metadata", "metadata", "default", "the response's metadata (string keys and values)",
           _is_str_mapping, "a mapping of strings to strings", adapter_name="request_metadata"),
    Option("include", "include", "default", "extra output data to include, e.g. 'file_search_call.results'",
           _is_str_list, "a list of strings"),
    Option("max_output_tokens", "max_output_tokens", "default", "a cap on the answer's tokens",
           _is_positive_int, "a positive integer"),
    Option("truncation", "truncation", "default", "'auto' lets the service drop old items that do not fit",
           lambda v: v in ("auto", "disabled"), "'auto' or 'disabled'"),
    Option("extra_body", None, "default", "more body fields, sent as given (refused fields still raise)",
           _is_mapping, "a mapping"),
    Option("extra_headers", None, "call", "more HTTP headers for this call", _is_str_mapping,
           "a mapping of strings to strings"),
    Option("timeout", None, "call", "this call's timeout (seconds or an httpx.Timeout)", _is_timeout,
           "a positive number of seconds or an httpx.Timeout"),
    Option("agent_session_id", "agent_session_id", "call",
           "a hosted agent's session to continue (agent_session_id of an earlier response or session)",
           lambda v: isinstance(v, str) and bool(v.strip()), "a hosted agent session id"),
    Option("user_identity", None, "call", "the end user of this call (x-ms-user-identity header)",
           lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string"),
    # The upload rule (foundry_agents.uploads): FoundryAgent and the adapters upload local and large
    # inputs; the client sends inputs as given, so for it these two change nothing.
    Option("keep_uploads", None, "default",
           "keep the files uploaded for the call's local or large inputs (default: deleted after the call)",
           _is_bool, "True or False"),
    Option("uploads", None, "call", "an UploadedFiles record the call fills with what it uploaded and deleted",
           lambda v: isinstance(v, UploadedFiles), "a foundry_agents.UploadedFiles()"),
)

#: Every request option by name, in table order. The views below read it on each use, so a row
#: added here (or by a test) is known everywhere at once.
OPTIONS: dict[str, Option] = {o.name: o for o in _ROWS}


def call_options() -> list[str]:
    """What :class:`~foundry_agents.FoundryAgent` takes per call (and as defaults)."""
    return [o.name for o in OPTIONS.values() if o.scope != "client"]


def body_options() -> list[Option]:
    """The options that are body fields of their own (``input`` and ``conversation`` included)."""
    return [o for o in OPTIONS.values() if o.wire is not None]


def adapter_fields() -> dict[str, str]:
    """The adapters' model fields that hold default call options: field name -> core name."""
    return {o.field: o.name for o in OPTIONS.values() if o.scope == "default"}


def check_values(options: Mapping[str, Any]) -> None:
    """Raise :class:`~foundry_agents.errors.FoundryConfigError` for the first known option whose
    value does not pass its check (unknown names are left to the caller)."""
    for name, value in options.items():
        option = OPTIONS.get(name)
        problem = option.problem(value) if option is not None else None
        if problem:
            raise FoundryConfigError(problem)


def from_adapter(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """An adapter's call keywords as core options: adapter names (``conversation_id``,
    ``request_metadata``) become the core's, ``None`` values are dropped; other names pass
    through for the core to accept or refuse."""
    aliases = {o.adapter_name: o.name for o in OPTIONS.values() if o.adapter_name}
    return {aliases.get(k, k): v for k, v in kwargs.items() if v is not None}


def adapter_defaults(model: Any) -> dict[str, Any]:
    """The default call options an adapter's model holds in its fields (``None`` ones left out)."""
    values = {core: getattr(model, name) for name, core in adapter_fields().items()}
    return {k: v for k, v in values.items() if v is not None}
