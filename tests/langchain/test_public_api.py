"""The public surface of ``langchain_foundry_agents``: user-facing names only (the mappers are private)."""

from __future__ import annotations

import inspect

import langchain_foundry_agents

ERRORS = {"APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AuthenticationError",
          "BadRequestError", "ConflictError", "NotFoundError", "PermissionDeniedError", "RateLimitError",
          "ResponseFailedError", "ServerError", "StreamDecodeError", "StreamError", "StreamEventError",
          "StreamInterruptedError", "StreamResponseFailedError", "UnprocessableEntityError",
          "AgentToolMismatchError", "UnsupportedContentError", "WaitTimeoutError"}
PUBLIC = ERRORS | {"PROVIDER", "TOOL_PROGRESS_EVENT", "WORKFLOW_ACTION_EVENT", "AgentJSONParser", "ChatFoundryAgent", "FoundryRateLimiter",
                   "approval_message", "fan_out", "foundry_agent_tool", "COMPUTER_TOOL", "resend_after_consent",
                   "computer_screenshot_message"}


def test_all_lists_the_user_facing_names():
    assert set(langchain_foundry_agents.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(langchain_foundry_agents, name) is not None


def test_nothing_else_is_public():
    public = {n for n in dir(langchain_foundry_agents)
              if not n.startswith("_") and not inspect.ismodule(getattr(langchain_foundry_agents, n))}
    assert public <= PUBLIC
    for internal in ("ChunkMapper", "to_ai_message", "to_neutral_messages", "translate_errors"):
        assert not hasattr(langchain_foundry_agents, internal)
