"""01: LangChain quickstart (chains, streaming, usage, conversations, versions, errors, structured output)."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
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
