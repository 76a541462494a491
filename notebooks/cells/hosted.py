"""07: hosted agents (sessions, per-user isolation), the application route, listing and headers."""

from __future__ import annotations

from .common import END, Cell, code, md, start

_START = start("Hosted agents, sessions, listing and response headers", '''
A **hosted agent** is your own container run by Foundry. It answers with `caresp_` ids and keeps a
**session** (its sandbox and files) named by `agent_session_id`: send it back to continue. A
multi-tenant app names the end user with `user_identity=` (the `x-ms-user-identity` header), and
one user can never continue another's chain or session. Also shown: the Agent Applications route,
paging through lists, and the rate-limit headers on every answer.
''')
# The emulator cell, with a hosted agent declared as an agents-file entry would declare it.
_START[1] = code('''
from contextlib import ExitStack

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator

HOSTED = {"name": "helpdesk", "kind": "hosted", "behavior": "echo"}  # agents-file entry: kind hosted
stack = ExitStack()                                                    # closed in the last cell
emu = stack.enter_context(run_emulator(extra_agents=[HOSTED]))
ENDPOINT, API_KEY = emu.endpoint, EMULATOR_TOKEN
print(ENDPOINT)
''')

CELLS: list[Cell] = [
    *_START,
    md("## The core: a session across calls, isolated per user"),
    code('''
from foundry_agents import FoundryAgentsClient, NotFoundError

alice = stack.enter_context(FoundryAgentsClient(ENDPOINT, api_key=API_KEY, user_identity="alice"))
first = alice.create_response("helpdesk", input="Open a ticket for my laptop")
print(first.id, repr(first.raw["model"]), first.agent_session_id)
again = alice.create_response("helpdesk", input="Add: the screen flickers", previous_response_id=first.id,
                              agent_session_id=first.agent_session_id)
print("same session:", again.agent_session_id == first.agent_session_id)

bob = stack.enter_context(FoundryAgentsClient(ENDPOINT, api_key=API_KEY, user_identity="bob"))
try:
    bob.create_response("helpdesk", input="Show me that ticket", previous_response_id=first.id)
except NotFoundError as err:
    print("bob cannot continue alice's chain:", err.status_code)
'''),
    md('''
## Sessions on the agent's endpoint

`create_session` / `get_session` / `stop_session` / `delete_session` / `iter_sessions` send the
preview flag `Foundry-Features: AgentEndpoints=V1Preview` and the owner key
`x-session-isolation-key`: another key sees nothing.
'''),
    code('''
session = alice.create_session("helpdesk", isolation_key="tenant-a")
print(session.id, session.status, session.agent_version)
alice.stop_session("helpdesk", session.id, isolation_key="tenant-a")
print("after stop:", alice.get_session("helpdesk", session.id, isolation_key="tenant-a").status)
print("tenant-b sees:", [s.id for s in alice.iter_sessions("helpdesk", isolation_key="tenant-b")])
alice.delete_session("helpdesk", session.id, isolation_key="tenant-a")
'''),
    md('''
## LangChain and LlamaIndex resend the session from the history

The reply's metadata carries `agent_session_id` (and the HTTP `headers`); passing the history back
continues the same session.
'''),
    code('''
from langchain_core.messages import HumanMessage

from langchain_foundry_agents import ChatFoundryAgent

chat = ChatFoundryAgent("helpdesk", project_endpoint=ENDPOINT, api_key=API_KEY, user_identity="carol")
reply = chat.invoke([HumanMessage("Hello")])
follow = chat.invoke([HumanMessage("Hello"), reply, HumanMessage("Still there?")])
print(reply.response_metadata["agent_session_id"] == follow.response_metadata["agent_session_id"])
print(follow.response_metadata["headers"])
'''),
    code('''
from llama_index.core.llms import ChatMessage

from llama_index_foundry import FoundryAgentLLM

llm = FoundryAgentLLM("helpdesk", project_endpoint=ENDPOINT, api_key=API_KEY, user_identity="dana")
first_li = llm.chat([ChatMessage(role="user", content="Hello")])
history = [ChatMessage(role="user", content="Hello"), first_li.message, ChatMessage(role="user", content="More")]
print(llm.chat(history).message.additional_kwargs["agent_session_id"] == first_li.message.additional_kwargs["agent_session_id"])
'''),
    md('''
## The Agent Applications route

A published agent has a stable endpoint, `{project}/applications/{app}/protocols/openai/responses`:
`route="application"`, with the application's name where the agent's goes (no version pinning).
'''),
    code('''
with FoundryAgentsClient(ENDPOINT, api_key=API_KEY, route="application") as app_client:
    print(app_client.create_response("echo", input="Hi from the application route").output_text)
'''),
    md('''
## Listing and paging, response headers

`list_input_items` reads one page; every `iter_*` (`aiter_*` in async) follows `has_more` and
`last_id` to the end. The service has no route listing responses themselves.
'''),
    code('''
items = [{"type": "message", "role": "user", "content": f"note {i}"} for i in range(5)]
reply = alice.create_response("echo", input=items)
page = alice.list_input_items(reply.id, limit=2, order="asc")
print(len(page.data), "of more:", page.has_more)
print(sum(1 for _ in alice.iter_input_items(reply.id, page_size=2)), "input items in all")
print([a.name for a in alice.iter_agents(page_size=3)][:5])
print(reply.headers.region, reply.headers.rate_limit)
'''),
    *END,
]
