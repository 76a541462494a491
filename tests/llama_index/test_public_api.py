"""The public surface of ``llama_index_foundry``: user-facing names only (the mappers are private)."""

from __future__ import annotations

import inspect

import llama_index_foundry

PUBLIC = {"AgentAnswer", "FanOutWorkflow", "FoundryAgentLLM", "FoundryLLMRateLimiter", "FoundryWorkflowActionEvent",
          "StructuredOutputError", "WorkflowActionEvent", "approval_message", "COMPUTER_TOOL",
          "computer_screenshot_message", "resend_after_consent", "foundry_agent_tool"}


def test_all_lists_the_user_facing_names():
    assert set(llama_index_foundry.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(llama_index_foundry, name) is not None


def test_nothing_else_is_public():
    public = {n for n in dir(llama_index_foundry)
              if not n.startswith("_") and not inspect.ismodule(getattr(llama_index_foundry, n))}
    assert public == PUBLIC
    for internal in ("StreamMapper", "to_chat_message", "to_chat_response", "to_foundry_messages",
                     "tool_selections", "APPROVAL_KEY"):
        assert not hasattr(llama_index_foundry, internal)
