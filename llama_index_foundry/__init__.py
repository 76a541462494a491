"""LlamaIndex adapter: a Foundry v2 agent as a LlamaIndex LLM.

Example:
    >>> from llama_index_foundry import FoundryAgentLLM
    >>> llm = FoundryAgentLLM("weather:3", project_endpoint=endpoint)  # doctest: +SKIP
    >>> llm.complete("Weather in Paris?").text  # doctest: +SKIP
"""

from ._messages import APPROVAL_KEY, approval_message, to_foundry_messages
from ._outputs import StreamMapper, to_chat_message, to_chat_response, tool_selections
from ._structured import StructuredOutputError
from .base import FoundryAgentLLM
from .orchestration import AgentAnswer, FanOutWorkflow, foundry_agent_tool
from .workflow_events import FoundryWorkflowActionEvent, WorkflowActionEvent

__all__ = [
    "APPROVAL_KEY",
    "AgentAnswer",
    "FanOutWorkflow",
    "FoundryAgentLLM",
    "FoundryWorkflowActionEvent",
    "StreamMapper",
    "StructuredOutputError",
    "WorkflowActionEvent",
    "approval_message",
    "foundry_agent_tool",
    "to_chat_message",
    "to_chat_response",
    "to_foundry_messages",
    "tool_selections",
]
