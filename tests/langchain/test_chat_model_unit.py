"""ChatFoundryAgent on a MockTransport: construction, secrets, request bodies, errors, tools, parsing."""

from __future__ import annotations

import copy
import inspect
import json
import pickle
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelRateLimitError,
    OutputParserException,
)
from langchain_core.load import dumpd, dumps
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel
from typing_extensions import TypedDict

import foundry_agents
from langchain_foundry_agents import (
    AgentJSONParser,
    AgentToolMismatchError,
    ChatFoundryAgent,
    NotFoundError,
    errors,
)
from tests.langchain._support import EP, TOKEN, answering, mock_model, response_body

TEXT = [{"type": "message", "id": "msg_1", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]}]


# -- construction and secrets ----------------------------------------------------------------------
def test_construction_does_no_io_and_validates() -> None:
    def boom(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
        raise AssertionError("network at construction")

    llm = mock_model(boom, agent="azure_ai/agents/weather:3")
    assert llm._get_ls_params() == {"ls_provider": "azure_foundry", "ls_model_name": "weather:3", "ls_model_type": "chat"}
    with pytest.raises(foundry_agents.InvalidAgentReferenceError):
        ChatFoundryAgent("asst_abc123", project_endpoint=EP, api_key=TOKEN)
    with pytest.raises(foundry_agents.InvalidEndpointError):
        ChatFoundryAgent("echo", project_endpoint="https://example.com/nope", api_key=TOKEN)
    with pytest.raises(foundry_agents.RefusedParameterError, match="temperature"):
        ChatFoundryAgent("echo", project_endpoint=EP, api_key=TOKEN, temperature=0.2)


def test_agent_version_pins() -> None:
    assert ChatFoundryAgent(agent="echo", agent_version=1, project_endpoint=EP, api_key=TOKEN)._reference == "echo:1"


def test_no_token_in_repr_dict_dumps_or_trace_params() -> None:
    llm = ChatFoundryAgent("echo", project_endpoint=EP, api_key=TOKEN)
    assert llm.lc_secrets == {"api_key": "FOUNDRY_API_KEY"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        texts = [repr(llm), str(llm.dict()), dumps(llm), json.dumps(dumpd(llm)), str(llm.model_dump()),
                 str(llm._get_invocation_params()), str(llm._identifying_params)]
    for text in texts:
        assert TOKEN not in text


def test_pickle_rebuilds_the_core_and_deepcopy_shares_it() -> None:
    # The lifecycle rule of both adapters (tests/*/test_lifecycle.py): same settings, same core.
    llm = ChatFoundryAgent("echo:1", project_endpoint=EP)  # no secret: DefaultAzureCredential
    core = llm.foundry_agent
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.foundry_agent is not core and str(clone.foundry_agent.ref) == "echo:1"
    assert copy.deepcopy(llm).foundry_agent is core
    assert llm.model_copy(update={"agent": "weather"})._reference == "weather"


def test_a_model_holding_a_token_refuses_pickle_but_deepcopies() -> None:
    llm = ChatFoundryAgent("echo:1", project_endpoint=EP, api_key=TOKEN)
    with pytest.raises(TypeError, match="refuses to be pickled"):
        pickle.dumps(llm)
    assert copy.deepcopy(llm).api_key.get_secret_value() == TOKEN  # in memory only


def test_sync_and_async_signatures_match() -> None:
    pairs = [("_generate", "_agenerate"), ("_stream", "_astream"), ("create_conversation", "acreate_conversation")]
    for sync, asyn in pairs:
        s = inspect.signature(getattr(ChatFoundryAgent, sync)).parameters
        a = inspect.signature(getattr(ChatFoundryAgent, asyn)).parameters
        assert list(s) == list(a), (sync, asyn)


# -- request bodies --------------------------------------------------------------------------------
@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


async def call(llm: Any, mode: str, messages: Any, **kwargs: Any) -> AIMessage:
    return llm.invoke(messages, **kwargs) if mode == "sync" else await llm.ainvoke(messages, **kwargs)


async def test_body_has_agent_reference_and_nothing_refused(mode: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body(TEXT), seen), agent="echo:1")
    await call(llm, mode, [SystemMessage("be brief"), HumanMessage("hi")])
    body = seen[0]
    assert body["agent_reference"] == {"type": "agent_reference", "name": "echo", "version": "1"}
    assert body["input"][0]["role"] == "system"
    assert not {"model", "tools", "temperature", "top_p", "text"} & set(body)


async def test_call_options_map_to_wire_fields(mode: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body(TEXT), seen), request_metadata={"team": "a"},
                     structured_inputs={"city": "Paris"}, system_message_role="developer")
    await call(llm.bind(conversation_id="conv_1"), mode, [SystemMessage("s"), HumanMessage("hi")],
               include=["reasoning.encrypted_content"], max_output_tokens=50)
    body = seen[0]
    assert body["conversation"] in ("conv_1", {"id": "conv_1"})
    assert body["metadata"] == {"team": "a"} and body["structured_inputs"] == {"city": "Paris"}
    assert body["include"] == ["reasoning.encrypted_content"] and body["max_output_tokens"] == 50
    assert body["input"][0]["role"] == "developer"


