"""The official clients run unchanged against the emulator served over TLS.

azure-ai-projects 2.4 (``AIProjectClient`` and its ``get_openai_client()``) and Microsoft Agent
Framework's ``FoundryAgent`` refuse plain http for a bearer token, so they only work against
``run_emulator(tls=True)`` / ``foundry-agents emulator --tls``. Each test follows one of the
SDK's own samples (agents CRUD, basic conversation, streaming, function tool, MCP approval,
structured output, paging, errors, the aio client), with the emulator's deterministic agents
standing in for the model. Nothing here reaches the network: the endpoint is 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("azure.ai.projects", reason="needs the sdk-compat extra (azure-ai-projects)")

from azure.ai.projects import AIProjectClient
from azure.ai.projects.models import (
    FunctionTool,
    MCPTool,
    PromptAgentDefinition,
    PromptAgentDefinitionTextOptions,
    TextResponseFormatJsonSchema,
)
from azure.core.credentials import AccessToken
from azure.core.exceptions import ResourceNotFoundError

from foundry_agents.emulator import run_emulator

FAKE_TOKEN = "fake-entra-token"


class FakeCredential:
    """A TokenCredential that returns a fixed token (what DefaultAzureCredential would fetch)."""

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken(FAKE_TOKEN, int(time.time()) + 3600)


class FakeAsyncCredential:
    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken(FAKE_TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> FakeAsyncCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory) -> Iterator:
    data_dir = tmp_path_factory.mktemp("emulator-data")
    with run_emulator(tls=True, tls_dir=data_dir) as emu, pytest.MonkeyPatch.context() as mp:
        # What the printed trust line tells users to set.
        mp.setenv("SSL_CERT_FILE", str(emu.ca_file))
        mp.setenv("REQUESTS_CA_BUNDLE", str(emu.ca_file))
        yield emu


@pytest.fixture
def project(tls_emulator) -> Iterator[AIProjectClient]:
    with AIProjectClient(endpoint=tls_emulator.endpoint, credential=FakeCredential()) as client:
        yield client


def agent_ref(name: str) -> dict:
    return {"agent_reference": {"name": name, "type": "agent_reference"}}


def test_endpoint_is_https(tls_emulator):
    assert tls_emulator.endpoint.startswith("https://127.0.0.1:")


def test_sample_agent_basic_conversation(project):
    """sample_agent_basic.py: create a version, converse in a conversation, delete both."""
    openai_client = project.get_openai_client()
    agent = project.agents.create_version(
        agent_name="MyAgent",
        definition=PromptAgentDefinition(model="gpt-4.1-mini", instructions="You answer general questions"),
    )
    assert (agent.name, agent.version) == ("MyAgent", "1")
    conversation = openai_client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "What is the size of France?"}],
    )
    response = openai_client.responses.create(
        conversation=conversation.id, extra_body={"agent_reference": {"name": agent.name, "type": "agent_reference"}},
    )
    assert response.output_text == "Echo: What is the size of France?"
    openai_client.conversations.items.create(
        conversation_id=conversation.id,
        items=[{"type": "message", "role": "user", "content": "And what is the capital city?"}],
    )
    response = openai_client.responses.create(conversation=conversation.id, extra_body=agent_ref(agent.name))
    assert response.output_text == "Echo: And what is the capital city?"
    items = list(openai_client.conversations.items.list(conversation_id=conversation.id, order="asc"))
    assert [i.role for i in items] == ["user", "assistant", "user", "assistant"]
    openai_client.conversations.delete(conversation_id=conversation.id)
    deleted = project.agents.delete_version(agent_name=agent.name, agent_version=agent.version)
    assert deleted.deleted is True
    with pytest.raises(ResourceNotFoundError):
        project.agents.get(agent_name="MyAgent")


def test_sample_agent_crud_and_paging(project):
    """sample_agent_crud.py: versions, get, get_version, list (paged), delete."""
    definition = PromptAgentDefinition(model="gpt-4.1-mini", instructions="v")
    first = project.agents.create_version(agent_name="CrudAgent", definition=definition, description="first")
    second = project.agents.create_version(agent_name="CrudAgent", definition=definition, metadata={"k": "v"})
    assert (first.version, second.version) == ("1", "2")
    got = project.agents.get(agent_name="CrudAgent")
    assert got.versions.latest.version == "2" and got.versions.latest.metadata == {"k": "v"}
    assert project.agents.get_version(agent_name="CrudAgent", agent_version="1").description == "first"
    assert [v.version for v in project.agents.list_versions(agent_name="CrudAgent")] == ["2", "1"]
    # limit=2 forces several pages; the pager follows them to the end.
    names = [a.name for a in project.agents.list(limit=2)]
    assert "CrudAgent" in names and "echo" in names and len(names) == len(set(names)) > 4
    project.agents.delete(agent_name="CrudAgent")
    with pytest.raises(ResourceNotFoundError) as err:
        project.agents.get_version(agent_name="CrudAgent", agent_version="1")
    assert err.value.status_code == 404


def test_responses_errors_surface_as_sdk_errors(project):
    """A wrong agent name is the service's 404, raised by openai as NotFoundError."""
    import openai

    with pytest.raises(openai.NotFoundError) as err:
        project.get_openai_client(max_retries=0).responses.create(input="hi", extra_body=agent_ref("no-such-agent"))
    assert err.value.status_code == 404


