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
from foundry_agents.pending import COMPUTER_TOOL

from ._messages import approval_message
from ._pending import computer_screenshot_message, resend_after_consent
from .base import FoundryAgentLLM
from .orchestration import AgentAnswer, FanOutWorkflow, foundry_agent_tool
from .rate_limiters import FoundryLLMRateLimiter
from .workflow_events import FoundryWorkflowActionEvent, WorkflowActionEvent

__all__ = [
    "COMPUTER_TOOL",
    "AgentAnswer",
    "FanOutWorkflow",
    "FoundryLLMRateLimiter",
    "FoundryAgentLLM",
    "FoundryWorkflowActionEvent",
    "StructuredOutputError",
    "WorkflowActionEvent",
    "approval_message",
    "computer_screenshot_message",
    "foundry_agent_tool",
    "resend_after_consent",
]
