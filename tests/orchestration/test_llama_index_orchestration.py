"""Agent-of-agents with LlamaIndex against the emulator."""

from __future__ import annotations

import asyncio
import re

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent
from llama_index.core.tools import FunctionTool

from foundry_agents.tools import PendingToolCallsError
from llama_index_foundry import FoundryAgentLLM
from llama_index_foundry.orchestration import FanOutWorkflow, foundry_agent_tool


async def _await(make):
    return await make()


def run(make):
    """Workflows must be started inside a running loop."""
    return asyncio.run(_await(make))


QUESTION = "What is the weather in Paris and what is the history of the Eiffel Tower?"


def get_weather(location: str) -> str:
    """Current weather for a city."""
    return f"sunny and 24C in {location}"


@pytest.fixture
def conn(emulator_endpoint, emulator_token):
    return {"project_endpoint": emulator_endpoint, "api_key": emulator_token}


class ChatLog(BaseEventHandler):
    """Records which agent answered each chat call (LlamaIndex instrumentation)."""

    calls: list = []

    @classmethod
    def class_name(cls) -> str:
        return "ChatLog"

    def handle(self, event, **kwargs) -> None:
        if isinstance(event, LLMChatEndEvent) and event.response is not None:
            raw = event.response.raw
            self.calls.append((raw.get("agent_reference", {}).get("name"), raw["usage"]["total_tokens"]))


@pytest.fixture
def chat_log():
    handler = ChatLog(calls=[])
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    yield handler
    dispatcher.event_handlers.remove(handler)


def orchestrator(conn, callback_manager=None, weather="weather"):
    kw = {"callback_manager": callback_manager} if callback_manager else {}
    return FunctionAgent(
        llm=FoundryAgentLLM("triage", **conn, **kw),
        tools=[foundry_agent_tool(weather, name="ask_weather", tools=[FunctionTool.from_defaults(fn=get_weather)], **conn, **kw),
               foundry_agent_tool("researcher", **conn, **kw)],
    )


def test_tool_runs_sub_agent_with_its_own_tools(conn):
    tool = foundry_agent_tool("weather", tools=[get_weather], **conn)
    assert tool.metadata.name == "ask_weather"
    assert "sunny and 24C in Oslo" in tool.call(question="What is the weather in Oslo?").content
    assert "sunny and 24C in Rome" in asyncio.run(tool.acall(question="What is the weather in Rome?")).content


def test_triage_function_agent_delegates_and_everything_is_counted(conn, chat_log):
    counter = TokenCountingHandler()
    manager = CallbackManager([counter])
    result = run(lambda: orchestrator(conn, manager).run(user_msg=QUESTION))
    text = str(result)
    assert "sunny and 24C in Paris" in text and "Eiffel" in text
    assert sorted(c.tool_name for c in result.tool_calls) == ["ask_researcher", "ask_weather"]
    agents = sorted(name for name, _ in chat_log.calls)
    assert agents == ["researcher", "triage", "triage", "weather", "weather"]
    # every sub-agent call is counted by the same TokenCountingHandler
    assert len(counter.llm_token_counts) == 5
    assert counter.total_llm_token_count == sum(tokens for _, tokens in chat_log.calls)


def test_failing_sub_agent_reaches_the_orchestrator_as_error_text(conn):
    result = run(lambda: orchestrator(conn, weather="no-such-agent").run(user_msg=QUESTION))
    outputs = {c.tool_name: c.tool_output.content for c in result.tool_calls}
    assert "NotFoundError" in outputs["ask_weather"]
    assert "Eiffel" in outputs["ask_researcher"]


def test_fan_out_workflow(conn):
    wf = FanOutWorkflow(agents={"echo": FoundryAgentLLM("echo:1", **conn), "research": FoundryAgentLLM("researcher", **conn),
                                "broken": FoundryAgentLLM("broken", max_retries=0, **conn)},
                        merger=FoundryAgentLLM("echo", **conn))
    result = run(lambda: wf.run(question="Tell me about Lisbon"))
    assert result["answers"]["echo"] == "Echo: Tell me about Lisbon"
    assert "ServerError" in result["answers"]["broken"]
    assert result["answer"].startswith("Echo v2:") and "research: Here is what I found" in result["answer"]


def test_fan_out_workflow_runs_a_branch_tools_instead_of_merging_an_empty_answer(conn):
    wf = FanOutWorkflow(agents={"weather": FoundryAgentLLM("weather", **conn), "echo": FoundryAgentLLM("echo:1", **conn)},
                        merger=FoundryAgentLLM("echo", **conn), tools={"weather": [get_weather]})
    result = run(lambda: wf.run(question="What is the weather in Oslo?"))
    assert result["answers"]["weather"] == "The weather in Oslo: sunny and 24C in Oslo"
    assert "- weather: The weather in Oslo: sunny and 24C in Oslo" in result["answer"]


def test_fan_out_workflow_branch_with_pending_calls_and_no_tools_fails_loudly(conn):
    wf = FanOutWorkflow(agents={"weather": FoundryAgentLLM("weather", **conn), "echo": FoundryAgentLLM("echo:1", **conn)},
                        merger=FoundryAgentLLM("echo", **conn))
    with pytest.raises(PendingToolCallsError, match=r"fan-out branch 'weather' called \['get_weather'\]") as info:
        run(lambda: wf.run(question="What is the weather in Oslo?"))
    assert "tools={'weather'" in str(info.value)


def test_fan_out_workflow_tools_for_an_unknown_branch_is_refused(conn):
    with pytest.raises(ValueError, match=r"\['wether'\]"):
        FanOutWorkflow(agents={"weather": FoundryAgentLLM("weather", **conn)}, merger=FoundryAgentLLM("echo", **conn),
                       tools={"wether": [get_weather]})


def test_sub_agent_error_names_its_request_id_once(conn):
    text = foundry_agent_tool("broken", max_retries=0, **conn).call(question="hi").content
    rid = re.search(r"\[request id: (\w+)\]", text)
    assert "ServerError" in text and rid and text.count(rid.group(1)) == 1, text


def test_triage_routes_a_factual_part_without_keywords_to_the_researcher(conn):
    result = run(lambda: orchestrator(conn).run(user_msg="Is it windy in Porto, and who painted the Night Watch?"))
    outputs = {c.tool_name: c.tool_output.content for c in result.tool_calls}
    assert sorted(outputs) == ["ask_researcher", "ask_weather"]
    assert "sunny and 24C in Porto" in outputs["ask_weather"]
    assert "Night Watch" in outputs["ask_researcher"] and "Porto" not in outputs["ask_researcher"]


def test_fan_out_workflow_branch_waiting_for_an_approval_fails_loudly(conn):
    wf = FanOutWorkflow(agents={"docs": FoundryAgentLLM("approval", **conn)}, merger=FoundryAgentLLM("echo", **conn))
    with pytest.raises(PendingToolCallsError, match=r"fan-out branch 'docs' is waiting for approval of \['docs/search_docs'\]"):
        run(lambda: wf.run(question="How do I export data?"))
