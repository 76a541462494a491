"""03: agent of agents in LangChain and LlamaIndex."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("Agent of agents: triage delegating to weather and researcher", '''
The `triage` agent declares two function tools, `ask_weather` and `ask_researcher`. Their local
implementations ask two other Foundry agents: `weather` (which itself calls a local
`get_weather`) and `researcher` (web search with citations). For a question that needs both,
triage asks for both calls in one turn and they run in parallel. The same in LangChain
(`create_agent`, on LangGraph), with a fan-out/fan-in `RunnableParallel`, and in LlamaIndex
(`FunctionAgent`).
'''),
    code('''
from langchain_foundry_agents import ChatFoundryAgent


def model(name):
    return ChatFoundryAgent(name, project_endpoint=ENDPOINT, api_key=API_KEY)


definition = model("triage").agent_definition()
print(definition.instructions)
print("function tools:", definition.function_names)

QUESTION = "History and weather forecast for Lisbon?"
FORECASTS = {"Lisbon": "clear skies, 24 C", "Paris": "sunny, 21 C"}
'''),
    md('''
## LangChain: `create_agent` with sub-agents as tools

Each sub-agent is wrapped in a `@tool` whose name matches a function the triage agent declares.
A small callback handler records LangChain's run tree to show who called whom.
'''),
    code('''
from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler, get_usage_metadata_callback
from langchain_core.tools import tool


@tool
def get_weather(location: str) -> str:
    """Get the current weather for a location."""
    return FORECASTS.get(location, "cloudy, 15 C")


weather_agent = create_agent(model("weather"), tools=[get_weather])
researcher = model("researcher")


@tool
def ask_weather(question: str) -> str:
    """Ask the weather agent a weather question."""
    return weather_agent.invoke({"messages": [("user", question)]})["messages"][-1].text


@tool
def ask_researcher(question: str) -> str:
    """Ask the research agent a factual or historical question."""
    return researcher.invoke(question).text


class CallTree(BaseCallbackHandler):
    """Records the agent (chat model) and tool runs of LangChain's run tree."""

    def __init__(self):
        self.parent, self.label = {}, {}

    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, **kw):
        self.parent[run_id] = parent_run_id

    def on_tool_start(self, serialized, input_str, *, run_id, parent_run_id=None, **kw):
        self.parent[run_id] = parent_run_id
        self.label[run_id] = f"tool {serialized['name']}"

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, metadata=None, **kw):
        self.parent[run_id] = parent_run_id
        self.label[run_id] = f"agent {(metadata or {}).get('ls_model_name')}"

    def shown_parent(self, run_id):
        parent = self.parent.get(run_id)
        while parent is not None and parent not in self.label:
            parent = self.parent.get(parent)
        return parent

    def print(self, node=None, depth=0):
        for run_id, label in self.label.items():
            if self.shown_parent(run_id) == node:
                print("    " * depth + label)
                self.print(run_id, depth + 1)


triage = create_agent(model("triage"), tools=[ask_weather, ask_researcher])
tree = CallTree()
with get_usage_metadata_callback() as usage:
    result = triage.invoke({"messages": [("user", QUESTION)]}, config={"callbacks": [tree]})
print(result["messages"][-1].text, end="\\n\\n")
tree.print()
'''),
    md("Token usage of every agent involved, by model (`researcher` runs on `o4-mini`):"),
    code('''
for model_name, counts in usage.usage_metadata.items():
    print(f"{model_name:<14} in {counts['input_tokens']:>4}  out {counts['output_tokens']:>4}  total {counts['total_tokens']:>4}")
print(f"{'all agents':<14} total {sum(c['total_tokens'] for c in usage.usage_metadata.values()):>4}")
'''),
    md('''
### The short way: `foundry_agent_tool`

`langchain_foundry_agents.foundry_agent_tool` builds such a tool for you (named `ask_<agent>`),
runs the sub-agent's own function tools, and turns a failing sub-agent into an error message
for the orchestrator instead of an exception.
'''),
    code('''
