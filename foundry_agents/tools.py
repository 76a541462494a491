"""Running an agent's client-side function calls locally, written once for sync and async.

An agent declares its function tools in its definition; when it calls them, the response lists
``function_call`` items (status still ``completed``). :func:`run_with_tools` /
:func:`arun_with_tools` execute every pending call with the implementations you give, send all
outputs back in one request chained with ``previous_response_id``, and repeat until the agent
answers. A tool that raises is reported to the agent as an error output
(``on_tool_error="report"``, the default) so one failing sub-agent cannot crash unrelated
branches; ``"raise"`` propagates instead.

The loop itself is :func:`foundry_agents.orchestration.tool_loop`, the one both adapters'
``foundry_agent_tool`` and fan-out drive too, with one concurrency rule: **a turn's tool calls
run concurrently, at most ``max_workers`` (default 8) at a time: threads in sync code, tasks in
async code (sync tools there run via ``asyncio.to_thread``); a single call runs in the caller's
thread or task; outputs are sent back in call order.**

Example:
    >>> result = run_with_tools(FoundryAgent("weather"), "Weather in Oslo?",  # doctest: +SKIP
    ...                         tools={"get_weather": lambda location: f"snow in {location}"})
    >>> result.response.output_text, result.usage.total_tokens  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .agent import FoundryAgent
from .errors import FoundryConfigError
from .messages import Message, ToolResultPart
from .metadata import computer_call, consent_request
from .orchestration import (
    DEFAULT_MAX_WORKERS,
    LoopResult,
    Pending,
    PendingToolCallsError,
    adrive,
    blocked_work,
    calls_to_run,
    drive,
    tool_error_output,
    tool_loop,
)
from .response import AgentResponse, FunctionCallItem
from .telemetry import agent_loop_span, tool_span
from .usage import Usage

__all__ = [
    "PendingToolCallsError",
    "ToolRunResult",
    "arun_with_tools",
    "calls_to_run",
    "run_with_tools",
    "tool_error_output",
]

ToolImpl = Callable[..., Any]
OnToolError = Literal["report", "raise"]


@dataclass(slots=True)
class ToolRunResult:
    """The final response, every response on the way, and their summed usage."""

    response: AgentResponse
    responses: list[AgentResponse] = field(default_factory=list)
    calls: list[tuple[FunctionCallItem, Any]] = field(default_factory=list)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for r in self.responses:
            if r.usage is not None:
                total = total + r.usage
        return total


def _check_tools(tools: Mapping[str, ToolImpl]) -> None:
    for name, impl in tools.items():
        if not callable(impl):
            raise FoundryConfigError(f"tool {name!r} must be callable, got {type(impl).__name__}")



def _encode(result: Any) -> Any:
    if isinstance(result, (str, int, float, bool)) or result is None:
        return result if isinstance(result, str) else json.dumps(result)
    return result  # ToolResultPart JSON-encodes the rest


def _loop(agent: FoundryAgent, input: str | Sequence[Message], tools: Mapping[str, ToolImpl], max_rounds: int,
          options: dict[str, Any]) -> Any:
    """The core's use of the one loop: payloads are ``(messages, options)``, chained by response id."""
    _check_tools(tools)
    messages = [Message("user", input)] if isinstance(input, str) else list(input)
    # Later rounds chain from the previous response; the conversation (if any) already has it.
    later = {k: v for k, v in options.items() if k != "conversation"}

    def pending(response: AgentResponse) -> Pending:
        calls = response.function_calls
        # Approvals stay the caller's to answer on the returned response; a consent or a computer
        # call cannot be chained past, so the loop stops with an error that names it.
        blocked = blocked_work([consent_request(c) for c in response.oauth_consent_requests],
                               [computer_call(c) for c in response.computer_calls])
        return Pending(calls, [c.name for c in calls], blocked=blocked)

    def follow_up(response: AgentResponse, outputs: list[tuple[FunctionCallItem, Any]]) -> Any:
        results = [ToolResultPart(call.call_id, _encode(out)) for call, out in outputs]
        return [Message("tool", results)], {**later, "previous_response_id": response.id}

    owner = f"agent {agent.ref}"
    return tool_loop((messages, options), tools=tools, pending=pending, follow_up=follow_up, owner=owner,
                     max_rounds=max_rounds)


