"""Sub-agent spans nest under the orchestrator's span in LangChain and LlamaIndex."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace

pytest.importorskip("langchain_core")
pytest.importorskip("llama_index.core")

QUESTION = "What is the weather in Paris and what is the history of the Eiffel Tower?"


@pytest.fixture
def conn(emulator_endpoint, emulator_token):
    return {"project_endpoint": emulator_endpoint, "api_key": emulator_token}


def check_tree(spans, token):
    """orchestrator -> execute_tool ask_weather -> invoke_agent weather -> ... one trace, no token."""
    root = spans.one("orchestrator")
    assert len({s.context.trace_id for s in spans.all}) == 1
    triage = spans.named("invoke_agent triage")
    assert len(triage) == 2 and all(spans.ancestors(s) == ["orchestrator"] for s in triage)
    ask = spans.one("execute_tool ask_weather")
    assert spans.ancestors(ask) == ["orchestrator"]
    assert ask.status.status_code.name == "UNSET"
    weather = spans.named("invoke_agent weather")
    assert len(weather) == 2
    assert all(spans.ancestors(s) == ["execute_tool ask_weather", "orchestrator"] for s in weather)
    get = spans.one("execute_tool get_weather")
    assert spans.ancestors(get) == ["execute_tool ask_weather", "orchestrator"]
    researcher = spans.one("invoke_agent researcher")
    assert spans.ancestors(researcher) == ["execute_tool ask_researcher", "orchestrator"]
    assert root.parent is None
    for s in spans.all:
        assert token not in str(dict(s.attributes)) and "gen_ai.input.messages" not in s.attributes


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_langchain_sub_agents_nest_under_the_orchestrator(mode, spans, conn, emulator_token):
    from langchain.agents import create_agent
    from langchain_core.tools import tool

    from langchain_foundry_agents import ChatFoundryAgent
    from langchain_foundry_agents.orchestration import foundry_agent_tool

    @tool
    def get_weather(location: str) -> str:
        """Current weather for a city."""
        return f"sunny and 24C in {location}"

    # Sync tools run in LangChain's thread pool (with a copied context): spans still nest.
    agent = create_agent(ChatFoundryAgent("triage", **conn), tools=[
        foundry_agent_tool("weather", tools=[get_weather], name="ask_weather", **conn),
        foundry_agent_tool("researcher", **conn)])
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("orchestrator"):
        if mode == "sync":
            state = agent.invoke({"messages": [("user", QUESTION)]})
        else:
            state = asyncio.run(agent.ainvoke({"messages": [("user", QUESTION)]}))
    assert "sunny and 24C in Paris" in state["messages"][-1].text
    check_tree(spans, emulator_token)


def test_llama_index_sub_agents_nest_under_the_orchestrator(spans, conn, emulator_token):
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.tools import FunctionTool

    from llama_index_foundry import FoundryAgentLLM
    from llama_index_foundry.orchestration import foundry_agent_tool

    def get_weather(location: str) -> str:
        """Current weather for a city."""
        return f"sunny and 24C in {location}"

    agent = FunctionAgent(llm=FoundryAgentLLM("triage", **conn), tools=[
        foundry_agent_tool("weather", name="ask_weather", tools=[FunctionTool.from_defaults(fn=get_weather)], **conn),
        foundry_agent_tool("researcher", **conn)])

    async def go():
        # The workflow runs its steps as tasks: the context started here reaches them.
        with trace.get_tracer("tests").start_as_current_span("orchestrator"):
            return await agent.run(user_msg=QUESTION)

    result = asyncio.run(go())
    assert "sunny and 24C in Paris" in str(result)
    check_tree(spans, emulator_token)


def test_llama_index_fan_out_workflow_branches_nest_under_the_caller(spans, conn, emulator_token):
    from llama_index_foundry import FoundryAgentLLM
    from llama_index_foundry.orchestration import FanOutWorkflow

    flow = FanOutWorkflow(agents={"echo": FoundryAgentLLM("echo", **conn), "researcher": FoundryAgentLLM("researcher", **conn)},
                          merger=FoundryAgentLLM("echo", **conn))

    async def go():
        with trace.get_tracer("tests").start_as_current_span("orchestrator"):
            return await flow.run(question="History of Lisbon?")

    asyncio.run(go())
    calls = [s for s in spans.all if s.name.startswith("invoke_agent")]
    assert len(calls) == 3
    assert all(spans.ancestors(s)[-1] == "orchestrator" for s in calls)
