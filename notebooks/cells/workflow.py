"""06: a Foundry workflow agent (agents of agents inside Foundry) in LangChain and LlamaIndex."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("Workflow agents: agents of agents inside Foundry", '''
A Foundry *workflow agent* runs other agents itself, in sequence and in parallel, and streams a
`workflow_action` item each time one of its actions starts or ends, between its inner agents'
messages. The emulator's `trip-planner` runs `researcher` and `forecast` in parallel, then `writer`
to merge their answers. Here it is one step of an LCEL chain, a sub-agent of a LangChain
orchestrator, and a LlamaIndex LLM whose actions show up as instrumentation and workflow events.
'''),
    md('''
## The actions, typed

The core parses `workflow_action` items into `WorkflowActionItem` (action kind, id, parent and
previous action, status); each inner agent's message stays its own item and names its agent.
'''),
    code('''
from foundry_agents import FoundryAgentsClient, MessageItem, WorkflowActionItem

with FoundryAgentsClient(ENDPOINT, api_key=API_KEY) as client:
    response = client.create_response("trip-planner", input="Plan a weekend in Lisbon")
for item in response.output:
    if isinstance(item, WorkflowActionItem):
        print(f"action {item.action_id:<24} {item.action_kind:<16} {item.status:<12} parent={item.parent_action_id}")
    elif isinstance(item, MessageItem):
        print(f"  {item.agent.name}: {item.text[:60]}...")
'''),
    md('''
## LangChain: one step of an LCEL chain, with its actions as custom events

`ChatFoundryAgent` sends each action as the custom event `"foundry_workflow_action"` from inside its
run, so `astream_events` (of the chain, or of a LangGraph graph) shows which inner agent is acting
while the tokens stream. Text blocks name the inner agent that wrote them (`agent_name`).
'''),
    code('''
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_foundry_agents import WORKFLOW_ACTION_EVENT, ChatFoundryAgent

planner = ChatFoundryAgent("trip-planner", project_endpoint=ENDPOINT, api_key=API_KEY)
chain = ChatPromptTemplate.from_messages([("human", "Plan a weekend in {city}")]) | planner | StrOutputParser()

speaking = None
async for event in chain.astream_events({"city": "Lisbon"}, version="v2"):
    if event["event"] == "on_custom_event" and event["name"] == WORKFLOW_ACTION_EVENT:
        action = event["data"]
        print(f"[{action['status']:>11}] {action['action_id']} ({action.get('agent_name', action['kind'])})")
    elif event["event"] == "on_chat_model_stream":
        for block in event["data"]["chunk"].content:
            if isinstance(block, dict) and block.get("agent_name") and block["agent_name"] != speaking:
                speaking = block["agent_name"]
                print(f"    {speaking} is writing...")
'''),
    md('''
## LangChain: a sub-agent of an orchestrator

`foundry_agent_tool` wraps the workflow agent as the tool `ask_trip-planner`; its actions reach the
orchestrator's `astream_events` under the tool's run.
'''),
    code('''
from langchain_foundry_agents import foundry_agent_tool

tool = foundry_agent_tool(planner)
async for event in tool.astream_events({"question": "Plan a weekend in Oslo"}, version="v2"):
    if event["event"] == "on_custom_event" and event["name"] == WORKFLOW_ACTION_EVENT:
        print(f"{tool.name} -> {event['data']['action_id']}: {event['data']['status']}")
    elif event["event"] == "on_tool_end":
        print("answer:", event["data"]["output"][-90:])
'''),
    md('''
## LlamaIndex: instrumentation events and workflow streams

`FoundryAgentLLM` dispatches `FoundryWorkflowActionEvent` to LlamaIndex's instrumentation; a
`Workflow` step that streams the agent can put the same updates on the workflow's own stream as
`WorkflowActionEvent`.
'''),
    code('''
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers.base import BaseEventHandler
from llama_index.core.workflow import Context, StartEvent, StopEvent, Workflow, step

from llama_index_foundry import FoundryAgentLLM, FoundryWorkflowActionEvent, WorkflowActionEvent


class ShowActions(BaseEventHandler):
    def handle(self, event, **kwargs):
        if isinstance(event, FoundryWorkflowActionEvent) and event.status == "in_progress":
            print(f"instrumentation: {event.action_id} started")


get_dispatcher().add_event_handler(ShowActions())
llm = FoundryAgentLLM("trip-planner", project_endpoint=ENDPOINT, api_key=API_KEY)


class Planner(Workflow):
    @step
    async def plan(self, ctx: Context, ev: StartEvent) -> StopEvent:
        answer = ""
        async for chunk in await llm.astream_chat([ChatMessage(role="user", content=ev.question)]):
            if (action := WorkflowActionEvent.from_chunk(chunk)) is not None:
                ctx.write_event_to_stream(action)
            answer = chunk.message.content or answer
        return StopEvent(result=answer)


handler = Planner(timeout=60).run(question="Plan a weekend in Lisbon")
async for event in handler.stream_events():
    if isinstance(event, WorkflowActionEvent):
        print(f"workflow stream: {event.action_id} {event.status}")
print((await handler)[-80:])
'''),
    *END,
]