def _result(done: LoopResult) -> ToolRunResult:
    return ToolRunResult(done.reply, list(done.replies), list(done.calls))


def run_with_tools(
    agent: FoundryAgent,
    input: str | Sequence[Message],
    *,
    tools: Mapping[str, ToolImpl],
    max_rounds: int = 8,
    on_tool_error: OnToolError = "report",
    max_workers: int = DEFAULT_MAX_WORKERS,
    **options: Any,
) -> ToolRunResult:
    """Call ``agent`` and answer its function calls with ``tools`` until it replies (sync).

    A turn's calls run concurrently in threads, ``max_workers`` at a time; outputs go back in
    call order (:mod:`foundry_agents.orchestration`).
    """
    with agent_loop_span(agent.ref.name, agent.ref.version):
        return _result(drive(
            _loop(agent, input, tools, max_rounds, options),
            ask=lambda payload: agent.respond(payload[0], **payload[1]),
            run_call=lambda call: _call_sync(tools[call.name], call, on_tool_error),
            max_workers=max_workers))


async def arun_with_tools(
    agent: FoundryAgent,
    input: str | Sequence[Message],
    *,
    tools: Mapping[str, ToolImpl],
    max_rounds: int = 8,
    on_tool_error: OnToolError = "report",
    max_workers: int = DEFAULT_MAX_WORKERS,
    **options: Any,
) -> ToolRunResult:
    """Async twin of :func:`run_with_tools`; coroutine tools are awaited, sync ones run in threads.

    A turn's calls run as concurrent tasks, ``max_workers`` at a time; outputs go back in call order.
    """
    async def ask(payload: Any) -> AgentResponse:
        return await agent.arespond(payload[0], **payload[1])

    with agent_loop_span(agent.ref.name, agent.ref.version):
        return _result(await adrive(
            _loop(agent, input, tools, max_rounds, options), ask=ask,
            run_call=lambda call: _call_async(tools[call.name], call, on_tool_error),
            max_workers=max_workers))


def _arguments(call: FunctionCallItem) -> dict[str, Any]:
    try:
        return call.parsed_arguments()
    except ValueError as exc:
        raise FoundryConfigError(str(exc)) from exc


def _failed(call: FunctionCallItem, exc: Exception, on_error: OnToolError) -> str:
    """The error output of a failed call, or re-raise (``"raise"``, or a mistake of the caller's)."""
    if on_error == "raise" or isinstance(exc, FoundryConfigError):
        raise exc
    return tool_error_output(call.name, exc)


def _call_sync(impl: ToolImpl, call: FunctionCallItem, on_error: OnToolError) -> Any:
    # The loop runs each call in a copy of the caller's context, so a sub-agent's spans nest here.
    with tool_span(call.name, call_id=call.call_id, arguments=call.arguments) as traced:
        try:
            value = impl(**_arguments(call))
            if inspect.isawaitable(value):
                raise FoundryConfigError(f"tool {call.name!r} is async; use arun_with_tools")
            return traced(value)
        except Exception as exc:
            return traced(_failed(call, exc, on_error))


async def _call_async(impl: ToolImpl, call: FunctionCallItem, on_error: OnToolError) -> Any:
    with tool_span(call.name, call_id=call.call_id, arguments=call.arguments) as traced:
        try:
            kwargs = _arguments(call)
            if inspect.iscoroutinefunction(impl):
                return traced(await impl(**kwargs))
            value = await asyncio.to_thread(impl, **kwargs)
            return traced((await value) if inspect.isawaitable(value) else value)
        except Exception as exc:
            return traced(_failed(call, exc, on_error))