def test_sample_stream_events(project):
    """sample_agent_stream_events.py: iterate the events, collect text deltas."""
    openai_client = project.get_openai_client()
    deltas, final = [], None
    with openai_client.responses.create(input="tell me a story", stream=True, extra_body=agent_ref("echo")) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.completed":
                final = event.response
    assert "".join(deltas) == "Echo v2: tell me a story" == final.output_text


def test_sample_function_tool_round_trip(project):
    """sample_agent_function_tool.py: declare a FunctionTool, run the call, send its output back."""
    openai_client = project.get_openai_client()

    def get_horoscope(sign: str) -> str:
        return f"{sign}: Next Tuesday you will befriend a baby otter."

    tool = FunctionTool(
        name="get_horoscope",
        parameters={
            "type": "object",
            "properties": {"sign": {"type": "string", "description": "An astrological sign like Taurus or Aquarius"}},
            "required": ["sign"],
            "additionalProperties": False,
        },
        description="Get today's horoscope for an astrological sign.",
        strict=True,
    )
    agent = project.agents.create_version(
        agent_name="HoroscopeAgent",
        definition=PromptAgentDefinition(model="gpt-4.1-mini", instructions="Use function tools.", tools=[tool]),
    )
    response = openai_client.responses.create(
        input="What is my horoscope? I am an Aquarius.", extra_body=agent_ref(agent.name)
    )
    input_list = []
    for item in response.output:
        if item.type == "function_call" and item.name == "get_horoscope":
            horoscope = get_horoscope(**json.loads(item.arguments))
            input_list.append(
                {"type": "function_call_output", "call_id": item.call_id, "output": json.dumps({"horoscope": horoscope})}
            )
    assert len(input_list) == 1
    response = openai_client.responses.create(
        input=input_list, previous_response_id=response.id, extra_body=agent_ref(agent.name)
    )
    assert "Aquarius: Next Tuesday you will befriend a baby otter." in response.output_text
    project.agents.delete_version(agent_name=agent.name, agent_version=agent.version)


def test_builtin_weather_function_tool(project):
    """The same round trip with the built-in ``weather`` agent (its tool defined on the service side)."""
    openai_client = project.get_openai_client()
    response = openai_client.responses.create(input="What is the weather in Seattle?", extra_body=agent_ref("weather"))
    (call,) = [item for item in response.output if item.type == "function_call"]
    assert json.loads(call.arguments) == {"location": "Seattle"}
    output = {"type": "function_call_output", "call_id": call.call_id, "output": "22 C and sunny"}
    response = openai_client.responses.create(
        input=[output], previous_response_id=response.id, extra_body=agent_ref("weather")
    )
    assert response.output_text == "The weather in Seattle: 22 C and sunny"


def test_sample_mcp_approval(project):
    """sample_agent_mcp.py: declare an MCPTool, approve its request, read the answer."""
    openai_client = project.get_openai_client()
    mcp_tool = MCPTool(
        server_label="api-specs", server_url="https://gitmcp.io/Azure/azure-rest-api-specs", require_approval="always"
    )
    agent = project.agents.create_version(
        agent_name="McpAgent",
        definition=PromptAgentDefinition(model="gpt-4.1-mini", instructions="Use MCP tools.", tools=[mcp_tool]),
    )
    conversation = openai_client.conversations.create()
    response = openai_client.responses.create(
        conversation=conversation.id,
        input="Please summarize the Azure REST API specifications Readme",
        extra_body=agent_ref(agent.name),
    )
    input_list = [
        {"type": "mcp_approval_response", "approve": True, "approval_request_id": item.id}
        for item in response.output
        if item.type == "mcp_approval_request" and item.server_label == "api-specs" and item.id
    ]
    assert len(input_list) == 1
    response = openai_client.responses.create(
        input=input_list, previous_response_id=response.id, extra_body=agent_ref(agent.name)
    )
    assert response.output[0].type == "mcp_call"
    assert "Azure REST API specifications" in response.output_text
    project.agents.delete_version(agent_name=agent.name, agent_version=agent.version)


