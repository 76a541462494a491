"""04: function tools and MCP approvals (core, LangChain, LlamaIndex)."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
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
