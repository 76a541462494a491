"""LangChain adapter for Microsoft Foundry Agent Service v2 agents.

Example:
    >>> from langchain_foundry_agents import ChatFoundryAgent
    >>> llm = ChatFoundryAgent("weather:3", project_endpoint=endpoint)  # doctest: +SKIP
    >>> llm.invoke("Weather in Paris?").text  # doctest: +SKIP
"""

from ._content_blocks import register as _register_translator
from ._messages import PROVIDER, UnsupportedContentError, approval_message
from ._workflow_events import TOOL_PROGRESS_EVENT, WORKFLOW_ACTION_EVENT
from .chat_models import ChatFoundryAgent
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ServerError,
    StreamDecodeError,
    StreamError,
    StreamEventError,
    StreamInterruptedError,
    StreamResponseFailedError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from .pending import COMPUTER_TOOL, computer_screenshot_message, resend_after_consent
from .rate_limiters import FoundryRateLimiter
from .structured import AgentJSONParser
from .tools import AgentToolMismatchError

_register_translator()

_LAZY = {"fan_out": "orchestration", "foundry_agent_tool": "orchestration"}


def __getattr__(name: str) -> object:
    # Orchestration pulls in prompts, parsers and tools (~90 ms): loaded on first use only.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "COMPUTER_TOOL",
    "PROVIDER",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentJSONParser",
    "AgentToolMismatchError",
    "AuthenticationError",
    "BadRequestError",
    "ChatFoundryAgent",
    "ConflictError",
    "FoundryRateLimiter",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ServerError",
    "StreamError",
    "StreamDecodeError",
    "StreamEventError",
    "StreamInterruptedError",
    "StreamResponseFailedError",
    "WaitTimeoutError",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "TOOL_PROGRESS_EVENT",
    "WORKFLOW_ACTION_EVENT",
    "approval_message",
    "computer_screenshot_message",
    "fan_out",
    "foundry_agent_tool",
    "resend_after_consent",
]