def test_sample_structured_output(project):
    """sample_agent_structured_output.py: an agent with a json_schema text format answers JSON."""
    from pydantic import BaseModel, Field

    class CalendarEvent(BaseModel):
        model_config = {"extra": "forbid"}
        name: str
        date: str = Field(description="Date in YYYY-MM-DD format")
        participants: list[str]

    openai_client = project.get_openai_client()
    agent = project.agents.create_version(
        agent_name="CalendarAgent",
        definition=PromptAgentDefinition(
            model="gpt-4.1-mini",
            text=PromptAgentDefinitionTextOptions(
                format=TextResponseFormatJsonSchema(name="CalendarEvent", schema=CalendarEvent.model_json_schema())
            ),
            instructions="Extract calendar event information.",
        ),
    )
    conversation = openai_client.conversations.create(
        items=[{"type": "message", "role": "user",
                "content": "Alice and Bob are going to a science fair this Friday, November 7, 2025."}],
    )
    response = openai_client.responses.create(conversation=conversation.id, extra_body=agent_ref(agent.name))
    event = CalendarEvent.model_validate_json(response.output_text)
    assert event.date == "2025-11-07" and set(event.participants) == {"Alice", "Bob"}
    # The built-in calendar agent (its format defined on the service side) answers the same way.
    builtin = openai_client.responses.create(
        input="Ann meets Bob at the fair on 2025-05-01.", extra_body=agent_ref("calendar")
    )
    assert json.loads(builtin.output_text)["date"] == "2025-05-01"
    openai_client.conversations.delete(conversation_id=conversation.id)
    project.agents.delete_version(agent_name=agent.name, agent_version=agent.version)


def test_per_agent_endpoint_streamed_conversation(tls_emulator):
    """sample_agent_stream_events.py (newest): get_openai_client(agent_name=...), a conversation, a stream."""
    with AIProjectClient(endpoint=tls_emulator.endpoint, credential=FakeCredential(), allow_preview=True) as project:
        openai_client = project.get_openai_client(agent_name="echo")
        conversation = openai_client.conversations.create(
            items=[{"type": "message", "role": "user", "content": "Tell me about Paris"}],
        )
        kinds, text = [], ""
        with openai_client.responses.create(conversation=conversation.id, stream=True) as events:
            for event in events:
                kinds.append(event.type)
                if event.type == "response.output_text.delta":
                    text += event.delta
        assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
        assert text == "Echo v2: Tell me about Paris"
        items = openai_client.conversations.items.list(conversation_id=conversation.id)
        assert [i.type for i in items] == ["message", "message"]
        openai_client.conversations.delete(conversation_id=conversation.id)


