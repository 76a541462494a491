"""FoundryAgentLLM over httpx.MockTransport: the eight endpoints in sync and async, request
bodies, continuity options, tools, early errors, serialization."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.prompts import ChatPromptTemplate, PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from foundry_agents import BadRequestError, FoundryConfigError, RefusedParameterError
from llama_index_foundry import FoundryAgentLLM, StructuredOutputError
from tests.llama_index._support import EP, TOKEN, Recorder, mock_llm, sse

AGENT = {"type": "agent_reference", "name": "weather", "version": "3"}
USAGE = {"input_tokens": 10, "output_tokens": 4, "total_tokens": 14}


def final(text: str = "Hi there", **extra: Any) -> dict[str, Any]:
    return {"id": "resp_9", "status": "completed", "model": "gpt-4o", "agent_reference": AGENT, "usage": USAGE,
            "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}]}], **extra}


def answer(body: dict[str, Any]) -> httpx.Response:
    response = final()
    if not body.get("stream"):
        return httpx.Response(200, json=response)
    events = [{"type": "response.created", "response": {**response, "output": [], "status": "in_progress"}},
              {"type": "response.output_item.added", "output_index": 0,
               "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}]
    events += [{"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": d}
               for d in ("Hi", " there")]
    events += [{"type": "response.completed", "response": response}]
    return httpx.Response(200, content=sse(events), headers={"content-type": "text/event-stream"})


@pytest.fixture
def rec() -> Recorder:
    return Recorder(answer)


async def call(llm: FoundryAgentLLM, endpoint: str, arg: Any, **kwargs: Any) -> list[Any]:
    """Run one endpoint in its own mode; return the responses (one, or every chunk)."""
    method = getattr(llm, endpoint)
    result = method(arg, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    if endpoint.startswith("astream"):
        return [c async for c in result]
    if endpoint.startswith("stream"):
        return list(result)
    return [result]


CHAT = ["chat", "achat", "stream_chat", "astream_chat"]
COMPLETE = ["complete", "acomplete", "stream_complete", "astream_complete"]


@pytest.mark.parametrize("endpoint", CHAT)
async def test_chat_endpoints(rec: Recorder, endpoint: str) -> None:
    llm = mock_llm(rec)
    out = await call(llm, endpoint, [ChatMessage(role="system", content="ctx"), ChatMessage(role="user", content="Hello")])
    last = out[-1]
    assert last.message.content == "Hi there"
    assert last.message.additional_kwargs["response_id"] == "resp_9"
    assert last.raw["usage"] == USAGE
    body = rec.bodies[0]
    assert body["agent_reference"] == {"type": "agent_reference", "name": "weather", "version": "3"}
    assert [i["role"] for i in body["input"]] == ["system", "user"]
    assert not {"model", "tools", "temperature", "text"} & set(body)
    assert rec.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    if "stream" in endpoint:
        assert body["stream"] is True
        assert [c.delta for c in out] == ["Hi", " there", ""]
        assert [c.message.content for c in out] == ["Hi", "Hi there", "Hi there"]


@pytest.mark.parametrize("endpoint", COMPLETE)
async def test_complete_endpoints(rec: Recorder, endpoint: str) -> None:
    out = await call(mock_llm(rec), endpoint, "Hello")
    assert out[-1].text == "Hi there"
    assert out[-1].raw["usage"] == USAGE
    assert rec.bodies[0]["input"] == [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello"}]}]
    if "stream" in endpoint:
        assert "".join(c.delta for c in out) == "Hi there"


@pytest.mark.parametrize("endpoint", CHAT)
async def test_chains_from_agent_history(rec: Recorder, endpoint: str) -> None:
    history = [ChatMessage(role="system", content="ctx"), ChatMessage(role="user", content="one"),
               ChatMessage(role="assistant", content="r1", additional_kwargs={"response_id": "resp_1", "agent_name": "weather"}),
               ChatMessage(role="user", content="two")]
    await call(mock_llm(rec), endpoint, history)
    body = rec.bodies[0]
    assert body["previous_response_id"] == "resp_1"
    assert [(i["role"], i["content"][0]["text"]) for i in body["input"]] == [("system", "ctx"), ("user", "two")]


@pytest.mark.parametrize("endpoint", CHAT)
async def test_continuity_options(rec: Recorder, endpoint: str) -> None:
    msgs = [ChatMessage(role="user", content="x")]
    await call(mock_llm(rec, conversation_id="conv_cfg"), endpoint, msgs)
    await call(mock_llm(rec), endpoint, msgs, conversation_id="conv_call")
    await call(mock_llm(rec), endpoint, msgs, previous_response_id="resp_prev")
    history = [*msgs, ChatMessage(role="assistant", content="y", additional_kwargs={"response_id": "resp_1"}),
               ChatMessage(role="user", content="z")]
    await call(mock_llm(rec, store=False), endpoint, history)
    b1, b2, b3, b4 = rec.bodies
    assert b1["conversation"] == "conv_cfg" and "previous_response_id" not in b1
    assert b2["conversation"] == "conv_call"
    assert b3["previous_response_id"] == "resp_prev"
    assert b4["store"] is False and "previous_response_id" not in b4 and len(b4["input"]) == 3


def test_no_state_kept_between_calls(rec: Recorder) -> None:
    llm = mock_llm(rec)
    llm.chat([ChatMessage(role="user", content="a")])
    llm.chat([ChatMessage(role="user", content="b")])
    assert "previous_response_id" not in rec.bodies[1]


@pytest.mark.parametrize("endpoint", CHAT)
async def test_bad_input_raises_before_network(rec: Recorder, endpoint: str) -> None:
    llm = mock_llm(rec)
    with pytest.raises(FoundryConfigError):
        await call(llm, endpoint, [ChatMessage(role="tool", content="x")])
    with pytest.raises(RefusedParameterError):
        await call(llm, endpoint, [ChatMessage(role="user", content="x")], temperature=0.2)
    with pytest.raises(FoundryConfigError):
        await call(llm, endpoint, [ChatMessage(role="user", content="x")], conversation_id="c", previous_response_id="r")
    assert rec.bodies == []


@pytest.mark.parametrize("endpoint", ["stream_chat", "astream_chat"])
async def test_stream_bad_input_raises_at_call_time(rec: Recorder, endpoint: str) -> None:
    llm = mock_llm(rec)
    with pytest.raises(FoundryConfigError):
        result = getattr(llm, endpoint)([ChatMessage(role="user", content="x")], bogus=1)
        if inspect.isawaitable(result):
            await result


@pytest.mark.parametrize("endpoint", CHAT)
async def test_service_errors_surface_typed(endpoint: str) -> None:
    def refuse(body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(400, headers={"x-request-id": "req-1"}, json={"error": {
            "code": "invalid_payload", "message": "Not allowed when agent is specified.", "param": "tools"}})

    with pytest.raises(BadRequestError) as info:
        await call(mock_llm(Recorder(refuse)), endpoint, [ChatMessage(role="user", content="x")])
    assert (info.value.status_code, info.value.code, info.value.request_id) == (400, "invalid_payload", "req-1")
    assert info.value.refused_params == ["tools"]


# -- tools ----------------------------------------------------------------------------------------
def get_weather(location: str) -> str:
    """Weather for a location."""
    return f"72F in {location}"


def call_answer(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={
        "id": "resp_c", "status": "completed", "agent_reference": AGENT, "model": "gpt-4o", "usage": USAGE,
        "output": [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
                    "arguments": '{"location": "Paris"}', "status": "completed"}]})


@pytest.mark.parametrize(("kwargs", "choice"), [
    ({}, None),
    ({"tool_required": True}, "required"),
    ({"tool_choice": "get_weather"}, {"type": "function", "name": "get_weather"}),
    ({"tool_choice": "none"}, "none"),
    ({"tool_choice": {"type": "function", "function": {"name": "get_weather"}}}, {"type": "function", "name": "get_weather"}),
])
def test_chat_with_tools_sends_no_schemas(kwargs: dict[str, Any], choice: Any) -> None:
    rec = Recorder(call_answer)
    llm = mock_llm(rec)
    tool = FunctionTool.from_defaults(get_weather)
    response = llm.chat_with_tools([tool], user_msg="Weather in Paris?", **kwargs)
    body = rec.bodies[0]
    assert "tools" not in body and "parallel_tool_calls" not in body
    assert body.get("tool_choice") == choice
    [selection] = llm.get_tool_calls_from_response(response)
    assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == ("call_1", "get_weather", {"location": "Paris"})
    assert isinstance(response.message.blocks[-1], ToolCallBlock)


def test_tool_results_chain(rec: Recorder) -> None:
    llm = mock_llm(Recorder(call_answer))
    first = llm.chat_with_tools([FunctionTool.from_defaults(get_weather)], user_msg="Weather?")
    history = [ChatMessage(role="user", content="Weather?"), first.message,
               ChatMessage(role="tool", content="72F", additional_kwargs={"tool_call_id": "call_1"})]
    mock_llm(rec).chat(history)
    body = rec.bodies[0]
    assert body["previous_response_id"] == "resp_c"
    assert body["input"] == [{"type": "function_call_output", "call_id": "call_1", "output": "72F"}]
    rec.bodies.clear()
    mock_llm(rec, store=False).chat(history)  # stateless replay resends the call itself
    assert [i["type"] for i in rec.bodies[0]["input"]] == ["message", "function_call", "function_call_output"]


def test_no_tool_call_error(rec: Recorder) -> None:
    llm = mock_llm(rec)
    response = llm.chat([ChatMessage(role="user", content="x")])
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="function call"):
        llm.get_tool_calls_from_response(response)


# -- construction ---------------------------------------------------------------------------------
def test_construction_no_network_and_no_secret_leaks() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no network at construction")

    llm = mock_llm(boom, agent="azure_ai/agents/weather:3", metadata={"team": "a"}, structured_inputs={"city": "P"})
    assert llm.metadata.model_name == "weather:3"
    assert llm.metadata.is_chat_model and llm.metadata.is_function_calling_model
    dumped = json.dumps(llm.to_dict(), default=str) + json.dumps(llm.model_dump(), default=str) + repr(llm) + str(llm)
    assert TOKEN not in dumped
    assert llm.to_dict()["class_name"] == "FoundryAgentLLM"
    assert llm.request_metadata == {"team": "a"}


def test_metadata_sizes() -> None:
    llm = FoundryAgentLLM("echo", project_endpoint=EP, api_key=TOKEN, context_window=8000, num_output=256)
    assert (llm.metadata.context_window, llm.metadata.num_output, llm.metadata.model_name) == (8000, 256, "echo")


@pytest.mark.parametrize("kwargs", [
    {"agent": "asst_abc123"},
    {"agent": "weather:"},
    {"agent": "weather:2", "agent_version": "3"},
    {"agent": "weather", "project_endpoint": "not a url"},
    {"agent": "weather", "system_message_role": "boss"},
    {"agent": "weather", "max_retries": -1},
    {"agent": "weather", "default_headers": {"Authorization": "Bearer x"}},
])
def test_construction_validates(kwargs: dict[str, Any]) -> None:
    kwargs = {"project_endpoint": EP, "api_key": TOKEN, **kwargs}
    with pytest.raises(ValueError):
        FoundryAgentLLM(**kwargs)


def test_sync_async_signatures_match() -> None:
    pairs = [("chat", "achat"), ("stream_chat", "astream_chat"), ("complete", "acomplete"),
             ("stream_complete", "astream_complete"), ("structured_predict", "astructured_predict")]
    for sync, asyn in pairs:
        s = inspect.signature(getattr(FoundryAgentLLM, sync))
        a = inspect.signature(getattr(FoundryAgentLLM, asyn))
        assert list(s.parameters) == list(a.parameters), (sync, asyn)


def test_system_prompt_applies_to_complete(rec: Recorder) -> None:
    mock_llm(rec, system_prompt="Be brief.").complete("Hi")
    assert [i["role"] for i in rec.bodies[0]["input"]] == ["system", "user"]


def test_developer_role_option(rec: Recorder) -> None:
    mock_llm(rec, system_message_role="developer").chat([ChatMessage(role="system", content="ctx"),
                                                        ChatMessage(role="user", content="x")])
    assert rec.bodies[0]["input"][0]["role"] == "developer"


# -- structured output ----------------------------------------------------------------------------
class Person(BaseModel):
    name: str
    age: int


def json_answer(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=final('Sure: {"name": "Ada", "age": 36}'))


@pytest.mark.parametrize("role", ["system", "developer", "refuse"])
def test_structured_schema_placement(role: str) -> None:
    rec = Recorder(json_answer)
    llm = mock_llm(rec, system_message_role=role)
    assert llm.structured_predict(Person, PromptTemplate("Who is {who}?"), who="Ada") == Person(name="Ada", age=36)
    items = rec.bodies[0]["input"]
    texts = [(i["role"], "".join(p["text"] for p in i["content"])) for i in items]
    if role == "refuse":  # no system message may be sent: the schema follows the user's text
        [(wire_role, text)] = texts
        assert wire_role == "user" and text.startswith("Who is Ada?") and '"age"' in text
    else:
        assert texts[1] == ("user", "Who is Ada?")  # the user's text is left as written
        assert texts[0][0] == role and '"age"' in texts[0][1]
    assert not {"text", "tools", "response_format"} & set(rec.bodies[0])


def test_structured_schema_joins_an_existing_system_message() -> None:
    rec = Recorder(json_answer)
    prompt = ChatPromptTemplate.from_messages([("system", "You extract people."), ("user", "{text}")])
    mock_llm(rec).structured_predict(Person, prompt, text="Ada, 36")
    items = rec.bodies[0]["input"]
    assert [i["role"] for i in items] == ["system", "user"]
    assert items[0]["content"][0]["text"] == "You extract people."


def test_structured_bad_json_and_wrong_shape() -> None:
    def wrong(body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(200, json=final('{"name": "Ada"}'))

    with pytest.raises(StructuredOutputError, match="Person"):
        mock_llm(Recorder(wrong)).structured_predict(Person, PromptTemplate("x"))


def test_public_names() -> None:
    import llama_index_foundry

    assert sorted(llama_index_foundry.__all__) == sorted(
        n for n in dir(llama_index_foundry)
        if not n.startswith("_") and not inspect.ismodule(getattr(llama_index_foundry, n)))
    for name in llama_index_foundry.__all__:
        assert getattr(llama_index_foundry, name) is not None


def test_an_llm_holding_a_token_refuses_pickle() -> None:
    import pickle

    llm = FoundryAgentLLM("echo", project_endpoint=EP, api_key=TOKEN)
    with pytest.raises(TypeError, match="refuses to be pickled"):
        pickle.dumps(llm)
    clone = pickle.loads(pickle.dumps(FoundryAgentLLM("echo:1", project_endpoint=EP)))
    assert clone.metadata.model_name == "echo:1"
