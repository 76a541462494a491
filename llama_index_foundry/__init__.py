"""LlamaIndex adapter: a Foundry v2 agent as a LlamaIndex LLM.

The public names are the ones in ``__all__`` (tests/llama_index/test_public_api.py lists them);
the message and output mappers are private (``._messages``, ``._outputs``), like the LangChain
adapter's.

Example:
    >>> from llama_index_foundry import FoundryAgentLLM
    >>> llm = FoundryAgentLLM("weather:3", project_endpoint=endpoint)  # doctest: +SKIP
    >>> llm.complete("Weather in Paris?").text  # doctest: +SKIP
"""

from foundry_agents.errors import StructuredOutputError

from ._messages import approval_message
from .base import FoundryAgentLLM
from .orchestration import AgentAnswer, FanOutWorkflow, foundry_agent_tool
from .rate_limiters import FoundryLLMRateLimiter
from .workflow_events import FoundryWorkflowActionEvent, WorkflowActionEvent

__all__ = [
    "AgentAnswer",
    "FanOutWorkflow",
    "FoundryLLMRateLimiter",
    "FoundryAgentLLM",
    "FoundryWorkflowActionEvent",
    "StructuredOutputError",
    "WorkflowActionEvent",
    "approval_message",
    "foundry_agent_tool",
]