from langchain_foundry_agents import foundry_agent_tool

connection = {"project_endpoint": ENDPOINT, "api_key": API_KEY}
tools = [foundry_agent_tool("weather", tools=[get_weather], **connection),
         foundry_agent_tool("researcher", **connection)]
print([t.name for t in tools])
result = create_agent(model("triage"), tools=tools).invoke({"messages": [("user", QUESTION)]})
print(result["messages"][-1].text)
'''),
    md('''
## Fan-out / fan-in with `RunnableParallel`

No supervisor: ask both agents the same question in parallel, then merge the answers.
'''),
    code('''
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda, RunnableParallel

weather_chain = RunnableLambda(lambda q: weather_agent.invoke({"messages": [("user", q)]})["messages"][-1].text)
research_chain = researcher | StrOutputParser()
merge = RunnableLambda(lambda answers: "\\n".join(f"[{name}] {text}" for name, text in answers.items()))

fan_out = RunnableParallel(weather=weather_chain, research=research_chain) | merge
print(fan_out.invoke(QUESTION))
'''),
    md('''
## LlamaIndex: `FunctionAgent` with sub-agents as tools

The same shape with LlamaIndex agent workflows: plain async functions become tools, and the
workflow's events show each delegation. A `TokenCountingHandler` on every LLM adds up the usage
the agents report.
'''),
    code('''
from llama_index.core.agent.workflow import FunctionAgent, ToolCall, ToolCallResult
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.tools import FunctionTool

from llama_index_foundry import FoundryAgentLLM

counter = TokenCountingHandler()


def llm(name):
    return FoundryAgentLLM(name, project_endpoint=ENDPOINT, api_key=API_KEY,
                           callback_manager=CallbackManager([counter]))


def local_weather(location: str) -> str:
    """Get the current weather for a location."""
    return FORECASTS.get(location, "cloudy, 15 C")


weather_tool = FunctionTool.from_defaults(local_weather, name="get_weather")  # the name the agent calls
li_weather = FunctionAgent(name="weather", tools=[weather_tool], llm=llm("weather"))
li_researcher = llm("researcher")


async def ask_weather(question: str) -> str:
    """Ask the weather agent a weather question."""
    return str(await li_weather.run(question))


async def ask_researcher(question: str) -> str:
    """Ask the research agent a factual or historical question."""
    return (await li_researcher.acomplete(question)).text


li_triage = FunctionAgent(name="triage", tools=[ask_weather, ask_researcher], llm=llm("triage"))
handler = li_triage.run(QUESTION)
async for event in handler.stream_events():
    if isinstance(event, ToolCallResult):
        print(f"triage -> {event.tool_name}: {str(event.tool_output)[:70]}...")
    elif isinstance(event, ToolCall):
        print(f"triage calls {event.tool_name}({event.tool_kwargs})")
print()
print(await handler)
print(f"\\n{len(counter.llm_token_counts)} agent calls, {counter.total_llm_token_count} tokens "
      f"(prompt {counter.prompt_llm_token_count}, completion {counter.completion_llm_token_count})")
'''),
    md('''
### The short way in LlamaIndex

`llama_index_foundry.foundry_agent_tool` wraps an agent as a `FunctionTool` named `ask_<agent>`
(running the sub-agent's own function tools); fanning out is plain `asyncio.gather`.
'''),
    code('''
import asyncio

from llama_index_foundry import foundry_agent_tool

connection = {"project_endpoint": ENDPOINT, "api_key": API_KEY}
tools = [foundry_agent_tool("weather", tools=[weather_tool], **connection),
         foundry_agent_tool("researcher", **connection)]
print([t.metadata.name for t in tools])
print(await FunctionAgent(tools=tools, llm=llm("triage")).run(QUESTION))

weather_answer, research_answer = await asyncio.gather(ask_weather(QUESTION), ask_researcher(QUESTION))
print(f"\\n[weather] {weather_answer}\\n[research] {research_answer}")
'''),
    *END,
]