async def test_chaining_sends_only_new_messages(mode: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body(TEXT, rid="resp_2"), seen))
    first = AIMessage("Echo: hi", id="resp_1", response_metadata={"model_provider": "azure_foundry", "agent_name": "echo"})
    await call(llm, mode, [HumanMessage("hi"), first, HumanMessage("again")])
    assert seen[0]["previous_response_id"] == "resp_1"
    assert [i["content"][0]["text"] for i in seen[0]["input"]] == ["again"]


async def test_store_false_replays_everything(mode: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body(TEXT), seen), store=False)
    first = AIMessage("Echo: hi", id="resp_1", response_metadata={"model_provider": "azure_foundry", "agent_name": "echo"})
    await call(llm, mode, [HumanMessage("hi"), first, HumanMessage("again")])
    assert "previous_response_id" not in seen[0] and seen[0]["store"] is False
    assert [i["role"] for i in seen[0]["input"]] == ["user", "assistant", "user"]


async def test_tool_results_go_back_in_one_request(mode: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body(TEXT, rid="resp_2"), seen), agent="weather")
    calls = AIMessage("", id="resp_1", response_metadata={"model_provider": "azure_foundry", "agent_name": "weather"},
                      tool_calls=[{"name": "get_weather", "args": {"location": "A"}, "id": "c1"},
                                  {"name": "get_weather", "args": {"location": "B"}, "id": "c2"}])
    await call(llm, mode, [HumanMessage("weather?"), calls, ToolMessage("sun", tool_call_id="c1"),
                           ToolMessage([{"t": 3}], tool_call_id="c2")])
    assert seen[0]["previous_response_id"] == "resp_1"
    assert seen[0]["input"] == [{"type": "function_call_output", "call_id": "c1", "output": "sun"},
                                {"type": "function_call_output", "call_id": "c2", "output": '[{"t": 3}]'}]


def test_stop_and_refused_call_options_raise_clearly() -> None:
    llm = mock_model(answering(response_body(TEXT)))
    with pytest.raises(ValueError, match="stop sequences"):
        llm.invoke("hi", stop=["x"])
    with pytest.raises(foundry_agents.RefusedParameterError, match="'tools'"):
        llm.invoke("hi", tools=[{"type": "function", "name": "f"}])


# -- errors ----------------------------------------------------------------------------------------
ERROR_ROWS = [
    (404, {"error": {"code": "not_found", "message": "Agent nope not found"}}, NotFoundError, ModelNotFoundError),
    (400, {"error": {"code": "invalid_payload", "message": "Not allowed when agent is specified.", "param": "tools"}},
     errors.BadRequestError, ModelInvalidRequestError),
    (429, {"error": {"code": "rate_limited", "message": "slow down"}}, errors.RateLimitError, ModelRateLimitError),
    (503, {"error": {"code": "service_unavailable", "message": "later"}}, errors.ServerError, ModelAPIError),
]


