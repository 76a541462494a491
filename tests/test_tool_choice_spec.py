"""``tool_choice`` reaches the wire in the Responses shape from both adapters (one mapping, in the core).

Every accepted convention (a mode, ``"any"``/``True``, a tool name, a tool object, the Responses and
the Chat-Completions function shapes, other typed choices) is sent through each adapter to a mock
transport, and the ``tool_choice`` of the body sent is validated against the OpenAI spec's
``ToolChoiceParam`` (``ToolChoiceOptions``, ``ToolChoiceFunction``, ``ToolChoiceTypes``, ...)
as well as the whole body against ``CreateResponseRequest``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.tools import tool as lc_tool_decorator
from llama_index.core.tools import FunctionTool

from foundry_agents.errors import FoundryConfigError
from foundry_agents.request import tool_choice_option

from ._spec import _PREFIX, _schemas, spec_errors
from .langchain._support import mock_model
from .llama_index._support import mock_llm

FUNCTION = {"type": "function", "name": "get_weather"}
ANSWER = {"id": "resp_1", "status": "completed", "model": "gpt-4o",
          "agent_reference": {"type": "agent_reference", "name": "weather", "version": "3"},
          "output": [{"type": "message", "id": "m1", "role": "assistant", "status": "completed",
                      "content": [{"type": "output_text", "text": "ok", "annotations": []}]}]}


def get_weather(location: str) -> str:
    """Current weather for a city."""
    return f"sunny in {location}"


#: (given, sent); ``TOOL`` stands for the adapter's own tool object.
TOOL = object()
ROWS: list[tuple[Any, Any]] = [
    ("auto", "auto"), ("required", "required"), ("none", "none"), ("any", "required"), (True, "required"),
    ("get_weather", FUNCTION), (TOOL, FUNCTION), (FUNCTION, FUNCTION),
    ({"type": "function", "function": {"name": "get_weather"}}, FUNCTION),  # Chat-Completions shape
    ({"type": "file_search"}, {"type": "file_search"}),
    ({"type": "allowed_tools", "mode": "auto", "tools": [FUNCTION]},
     {"type": "allowed_tools", "mode": "auto", "tools": [FUNCTION]}),
]


def _param_errors(value: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    root = {"$ref": _PREFIX + "OpenAI.ToolChoiceParam", "components": {"schemas": _schemas()}}
    return [e.message for e in Draft202012Validator(root).iter_errors(value)]


def _recorder(bodies: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=ANSWER)
    return handler


def _via_langchain(choice: Any) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    tool = lc_tool_decorator(get_weather)
    model = mock_model(_recorder(bodies), agent="weather:3")
    model.bind_tools([tool], tool_choice=tool if choice is TOOL else choice, check_agent_tools=False).invoke("Hi")
    return bodies[0]


def _via_llama_index(choice: Any) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    tool = FunctionTool.from_defaults(get_weather)
    llm = mock_llm(_recorder(bodies))
    if choice is True:
        llm.chat_with_tools([tool], user_msg="Hi", tool_required=True)
    else:
        llm.chat_with_tools([tool], user_msg="Hi", tool_choice=tool if choice is TOOL else choice)
    return bodies[0]


ADAPTERS = pytest.mark.parametrize("send", [_via_langchain, _via_llama_index], ids=["langchain", "llama_index"])


@ADAPTERS
@pytest.mark.parametrize(("given", "sent"), ROWS)
def test_tool_choice_is_sent_in_the_responses_shape(send: Callable[[Any], dict[str, Any]], given: Any,
                                                    sent: Any) -> None:
    body = send(given)
    assert body["tool_choice"] == sent
    assert _param_errors(body["tool_choice"]) == []
    assert spec_errors(body) == []


@ADAPTERS
@pytest.mark.parametrize(("given", "message"), [
    ("launch_rocket", r"'launch_rocket' names no bound tool; bound tools: \['get_weather'\]"),
    ({"function": {"name": "get_weather"}}, "needs a 'type'"),
    (42, "unsupported tool_choice 42"),
])
def test_a_bad_tool_choice_fails_before_any_call(send: Callable[[Any], dict[str, Any]], given: Any,
                                                 message: str) -> None:
    with pytest.raises(FoundryConfigError, match=message):
        send(given)


def test_the_core_body_converts_the_chat_completions_shape_too() -> None:
    from foundry_agents.reference import AgentRef
    from foundry_agents.request import build_response_body

    body = build_response_body(AgentRef("weather", "3"), input="Hi",
                               tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert body["tool_choice"] == FUNCTION and spec_errors(body) == []
    assert tool_choice_option(None) is None and tool_choice_option(False) is None
