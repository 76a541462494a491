"""The table of behaviours and the built-in agents (name, versions, definition, behaviour)."""

from __future__ import annotations

from typing import Any

from ..model import AgentVersionRecord, Behavior
from . import (
    basic,
    coder,
    computer,
    declared,
    extractor,
    faults,
    file_search,
    mcp,
    memory,
    oauth,
    painter,
    research,
    scripted,
    tools,
    workflow,
    writing,
)

#: Behaviour name -> function. Agents name their behaviour; agents created through the API
#: inherit the behaviour of the agent's latest version, or use ``metadata.emulator_behavior``.
BEHAVIORS: dict[str, Behavior] = {
    "echo": basic.echo,
    "grounded": basic.grounded,
    "weather": tools.weather,
    "forecast": writing.forecast,
    "writer": writing.writer,
    "triage": tools.triage,
    "approval": mcp.approval,
    "tools": declared.declared_tools,
    "researcher": research.researcher,
    "calendar": research.calendar,
    "scripted": scripted.scripted,
    "flaky": faults.flaky,
    "broken": faults.broken,
    "unavailable": faults.unavailable,
    "dropper": faults.dropper,
    "failing": faults.failing,
    "erroring": faults.erroring,
    "truncated": faults.truncated,
    "slow": faults.slow,
    "long_running": faults.long_running,
    "cutoff": faults.cutoff,
    "workflow": workflow.workflow,
    "coder": coder.coder,
    "painter": painter.painter,
    "mcp-oauth": oauth.mcp_oauth,
    "memory": memory.memory,
    "computer": computer.computer,
    "file-searcher": file_search.file_searcher,
    "extractor": extractor.extractor,
}

MODEL = "gpt-4.1-mini"


def _prompt(instructions: str, *, tools: list[dict[str, Any]] | None = None, model: str = MODEL, **extra: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {"kind": "prompt", "model": model, "instructions": instructions}
    if tools:
        definition["tools"] = tools
    definition.update(extra)
    return definition


#: name -> (behaviour, description, [definition per version, oldest first])
BUILTIN: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "echo": ("echo", "Repeats the last user message; the reply names the version.", [
        _prompt("Repeat the user's last message, prefixed with 'Echo:'."),
        _prompt("Repeat the user's last message, prefixed with 'Echo v2:'."),
    ]),
    "grounded": ("grounded", "Answers only from the context it is given.", [
        _prompt("Answer the question using only the provided context. If the context does not contain the answer, say you don't know."),
    ]),
    "weather": ("weather", "Calls get_weather(location), then answers from its output.", [
        _prompt("You are a helpful assistant that can check the weather. Use the get_weather function when users ask about weather.", tools=[tools.WEATHER_TOOL]),
    ]),
    "forecast": ("forecast", "Answers weather questions in text (its lookup runs on the service side).", [
        _prompt("You tell users the current weather of the city they ask about, in one sentence."),
    ]),
    "writer": ("writer", "Combines the answers of specialist agents into one reply.", [
        _prompt("Combine the specialists' answers you are given into one short, complete reply."),
    ]),
    "approval": ("approval", "Uses an MCP tool that requires approval.", [
        _prompt("Use the docs MCP tool to answer questions about the product documentation.", tools=[mcp.MCP_TOOL]),
    ]),
    "researcher": ("researcher", "Reasons, searches the web and cites its sources.", [
        _prompt("Research the question on the web and cite your sources.", tools=[{"type": "web_search_preview"}], model="o4-mini", reasoning={"effort": "medium", "summary": "auto"}),
    ]),
    "triage": ("triage", "A supervisor that delegates to the weather and research agents.", [
        _prompt("Route weather questions to ask_weather and factual or historical questions to ask_researcher; use both when needed.", tools=tools.TRIAGE_TOOLS),
    ]),
    "calendar": ("calendar", "Extracts a calendar event as structured output.", [
        _prompt("You extract calendar event information from the user's messages and return it in the desired structured output format.", text={"format": research.CALENDAR_FORMAT}),
    ]),
    "flaky": ("flaky", "429 for the first 2 calls per distinct input, then answers.", [_prompt("Answer after transient failures.")]),
    "broken": ("broken", "Always fails with 500.", [_prompt("Always fails.")]),
    "unavailable": ("unavailable", "Always fails with 503.", [_prompt("Always unavailable.")]),
    "dropper": ("dropper", "Drops the stream mid-way.", [_prompt("Streams are cut off.")]),
    "failing": ("failing", "Ends with status failed.", [_prompt("Runs fail.")]),
    "erroring": ("erroring", "Streams end with an error event.", [_prompt("Streams end with an error.")]),
    "truncated": ("truncated", "Ends incomplete (max_output_tokens).", [_prompt("Answers are cut short.")]),
    "slow": ("slow", "Streams slowly (metadata.delay seconds between deltas).", [_prompt("Answer slowly.")]),
    "long_running": ("long_running", "A run that takes metadata.duration seconds (default 0.3); use background=True.",
                     [_prompt("Work on the task for a while, then answer.")]),
    "cutoff": ("cutoff", "Its first stream is cut after 5 events; the response is stored, so it can be resumed.",
               [_prompt("Streams are cut once.")]),
    "coder": ("coder", "Code interpreter: sums a CSV's numeric columns, writes report.csv and chart.png.", [
        _prompt("Analyse the data the user gives you with Python; save results to files and link them.", tools=[coder.TOOL]),
    ]),
    "painter": ("painter", "Image generation: draws a small PNG picture of what the user asks for.", [
        _prompt("Draw what the user asks for with the image generation tool.", tools=[painter.TOOL]),
    ]),
    "mcp-oauth": ("mcp-oauth", "An MCP tool behind OAuth: asks for consent first, then runs the tool.", [
        _prompt("Use the calendar MCP tool to answer questions about the user's events.", tools=[oauth.TOOL]),
    ]),
    "memory": ("memory", "Memory search: recalls what the user said earlier, then answers with it.", [
        _prompt("Use your memory of the user to answer.", tools=[memory.TOOL]),
    ]),
    "computer": ("computer", "Computer use: asks for a screenshot, clicks, then reports (the client acts).", [
        _prompt("Operate the user's browser to do what they ask.", tools=[computer.TOOL], model="computer-use-preview"),
    ]),
    "file-searcher": ("file-searcher", "File search over the uploaded files; cites the passages it quotes.", [
        _prompt("Answer from the user's files and cite them.", tools=[file_search.TOOL]),
    ]),
    "extractor": ("extractor", "Structured outputs: the event in the text as a structured_outputs item, then a line.", [
        _prompt("Extract the event the user describes; give it as structured output."),
    ]),
    "trip-planner": ("workflow", "A workflow agent: researcher and forecast in parallel, then writer.",
                     [{"kind": "workflow"}]),
}

#: Behaviour settings of built-in agents (a workflow agent's steps).
BUILTIN_OPTIONS: dict[str, dict[str, Any]] = {
    "trip-planner": {"steps": [
        {"parallel": [{"agent": "researcher"}, {"agent": "forecast"}]},
        {"agent": "writer"},
    ]},
}


def builtin_agents() -> list[AgentVersionRecord]:
    """Fresh :class:`AgentVersionRecord` objects for every built-in agent (all versions)."""
    out = []
    for name, (behavior, description, definitions) in BUILTIN.items():
        for number, definition in enumerate(definitions, 1):
            out.append(
                AgentVersionRecord(
                    name=name,
                    version=str(number),
                    definition=dict(definition),
                    behavior=behavior,
                    description=description,
                    options=dict(BUILTIN_OPTIONS.get(name, {})),
                )
            )
    return out
