"""LangChain adapter for Microsoft Foundry Agent Service v2 agents.

Example:
    >>> from langchain_foundry_agents import ChatFoundryAgent
    >>> llm = ChatFoundryAgent("weather:3", project_endpoint=endpoint)  # doctest: +SKIP
    >>> llm.invoke("Weather in Paris?").text  # doctest: +SKIP
"""

from ._content_blocks import register as _register_translator
from ._messages import PROVIDER, UnsupportedContentError, approval_message
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
    StreamError,
    StreamErrorEvent,
    StreamInterruptedError,
    UnprocessableEntityError,
)
from .orchestration import fan_out, foundry_agent_tool
from .structured import AgentJSONParser
from .tools import AgentToolMismatchError

_register_translator()

__all__ = [
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
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ServerError",
    "StreamError",
    "StreamErrorEvent",
    "StreamInterruptedError",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "approval_message",
    "fan_out",
    "foundry_agent_tool",
]
