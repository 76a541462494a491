"""foundry-agents: call Microsoft Foundry Agent Service v2 agents.

The core imports no framework. Adapters: ``langchain_foundry_agents`` and ``llama_index_foundry``.
The local emulator lives in ``foundry_agents.emulator``.

Example:
    >>> from foundry_agents import FoundryAgentsClient, AgentRef
    >>> AgentRef.parse("weather:3").to_wire()
    {'type': 'agent_reference', 'name': 'weather', 'version': '3'}
"""

from ._version import __version__
from .agent import CallPlan, FoundryAgent
from .auth import FOUNDRY_SCOPE, CredentialTokenProvider, StaticTokenProvider, TokenProvider
from .client import AsyncFoundryAgentsClient, FoundryAgentsClient, ResponseOptions
from .connection import ConnectionSettings, Secret
from .endpoints import ProjectEndpoint, Route
from .errors import (
    APIConnectionError,
    APIError,
    APIOutcomeUnknownError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FoundryAgentsError,
    FoundryConfigError,
    InvalidAgentReferenceError,
    InvalidEndpointError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RefusedParameterError,
    ResponseFailedError,
    ServerError,
    StreamDecodeError,
    StreamError,
    StreamErrorEvent,
    StreamInterruptedError,
    UnexpectedResponseError,
    UnprocessableEntityError,
)
from .messages import (
    ApprovalResponsePart,
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    to_input_items,
)
from .reference import AgentRef
from .resources import Agent, AgentVersion, Conversation, ItemList
from .response import (
    AgentResponse,
    Annotation,
    FunctionCallItem,
    McpApprovalRequestItem,
    MessageItem,
    OtherItem,
    OutputItem,
    OutputText,
    ReasoningItem,
    Refusal,
    ServerToolCallItem,
    parse_response,
)
from .stream import AsyncResponseStream, ResponseStream
from .streaming import (
    AnnotationAdded,
    FunctionCallDelta,
    ItemAdded,
    ItemDone,
    ReasoningDelta,
    RefusalDelta,
    ResponseDone,
    ResponseStarted,
    StreamEvent,
    TextDelta,
)
from .tools import PendingToolCallsError, ToolRunResult, arun_with_tools, run_with_tools
from .usage import Usage

__all__ = [
    "FOUNDRY_SCOPE",
    "Secret",
    "APIConnectionError",
    "APIError",
    "APIOutcomeUnknownError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentRef",
    "AgentResponse",
    "AgentVersion",
    "CallPlan",
    "FoundryAgent",
    "Annotation",
    "AnnotationAdded",
    "ApprovalResponsePart",
    "AsyncFoundryAgentsClient",
    "AsyncResponseStream",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectionSettings",
    "Conversation",
    "CredentialTokenProvider",
    "FilePart",
    "FoundryAgentsClient",
    "FoundryAgentsError",
    "FoundryConfigError",
    "FunctionCallDelta",
    "FunctionCallItem",
    "ImagePart",
    "InvalidAgentReferenceError",
    "InvalidEndpointError",
    "ItemAdded",
    "ItemDone",
    "ItemList",
    "McpApprovalRequestItem",
    "Message",
    "MessageItem",
    "NotFoundError",
    "OtherItem",
    "OutputItem",
    "OutputText",
    "PendingToolCallsError",
    "PermissionDeniedError",
    "ProjectEndpoint",
    "RateLimitError",
    "ReasoningDelta",
    "ReasoningItem",
    "RefusalDelta",
    "RefusedParameterError",
    "Refusal",
    "ResponseDone",
    "ResponseFailedError",
    "ResponseOptions",
    "ResponseStarted",
    "ResponseStream",
    "Route",
    "ServerError",
    "ServerToolCallItem",
    "StaticTokenProvider",
    "StreamDecodeError",
    "StreamError",
    "StreamErrorEvent",
    "StreamEvent",
    "StreamInterruptedError",
    "TextDelta",
    "TextPart",
    "TokenProvider",
    "ToolCallPart",
    "ToolResultPart",
    "ToolRunResult",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "Usage",
    "__version__",
    "arun_with_tools",
    "parse_response",
    "run_with_tools",
    "to_input_items",
]