@pytest.mark.parametrize(("status", "body", "cls", "category"), ERROR_ROWS, ids=[str(r[0]) for r in ERROR_ROWS])
async def test_errors_are_typed_both_ways(mode: str, status: int, body: dict[str, Any], cls: type, category: type) -> None:
    llm = mock_model(answering(body, status=status))
    with pytest.raises(cls) as info:
        await call(llm, mode, "hi")
    err = info.value
    assert isinstance(err, category) and isinstance(err, foundry_agents.APIError)
    assert err.status_code == status and err.request_id == "req-9" and err.code == body["error"]["code"]
    assert isinstance(err.__cause__, foundry_agents.APIError)
    assert isinstance(pickle.loads(pickle.dumps(err)), cls)


def test_connection_errors_are_typed() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(errors.APIConnectionError) as info:
        mock_model(down).invoke("hi")
    assert isinstance(info.value, ModelConnectionError)


def test_stream_errors_are_typed() -> None:
    def dropped(request: httpx.Request) -> httpx.Response:
        created = {"type": "response.created", "response": response_body([], rid="resp_x")}
        return httpx.Response(200, content=f"event: response.created\ndata: {json.dumps(created)}\n\n".encode(),
                              headers={"content-type": "text/event-stream"})

    with pytest.raises(errors.StreamInterruptedError) as info:
        list(mock_model(dropped).stream("hi"))
    assert isinstance(info.value, ModelConnectionError) and info.value.partial_response is not None


# -- tools -----------------------------------------------------------------------------------------
@tool
def get_weather(location: str) -> str:
    """Get the weather."""
    return f"sunny in {location}"


@tool
def launch_rocket(target: str) -> str:
    """Not declared by the agent."""
    return target


def definition_handler(calls: list[str]) -> Any:
    agent = {"object": "agent.version", "id": "weather:1", "name": "weather", "version": "1",
             "definition": {"kind": "prompt", "model": "gpt-4o", "tools": [
                 {"type": "function", "name": "get_weather", "parameters": {}}]}}

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if "/agents/weather" in request.url.path:
            if request.url.path.endswith("/versions/1"):
                return httpx.Response(200, json=agent)
            return httpx.Response(200, json={"object": "agent", "id": "weather", "name": "weather",
                                             "versions": {"latest": agent}})
        return answering(response_body(TEXT))(request)

    return handler


def test_bind_tools_checks_names_and_sends_no_tools() -> None:
    calls: list[str] = []
    llm = mock_model(definition_handler(calls), agent="weather")
    bound = llm.bind_tools([get_weather], tool_choice="get_weather")
    assert bound.kwargs == {"tool_choice": {"type": "function", "name": "get_weather"}}
    with pytest.raises(AgentToolMismatchError, match=r"'launch_rocket'.*\['get_weather'\]"):
        llm.bind_tools([get_weather, launch_rocket])
    assert llm.bind_tools([launch_rocket], check_agent_tools=False).kwargs == {}
    assert len([c for c in calls if "/agents/" in c]) == 1  # the definition is fetched once


@pytest.mark.parametrize(("tools", "accepted"), [
    ([{"type": "computer_use_preview", "display_width": 1024, "display_height": 768, "environment": "browser"}], True),
    ([{"type": "computer"}], True),  # the newer spec's name
    ([{"type": "function", "name": "get_weather", "parameters": {}}], False),
    ([], False),
])
def test_a_computer_use_tool_binds_only_to_an_agent_that_uses_a_computer(tools: list[Any], accepted: bool) -> None:
    from foundry_agents import AgentVersion
    from langchain_foundry_agents.tools import check_agent_tools

    definition = AgentVersion.from_wire({"name": "pc", "version": "1",
                                         "definition": {"kind": "prompt", "model": "m", "tools": tools}})
    assert (definition.computer_tool is not None) is accepted
    if accepted:
        check_agent_tools(["computer_use"], definition)
    else:
        with pytest.raises(AgentToolMismatchError, match="'computer_use'"):
            check_agent_tools(["computer_use"], definition)


def test_bind_tools_warns_when_definition_unavailable() -> None:
    llm = mock_model(answering({"error": {"code": "forbidden", "message": "no"}}, status=403), agent="weather")
    with pytest.warns(UserWarning, match="could not fetch the definition"):
        bound = llm.bind_tools([get_weather], tool_choice="any")
    assert bound.kwargs == {"tool_choice": "required"}


