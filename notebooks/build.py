"""Build the notebooks from the cells below, run them against the in-process emulator, write them.

    python notebooks/build.py               # build, execute and write every notebook (with outputs)
    python notebooks/build.py 03            # only the notebooks whose file name starts with "03"
    python notebooks/build.py --no-execute  # write them without outputs

The notebooks are generated so they can be reviewed as code: edit the cells here, never the
``.ipynb`` files (``tests/notebooks`` checks that they match). Each notebook starts the emulator
in its first cell and says, in its second, how to point it at a real Foundry project instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 60
KERNEL = "python3"

Cell = tuple[str, str]  # ("md" | "code", source)


def md(source: str) -> Cell:
    return ("md", source.strip("\n"))


def code(source: str) -> Cell:
    return ("code", source.strip("\n"))


def start(title: str, intro: str) -> list[Cell]:
    """The title, the emulator cell and how to use a real project instead."""
    return [
        md(f"# {title}\n\n{intro.strip()}\n\nEverything below runs as is against the local Foundry v2 "
           "emulator that the next cell starts in-process (no Azure needed)."),
        code('''
from contextlib import ExitStack

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator

stack = ExitStack()                        # closed in the last cell
emu = stack.enter_context(run_emulator())  # a local Foundry v2 agent service on a free port
ENDPOINT, API_KEY = emu.endpoint, EMULATOR_TOKEN
print(ENDPOINT)
'''),
        md('''
**Using a real Foundry project instead.** Skip the cell above and run the one below with the
lines uncommented. Set `FOUNDRY_PROJECT_ENDPOINT` to
`https://<resource>.services.ai.azure.com/api/projects/<project>` and sign in (`az login`, a
managed identity, ...): with `API_KEY = None` the adapters use `DefaultAzureCredential`. The
project needs agents with the names used here (the emulator's built-ins: `echo`, `grounded`,
`weather`, `researcher`, `triage`, `approval`, `calendar`; see `docs/emulator.md` for their
definitions), or change the names.
'''),
        code('''
# import os
# from contextlib import ExitStack
#
# stack = ExitStack()
# ENDPOINT = os.environ["FOUNDRY_PROJECT_ENDPOINT"]
# API_KEY = None  # DefaultAzureCredential; or a token from `az account get-access-token --resource https://ai.azure.com`
'''),
    ]


END = [md("Stop the emulator (with a real project, this closes nothing)."), code("stack.close()")]

# -- 01 ------------------------------------------------------------------------------------------
QUICKSTART = [
    *start("LangChain quickstart: Foundry v2 agents as a chat model", '''
`ChatFoundryAgent` is a LangChain `BaseChatModel` that calls a Foundry Agent Service v2 agent by
name. The agent definition (model, instructions, tools, output format) lives in Foundry; the chat
model sends only the conversation. This notebook covers chains, streaming, token usage,
conversations, versions, errors and structured output.
'''),
    md("## A chat model"),
    code('''
from langchain_foundry_agents import ChatFoundryAgent

llm = ChatFoundryAgent("echo", project_endpoint=ENDPOINT, api_key=API_KEY)
reply = llm.invoke("Hello, Foundry!")
print(reply.text)
print(reply.usage_metadata)
print({key: reply.response_metadata[key] for key in ("agent_name", "agent_version", "model_name")})
'''),
    md("## LCEL chains and batches"),
    code('''
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

prompt = ChatPromptTemplate.from_messages([
    ("system", "Answer in one sentence."),
    ("human", "Tell me about {topic}."),
])
chain = prompt | llm | StrOutputParser()
print(chain.invoke({"topic": "LCEL"}))
for answer in chain.batch([{"topic": t} for t in ("agents", "versions", "tools")], config={"max_concurrency": 3}):
    print(answer)
'''),
    md('''
## Streaming

`stream` yields text as the agent produces it (one chunk per delta). On the model itself, adding
the chunks up gives the same message as `invoke`, usage included (it comes with the last chunk).
'''),
    code('''
for piece in chain.stream({"topic": "streaming"}):
    print(piece, end="|", flush=True)
print()

full = None
async for chunk in llm.astream("Streaming, asynchronously"):
    full = chunk if full is None else full + chunk
print(full.text)
print(full.usage_metadata)
'''),
    md("## Token usage of a whole chain"),
    code('''
from langchain_core.callbacks import get_usage_metadata_callback

with get_usage_metadata_callback() as usage:
    chain.batch([{"topic": "usage"}, {"topic": "callbacks"}])
print(usage.usage_metadata)
'''),
    md('''
## Conversations

Three ways to keep context:

1. **Chaining** (default): `AIMessage.id` is the response id, so passing the history back sends
   only the new messages, with `previous_response_id`.
2. **A server-side conversation**: `conversation_id="conv_..."` (`llm.create_conversation()`).
3. **Stateless**: `store=False` replays the whole history on every call.

The `grounded` agent answers only from what it has been told, which makes memory visible.
'''),
    code('''
from langchain_core.messages import HumanMessage

grounded = ChatFoundryAgent("grounded", project_endpoint=ENDPOINT, api_key=API_KEY)

history = [HumanMessage("My locker code is 4417.")]
history.append(grounded.invoke(history))
history.append(HumanMessage("What is my locker code?"))
print("chained:     ", grounded.invoke(history).text)

conversation = grounded.create_conversation()
grounded.invoke("The staff meeting moved to Thursday.", conversation_id=conversation)
print("conversation:", grounded.invoke("When is the staff meeting?", conversation_id=conversation).text)

stateless = ChatFoundryAgent("grounded", project_endpoint=ENDPOINT, api_key=API_KEY, store=False)
print("stateless:   ", stateless.invoke(history).text)
print("no history:  ", grounded.invoke("What is my locker code?").text)
'''),
    md('''
## Versions

An agent reference is `"name"` (the latest version) or `"name:version"` (pinned); `agent_version=`
pins too. `agent_definition()` fetches the definition the reference resolves to.
'''),
    code('''
for reference in ("echo:1", "echo"):
    model = ChatFoundryAgent(reference, project_endpoint=ENDPOINT, api_key=API_KEY)
    reply = model.invoke("Which version answers?")
    definition = model.agent_definition()
    print(f"{reference:<7} -> version {reply.response_metadata['agent_version']}: {reply.text!r}")
    print(f"{'':<7}    instructions: {definition.instructions}")

pinned = ChatFoundryAgent("echo", agent_version=1, project_endpoint=ENDPOINT, api_key=API_KEY)
print(pinned.invoke("Pinned with agent_version=1").text)
'''),
    md('''
## Errors

Service errors are typed (and also LangChain's error categories), with the status, code and
request id. Fields the service refuses next to an agent (`temperature`, `model`, `tools`, ...)
are refused locally, before any request.
'''),
    code('''
from langchain_core.exceptions import ModelNotFoundError

import foundry_agents

try:
    ChatFoundryAgent("no-such-agent", project_endpoint=ENDPOINT, api_key=API_KEY).invoke("hi")
except ModelNotFoundError as err:
    print(type(err).__name__, err.status_code, err.agent_name, "request id:", bool(err.request_id))

try:
    ChatFoundryAgent("echo", project_endpoint=ENDPOINT, api_key=API_KEY, temperature=0)
except foundry_agents.RefusedParameterError as err:
    print(err)
'''),
    md('''
## Structured output

The agent definition fixes the output format (the `calendar` agent has a JSON schema);
`with_structured_output` sends nothing extra and validates the answer against your schema.
'''),
    code('''
from pydantic import BaseModel


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


calendar = ChatFoundryAgent("calendar", project_endpoint=ENDPOINT, api_key=API_KEY)
calendar.with_structured_output(CalendarEvent).invoke(
    "Alice and Bob are going to a science fair on Friday, March 14th 2025.")
'''),
    *END,
]

# -- 02 ------------------------------------------------------------------------------------------
EMBEDDING = '''
import re
import zlib

from llama_index.core.embeddings import BaseEmbedding


class WordHashEmbedding(BaseEmbedding):
    """Hashed bag of words: deterministic, local, good enough to find the right document here."""

    def _embed(self, text: str, dim: int = 256) -> list[float]:
        vector = [0.0] * dim
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            vector[zlib.crc32(word.encode()) % dim] += 1.0
        return vector

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._embed(query)


embed_model = WordHashEmbedding(model_name="word-hash")
'''

QUERY_ENGINE = [
    *start("LlamaIndex: a query engine over local documents", '''
`FoundryAgentLLM` puts a Foundry v2 agent behind the LlamaIndex LLM interface. Here the
`grounded` agent (it answers only from the context it is given) answers questions over three
small local documents, through a summary index, a vector index, streaming, async and a chat
engine, with the agent's own token counts.
'''),
    md("## The documents"),
    code('''
from llama_index.core import SimpleDirectoryReader

from foundry_agents.cli.demo import SAMPLE_DOCS  # three short product documents shipped with the package

documents = SimpleDirectoryReader(str(SAMPLE_DOCS)).load_data()
for doc in documents:
    print(f"{doc.metadata['file_name']:<12} {doc.text.splitlines()[0]}")
'''),
    md("## The LLM"),
    code('''
from llama_index_foundry import FoundryAgentLLM

llm = FoundryAgentLLM("grounded", project_endpoint=ENDPOINT, api_key=API_KEY)
print(llm.metadata.model_name, llm.metadata.is_function_calling_model)
print(llm.complete("What is the capital of France?").text)  # no context: it says so
'''),
    md('''
## A summary index (no embeddings)

Every document goes into the prompt; the query engine puts it in front of the question.
'''),
    code('''
from llama_index.core import SummaryIndex

engine = SummaryIndex.from_documents(documents).as_query_engine(llm=llm)
print(engine.query("How long does the Rover battery last?"))
'''),
    md('''
## A vector index

In a real project use your embedding deployment (for example `AzureOpenAIEmbedding`). To stay
offline and deterministic, this notebook uses a tiny hashed bag-of-words embedding.
'''),
    code(EMBEDDING),
    code('''
from llama_index.core import VectorStoreIndex

index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
engine = index.as_query_engine(llm=llm, similarity_top_k=1)
for question in ("What does the warranty cover?", "How much free space does the dock need?"):
    answer = engine.query(question)
    source = answer.source_nodes[0]
    print(f"Q: {question}\\nA: {answer}\\n   source: {source.node.metadata['file_name']} (score {source.score:.2f})\\n")
'''),
    md("## Streaming and async"),
    code('''
streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
for token in streaming.query("How long does a full recharge take?").response_gen:
    print(token, end="|", flush=True)
print()

print(await engine.aquery("When should I replace the battery?"))
'''),
    md('''
## A chat engine: follow-up questions

`condense_plus_context` retrieves fresh context for every turn and sends it as a system message;
system messages are always sent, even when the conversation is chained.
'''),
    code('''
chat = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm, similarity_top_k=1)
print(chat.chat("How do I connect the Rover to Wi-Fi?"))
print(chat.chat("How long does the first cleaning run take to map my home?"))
'''),
    md('''
## Token counting

The agent reports its usage; `TokenCountingHandler` reads those numbers (streaming included).
Query engines hand `Settings.callback_manager` to their LLM when they are built.
'''),
    code('''
from llama_index.core import Settings
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

counter = TokenCountingHandler()
Settings.callback_manager = CallbackManager([counter])
counted = index.as_query_engine(llm=llm, similarity_top_k=1)
counted.query("How long does the Rover battery last?")
print("prompt:", counter.prompt_llm_token_count, "completion:", counter.completion_llm_token_count,
      "LLM calls:", len(counter.llm_token_counts))
Settings.callback_manager = CallbackManager([])
'''),
    *END,
]

# -- 03 ------------------------------------------------------------------------------------------
AGENTS = [
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

# -- 04 ------------------------------------------------------------------------------------------
TOOLS = [
    *start("Function tools and MCP approvals", '''
An agent declares its tools in its definition; the request never carries them. **Function tools**
run on your side: the agent answers with function calls, you run them and send the outputs back
(chained with `previous_response_id`). **MCP tools** run on the service; when the definition asks
for approval, the agent waits until you approve or deny the call. Shown with the core, LangChain
and LlamaIndex.
'''),
    code('''
FORECASTS = {"Paris": "sunny, 21 C", "Oslo": "light snow, -3 C"}


def get_weather(location: str) -> str:
    """Get the current weather for a location."""
    return FORECASTS.get(location, "cloudy, 15 C")
'''),
    md("## The core: `run_with_tools`"),
    code('''
from foundry_agents import FoundryAgent, run_with_tools

weather = FoundryAgent("weather", project_endpoint=ENDPOINT, api_key=API_KEY)
result = run_with_tools(weather, "What's the weather in Oslo?", tools={"get_weather": get_weather})
for call, output in result.calls:
    print(f"{call.name}({call.arguments}) -> {output!r}")
print(result.response.output_text)
print(len(result.responses), "responses;", result.usage)
'''),
    md('''
## LangChain: the round trip by hand

`bind_tools` sends nothing: it checks the names against the agent definition and binds the
implementations. The reply carries `tool_calls`; each `ToolMessage` goes back as a
`function_call_output`.
'''),
    code('''
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from langchain_foundry_agents import ChatFoundryAgent

weather_tool = tool(get_weather)
llm = ChatFoundryAgent("weather", project_endpoint=ENDPOINT, api_key=API_KEY)
bound = llm.bind_tools([weather_tool])

messages = [HumanMessage("What's the weather in Paris?")]
reply = bound.invoke(messages)
print("tool calls:", [(c["name"], c["args"]) for c in reply.tool_calls])
messages += [reply, *(weather_tool.invoke(call) for call in reply.tool_calls)]
print(bound.invoke(messages).text)
'''),
    md("## LangChain: `create_agent` runs the loop"),
    code('''
from langchain.agents import create_agent

graph = create_agent(llm, tools=[weather_tool])
for message in graph.invoke({"messages": [("user", "Weather in Oslo?")]})["messages"]:
    print(f"{message.type:>5}: {message.text or [c['name'] for c in message.tool_calls]}")
'''),
    md("A tool the agent does not declare could never be called; binding it fails early:"),
    code('''
from langchain_foundry_agents import AgentToolMismatchError


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return "12:00"


try:
    llm.bind_tools([get_time])
except AgentToolMismatchError as err:
    print(err)
'''),
    md("## LlamaIndex: `FunctionAgent`"),
    code('''
from llama_index.core.agent.workflow import FunctionAgent

from llama_index_foundry import FoundryAgentLLM

agent = FunctionAgent(tools=[get_weather], llm=FoundryAgentLLM("weather", project_endpoint=ENDPOINT, api_key=API_KEY))
print(await agent.run("What's the weather in Paris?"))
'''),
    md('''
## MCP approvals: approve and deny

The `approval` agent uses an MCP server whose calls always need approval. Its first answer is a
pending `mcp_approval_request` (the response status is still `completed`); the answer goes back
as an `mcp_approval_response`, chained to that response.
'''),
    code('''
from foundry_agents import ApprovalResponsePart, FoundryAgentsClient, Message

client = stack.enter_context(FoundryAgentsClient(ENDPOINT, api_key=API_KEY))
question = "How do I export my data?"
for approve in (True, False):
    first = client.create_response("approval", input=question)
    request = first.approval_requests[0]
    print(f"asks to run {request.name} on {request.server_label} with {request.arguments}")
    answer = client.create_response("approval", previous_response_id=first.id,
                                    input=[Message("user", [ApprovalResponsePart(request.id, approve)])])
    print(f"  {'approved' if approve else 'denied'} -> {answer.output_text}")
'''),
    md("In LangChain, pending requests are listed in `response_metadata['pending_approvals']`:"),
    code('''
from langchain_foundry_agents import approval_message

approval = ChatFoundryAgent("approval", project_endpoint=ENDPOINT, api_key=API_KEY)
history = [HumanMessage("How do I rotate my API keys?")]
first = approval.invoke(history)
pending = first.response_metadata["pending_approvals"][0]
print(pending["name"], pending["arguments"])
print(approval.invoke([*history, first, approval_message(pending, approve=True)]).text)
print(approval.invoke([*history, first, approval_message(pending, approve=False, reason="not now")]).text)
'''),
    md("In LlamaIndex, in `additional_kwargs['approval_requests']`:"),
    code('''
from llama_index.core.llms import ChatMessage

from llama_index_foundry import approval_message as li_approval_message

li_llm = FoundryAgentLLM("approval", project_endpoint=ENDPOINT, api_key=API_KEY)
ask = ChatMessage(role="user", content="Where are the audit logs?")
first = li_llm.chat([ask])
request = first.message.additional_kwargs["approval_requests"][0]
print(request["name"], request["arguments"])
print(li_llm.chat([ask, first.message, li_approval_message(request["id"], approve=True)]).message.content)
'''),
    *END,
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_langchain_quickstart.ipynb": QUICKSTART,
    "02_llamaindex_query_engine.ipynb": QUERY_ENGINE,
    "03_agent_of_agents.ipynb": AGENTS,
    "04_tools_and_approvals.ipynb": TOOLS,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": KERNEL},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{index:02d}"  # stable ids keep the diffs small
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode, *, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (cwd: this folder); raises on the first failing cell."""
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="file name prefixes, e.g. 01 03")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS.items():
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        started = time.perf_counter()
        nb = build(cells)
        if not args.no_execute:
            execute(nb)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print(f"{name}: {len(cells)} cells, {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
