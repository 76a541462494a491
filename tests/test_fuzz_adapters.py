"""Fuzz: random messages, content blocks, responses and stream events through both adapters.

Property: whatever goes in, only the package's errors (``FoundryAgentsError`` subclasses,
input-validation errors included) come out. Derandomized (the same examples on every run) and
bounded to a few seconds per test.

What the core makes of raw wire data (``parse_response`` / ``StreamAccumulator``) is the core's
fuzz suite's business: here whatever neutral objects it produced before an error are mapped.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import ImageBlock, TextBlock, ThinkingBlock, ToolCallBlock
from llama_index.core.llms import ChatMessage

from foundry_agents import FoundryAgentsError, parse_response, to_input_items
from foundry_agents.streaming import StreamAccumulator
from langchain_foundry_agents._messages import to_neutral_messages
from langchain_foundry_agents._outputs import ChunkMapper, to_ai_message
from llama_index_foundry._messages import to_foundry_messages
from llama_index_foundry._outputs import StreamMapper, to_chat_response

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # large reprs
FUZZ = settings(derandomize=True, max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- values ----------------------------------------------------------------------------------------
scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, width=16) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=5)
#: a value that is usually the right type, sometimes anything
def usually(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, strategy, json_values)


BLOCK_TYPES = ["text", "input_text", "text-plain", "image", "image_url", "input_image", "file", "input_file",
               "mcp_approval_response", "audio", "video", "output_text", "reasoning", "function_call", "unknown"]
BLOCK_KEYS = ["text", "url", "base64", "data", "mime_type", "file_id", "id", "source_type", "detail", "extras",
              "metadata", "image_url", "file", "file_data", "file_url", "filename", "approval_request_id",
              "approve", "reason", "annotations", "index"]


def _with_keys(keys: list[str], required: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional={k: json_values for k in keys})


lc_blocks = st.one_of(st.text(max_size=8), _with_keys(BLOCK_KEYS, {"type": usually(st.sampled_from(BLOCK_TYPES))}),
                      json_values)
lc_content = st.text(max_size=8) | st.lists(lc_blocks, max_size=4)
tool_calls = st.lists(st.fixed_dictionaries({"name": st.text(max_size=5), "args": st.dictionaries(
    st.text(max_size=4), json_values, max_size=2), "id": st.text(max_size=5) | st.none()}), max_size=2)


@st.composite
def lc_messages(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["human", "system", "ai", "tool"]))
    content = draw(lc_content)
    if kind == "ai":
        meta = draw(st.sampled_from([{}, {"model_provider": "azure_foundry", "agent_name": "w"}]))
        if meta and draw(st.booleans()):  # a hosted agent's session, of any JSON type
            meta = {**meta, "agent_session_id": draw(json_values)}
        return AIMessage.model_construct(content=content, tool_calls=draw(tool_calls), invalid_tool_calls=[],
                                         id=draw(st.none() | st.text(max_size=5)), response_metadata=meta,
                                         additional_kwargs={}, type="ai")
    if kind == "tool":
        return ToolMessage.model_construct(content=content, tool_call_id=draw(st.text(max_size=5)), type="tool",
                                           additional_kwargs={}, response_metadata={})
    cls = HumanMessage if kind == "human" else SystemMessage
    return cls.model_construct(content=content, type=kind, additional_kwargs={}, response_metadata={})


li_blocks = st.one_of(
    st.builds(TextBlock, text=st.text(max_size=8)),
    st.builds(ThinkingBlock, content=st.text(max_size=8)),
    st.builds(ToolCallBlock, tool_call_id=st.none() | st.text(max_size=4), tool_name=st.text(max_size=4),
              tool_kwargs=st.dictionaries(st.text(max_size=4), json_values, max_size=2) | st.text(max_size=6)),
    st.builds(ImageBlock, url=st.just("https://x/a.png"), detail=st.none() | st.text(max_size=5)),
    st.builds(ImageBlock, image=st.binary(min_size=1, max_size=8), image_mimetype=st.just("image/png")),
)
legacy_calls = st.lists(st.fixed_dictionaries(
    {"id": usually(st.text(max_size=4))},
    optional={"function": usually(st.fixed_dictionaries({"name": usually(st.text(max_size=4))},
                                                        optional={"arguments": json_values})),
              "name": json_values, "arguments": json_values}), max_size=2)
KWARGS = {"tool_calls": st.one_of(scalars, legacy_calls, json_values), "tool_call_id": usually(st.text(max_size=4)),
          "call_id": json_values, "response_id": usually(st.text(max_size=4)), "agent_name": json_values,
          "agent_session_id": json_values,
          "mcp_approval_response": usually(st.fixed_dictionaries(
              {"approval_request_id": usually(st.text(max_size=4))},
              optional={"approve": json_values, "reason": json_values}))}


@st.composite
def li_messages(draw: st.DrawFn) -> ChatMessage:
    kwargs = draw(st.fixed_dictionaries({}, optional=KWARGS))
    role = draw(st.sampled_from(["assistant", "assistant", "assistant", "tool", "tool", "user", "system", "developer",
                                 "function", "model", "chatbot"]))
    return ChatMessage(role=role, blocks=draw(st.lists(li_blocks, max_size=3)), additional_kwargs=kwargs)


# -- responses and stream events ------------------------------------------------------------------
ITEM_TYPES = ["message", "function_call", "reasoning", "mcp_call", "mcp_list_tools", "mcp_approval_request",
              "web_search_call", "file_search_call", "code_interpreter_call", "bing_grounding_call",
              "bing_grounding_call_output", "openapi_call", "image_generation_call", "tool_search_call",
              "workflow_action", "weird"]
ITEM_KEYS = ["id", "call_id", "name", "arguments", "status", "role", "summary", "server_label", "output",
             "error", "action", "queries", "results", "code", "outputs", "result", "execution", "tools",
             # workflow_action (and the agent_reference inner agents' messages carry)
             "kind", "action_id", "parent_action_id", "previous_action_id", "agent", "agent_reference"]
parts = st.fixed_dictionaries({"type": usually(st.sampled_from(["output_text", "refusal", "other"]))},
                              optional={"text": usually(st.text(max_size=8)), "refusal": json_values,
                                        "annotations": usually(st.lists(_with_keys(
                                            ["start_index", "end_index", "url", "title", "file_id", "filename"],
                                            {"type": usually(st.sampled_from(["url_citation", "file_citation",
                                                                              "file_path"]))}), max_size=2))})
items = st.fixed_dictionaries({"type": usually(st.sampled_from(ITEM_TYPES))},
                              optional={"content": usually(st.lists(parts, max_size=2)),
                                        **{k: json_values for k in ITEM_KEYS}})
responses = st.fixed_dictionaries(
    {"id": usually(st.text(max_size=6)), "status": usually(st.sampled_from(["completed", "incomplete", "failed"])),
     "output": usually(st.lists(items, max_size=3))},
    optional={"usage": json_values, "agent_reference": json_values, "model": json_values,
              "conversation": json_values, "incomplete_details": json_values, "error": json_values,
              "agent_session_id": json_values,
              "background": st.booleans() | json_values})
EVENT_TYPES = ["response.created", "response.output_item.added", "response.output_text.delta",
               "response.output_text.annotation.added", "response.function_call_arguments.delta",
               "response.reasoning_summary_text.delta", "response.output_item.done", "response.completed",
               "response.content_part.added", "response.cancelled", "error"]
events = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES)},
    # Typed fields stay typed: the core turns wrong types into its own stream error (core fuzz suite).
    optional={"output_index": st.integers(0, 2), "content_index": st.integers(0, 1),
              "summary_index": st.integers(0, 1), "delta": st.text(max_size=5),
              "item": usually(items), "response": usually(responses), "annotation": json_values,
              "item_id": json_values, "sequence_number": usually(st.integers(0, 9))})


def _only_package_errors(call: Any) -> None:
    with contextlib.suppress(FoundryAgentsError):
        call()


def _parsed(raw: dict[str, Any]) -> Any:
    try:
        return parse_response(raw)
    except Exception:  # the core's own fuzz suite covers the parser
        return None


# -- properties ------------------------------------------------------------------------------------
@FUZZ
@given(st.lists(lc_messages(), min_size=1, max_size=4))
def test_langchain_converter_raises_only_package_errors(messages: list[Any]) -> None:
    _only_package_errors(lambda: to_input_items(to_neutral_messages(messages)))


@FUZZ
@given(st.lists(li_messages(), min_size=1, max_size=4))
def test_llama_index_converter_raises_only_package_errors(messages: list[ChatMessage]) -> None:
    _only_package_errors(lambda: to_input_items(to_foundry_messages(messages)))


@FUZZ
@given(responses)
def test_response_mappers_raise_only_package_errors(raw: dict[str, Any]) -> None:
    response = _parsed(raw)
    if response is None:
        return
    _only_package_errors(lambda: to_ai_message(response).content_blocks)
    _only_package_errors(lambda: to_chat_response(response))


@FUZZ
@given(st.lists(events, min_size=1, max_size=6))
def test_stream_mappers_raise_only_package_errors(wire: list[dict[str, Any]]) -> None:
    accumulator = StreamAccumulator()
    neutral: list[Any] = []
    with contextlib.suppress(Exception):  # the core's own fuzz suite covers the accumulator
        for event in wire:
            neutral += accumulator.feed(event)
    lc, li = ChunkMapper(), StreamMapper()

    def run() -> None:
        total = None
        for event in neutral:
            chunk = lc.feed(event)
            if chunk is not None:
                total = chunk if total is None else total + chunk
                chunk.content_blocks  # noqa: B018 - the translator must not raise either
            li.feed(event)

    _only_package_errors(run)