def test_server_side_tool_dicts_are_refused() -> None:
    llm = mock_model(definition_handler([]), agent="weather")
    with pytest.raises(AgentToolMismatchError, match="server-side"):
        llm.bind_tools([{"type": "web_search_preview"}])


TOOL_CHOICE_ROWS = [("auto", "auto"), ("none", "none"), ("required", "required"), ("any", "required"),
                    (True, "required"), (None, None), ({"type": "function", "name": "get_weather"},
                                                       {"type": "function", "name": "get_weather"})]


@pytest.mark.parametrize(("choice", "wire"), TOOL_CHOICE_ROWS)
def test_tool_choice_mapping(choice: Any, wire: Any) -> None:
    from langchain_foundry_agents.tools import tool_choice_option

    assert tool_choice_option(choice, ["get_weather"]) == wire


# -- structured output -----------------------------------------------------------------------------
class Event(BaseModel):
    name: str
    date: str


class EventDict(TypedDict):
    name: str
    date: str


EVENT_SCHEMA = {"title": "Event", "type": "object", "properties": {"name": {"type": "string"}, "date": {"type": "string"}},
                "required": ["name", "date"]}

PARSE_ROWS = [
    ("pydantic", Event, '{"name": "Standup", "date": "2025-01-06"}', Event(name="Standup", date="2025-01-06")),
    ("typeddict", EventDict, '{"name": "Standup", "date": "2025-01-06"}', {"name": "Standup", "date": "2025-01-06"}),
    ("json schema", EVENT_SCHEMA, '{"name": "S", "date": "d"}', {"name": "S", "date": "d"}),
    ("openai wrapper", {"name": "Event", "schema": EVENT_SCHEMA}, '{"name": "S", "date": "d"}', {"name": "S", "date": "d"}),
    ("fenced", Event, '```json\n{"name": "S", "date": "d"}\n```', Event(name="S", date="d")),
    ("prose around", None, 'Here: {"a": 1} done', {"a": 1}),
]


@pytest.mark.parametrize(("name", "schema", "text", "expected"), PARSE_ROWS, ids=[r[0] for r in PARSE_ROWS])
def test_parser_accepts(name: str, schema: Any, text: str, expected: Any) -> None:
    assert AgentJSONParser(target_schema=schema).parse(text) == expected


BAD_PARSE_ROWS = [
    ("not json", Event, "Sure, the event is a standup.", "not JSON"),
    ("missing field pydantic", Event, '{"name": "S"}', "does not match the schema Event"),
    ("missing field json schema", EVENT_SCHEMA, '{"name": "S"}', "'date' is a required property"),
    ("wrong type typeddict", EventDict, '{"name": 1, "date": "d"}', "does not match"),
]


@pytest.mark.parametrize(("name", "schema", "text", "fragment"), BAD_PARSE_ROWS, ids=[r[0] for r in BAD_PARSE_ROWS])
def test_parser_rejects_clearly(name: str, schema: Any, text: str, fragment: str) -> None:
    with pytest.raises(OutputParserException, match=fragment) as info:
        AgentJSONParser(target_schema=schema).parse(text)
    assert info.value.llm_output == text


def test_structured_output_sends_no_format_and_include_raw_reports_errors() -> None:
    seen: list[dict[str, Any]] = []
    answer = [{"type": "message", "content": [{"type": "output_text", "text": "not json"}]}]
    llm = mock_model(answering(response_body(answer), seen))
    result = llm.with_structured_output(Event, include_raw=True).invoke("x")
    assert result["parsed"] is None and isinstance(result["parsing_error"], OutputParserException)
    assert isinstance(result["raw"], AIMessage)
    assert "text" not in seen[0] and "response_format" not in seen[0]
    with pytest.raises(ValueError, match="function_calling"):
        llm.with_structured_output(Event, method="function_calling")  # type: ignore[arg-type]


def test_public_names_are_exported() -> None:
    import langchain_foundry_agents as pkg

    assert sorted(pkg.__all__) == sorted(set(pkg.__all__))
    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