def test_conversations_crud(project):
    """Conversations: create with metadata, retrieve, update, items create/list/retrieve/delete."""
    openai_client = project.get_openai_client()
    conversation = openai_client.conversations.create(metadata={"topic": "demo"})
    assert openai_client.conversations.retrieve(conversation.id).metadata == {"topic": "demo"}
    updated = openai_client.conversations.update(conversation.id, metadata={"topic": "changed"})
    assert updated.metadata == {"topic": "changed"}
    added = openai_client.conversations.items.create(
        conversation.id,
        items=[{"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"item {n}"}]}
               for n in range(5)],
    )
    assert len(added.data) == 5
    # Paging: limit=2 follows `after` cursors to the end, in order.
    listed = list(openai_client.conversations.items.list(conversation.id, limit=2, order="asc"))
    assert [i.content[0].text for i in listed] == [f"item {n}" for n in range(5)]
    one = openai_client.conversations.items.retrieve(listed[0].id, conversation_id=conversation.id)
    assert one.id == listed[0].id
    openai_client.conversations.items.delete(listed[0].id, conversation_id=conversation.id)
    assert len(list(openai_client.conversations.items.list(conversation.id))) == 4
    assert openai_client.conversations.delete(conversation.id).deleted is True


def test_bad_request_is_a_sdk_error(project):
    """A field the service refuses next to an agent: 400 with the service's param, as BadRequestError."""
    import openai

    with pytest.raises(openai.BadRequestError) as err:
        project.get_openai_client(max_retries=0).responses.create(
            input="hi", temperature=0.2, extra_body=agent_ref("echo")
        )
    assert err.value.status_code == 400 and err.value.body["param"] == "temperature"


async def test_aio_client(tls_emulator):
    """sample_agent_basic_async.py: the aio client and AsyncOpenAI over TLS (aiohttp + httpx)."""
    from azure.ai.projects.aio import AIProjectClient as AsyncAIProjectClient

    # aiohttp reads SSL_CERT_FILE once, when it is imported; azure-core's per-client
    # connection_verify trusts the CA whatever was imported first.
    async with FakeAsyncCredential() as credential, AsyncAIProjectClient(
        endpoint=tls_emulator.endpoint, credential=credential, connection_verify=str(tls_emulator.ca_file)
    ) as project:
        agent = await project.agents.create_version(
            agent_name="AsyncAgent", definition=PromptAgentDefinition(model="gpt-4.1-mini", instructions="x")
        )
        openai_client = project.get_openai_client()
        response = await openai_client.responses.create(input="async hello", extra_body=agent_ref(agent.name))
        assert response.output_text == "Echo: async hello"
        names = [a.name async for a in project.agents.list(limit=3)]
        assert "AsyncAgent" in names
        await project.agents.delete(agent_name=agent.name)
        await openai_client.close()


# --- Microsoft Agent Framework ----------------------------------------------------------------


async def test_maf_multi_turn_session(tls_emulator):
    """FoundryAgent keeps a session across turns (MAF sends model "" on the continuation)."""
    from agent_framework_foundry import FoundryAgent

    agent = FoundryAgent(project_endpoint=tls_emulator.endpoint, agent_name="grounded", credential=FakeAsyncCredential())
    session = agent.create_session()
    first = await agent.run("Remember this: the launch code is Pelican.", session=session)
    assert first.text
    second = await agent.run("What is the launch code?", session=session)
    # The grounded agent only knows the code from the first turn: the session carried it.
    assert "Pelican" in second.text
    alone = await agent.run("What is the launch code?")
    assert "Pelican" not in alone.text


async def test_maf_function_tool_loop(tls_emulator):
    """FoundryAgent runs the local function the agent calls and sends its output back."""
    from agent_framework_foundry import FoundryAgent

    calls: list[str] = []

    def get_weather(location: str) -> str:
        """Get the weather for a location."""
        calls.append(location)
        return f"18 C and windy in {location}"

    agent = FoundryAgent(
        project_endpoint=tls_emulator.endpoint, agent_name="weather", credential=FakeAsyncCredential(), tools=[get_weather]
    )
    result = await agent.run("What is the weather in Oslo?")
    assert calls == ["Oslo"]
    assert result.text == "The weather in Oslo: 18 C and windy in Oslo"


async def test_maf_streaming(tls_emulator):
    from agent_framework_foundry import FoundryAgent

    agent = FoundryAgent(project_endpoint=tls_emulator.endpoint, agent_name="echo", credential=FakeAsyncCredential())
    stream = agent.run("stream this", stream=True)
    pieces = [update.text async for update in stream if update.text]
    final = await stream.get_final_response()
    assert final.text == "Echo v2: stream this"
    assert len(pieces) > 2 and pieces[0] != final.text  # it arrived as deltas


# --- The real CLI -----------------------------------------------------------------------------


def test_cli_tls_serves_the_official_sdk(tmp_path):
    """`foundry-agents emulator --tls` prints an https endpoint and the CA to trust; the SDK uses it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "foundry_agents.cli", "emulator", "--tls", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().strip()
        lines = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
        ca = tmp_path / "tls" / "ca.pem"
        assert endpoint.startswith("https://127.0.0.1:") and endpoint.endswith("/api/projects/emulator")
        assert f"SSL_CERT_FILE={ca}" in lines[1] and f"REQUESTS_CA_BUNDLE={ca}" in lines[1]
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SSL_CERT_FILE", str(ca))
            mp.setenv("REQUESTS_CA_BUNDLE", str(ca))
            with AIProjectClient(endpoint=endpoint, credential=FakeCredential()) as project:
                assert project.agents.get(agent_name="echo").versions.latest.version == "2"
                reply = project.get_openai_client().responses.create(input="via cli", extra_body=agent_ref("echo"))
                assert reply.output_text == "Echo v2: via cli"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
