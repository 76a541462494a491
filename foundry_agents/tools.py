"""Running an agent's client-side function calls locally, written once for sync and async.

An agent declares its function tools in its definition; when it calls them, the response lists
``function_call`` items (status still ``completed``). :func:`run_with_tools` /
:func:`arun_with_tools` execute every pending call with the implementations you give (parallel
calls concurrently), send all outputs back in one request chained with
``previous_response_id``, and repeat until the agent answers. A tool that raises is reported to
the agent as an error output (``on_tool_error="report"``, the default) so one failing
sub-agent cannot crash unrelated branches; ``"raise"`` propagates instead.

Example:
    >>> result = run_with_tools(FoundryAgent("weather"), "Weather in Oslo?",  # doctest: +SKIP
    ...                         tools={"get_weather": lambda location: f"snow in {location}"})
    >>> result.response.output_text, result.usage.total_tokens  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
from collections.abc import Callable, Collection, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from .agent import FoundryAgent
from .errors import FoundryAgentsError, FoundryConfigError
from .messages import Message, ToolResultPart
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


class PendingToolCallsError(FoundryConfigError):
    """An agent's answer ended with client-side work that nobody here can do.

    That is function calls no given tool implements, or MCP approval requests where nobody can
    answer them. Such an answer has no text: merging or returning it would silently lose the work
    the agent asked for. ``owner`` names who asked (an agent, a fan-out branch), ``pending`` the
    calls' names, ``missing`` those without an implementation, ``approvals`` the tools waiting
    for approval (``server_label/name``).
    """

    def __init__(self, message: str, *, owner: str, pending: Sequence[str] = (), missing: Sequence[str] = (),
                 approvals: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.owner, self.pending, self.missing, self.approvals = owner, list(pending), list(missing), list(approvals)


def calls_to_run(owner: str, calls: Sequence[str], tools: Collection[str], *, approvals: Sequence[str] = (),
                 hint: str = "pass tools={...} with an implementation of each") -> bool:
    """The one rule for an answer that ends with client-side work (core and both adapters use it).

    ``calls`` are the names of the answer's function calls, ``tools`` the names implemented,
    ``approvals`` the MCP tools waiting for an approval the caller cannot give. Returns False when
    there is nothing to run (the answer is final), True when every call can be run locally, and
    raises :class:`PendingToolCallsError` naming ``owner`` and the pending work otherwise: never
    treat such an answer as an (empty) final text.
    """
    if approvals:
        raise PendingToolCallsError(
            f"{owner} is waiting for approval of {list(approvals)}, which cannot be given here; "
            "approve in a conversation of your own (approval_message) or set require_approval: never",
            owner=owner, pending=calls, approvals=approvals)
    if not calls:
        return False
    missing = sorted({c for c in calls if c not in tools})
    if missing:
        raise PendingToolCallsError(
            f"{owner} called {list(calls)} but no implementation was given for {missing} "
            f"(given: {sorted(tools)}), so its answer is pending function calls, not text; {hint}",
            owner=owner, pending=calls, missing=missing)
    return True


def tool_error_output(name: str, exc: BaseException) -> str:
    """What the agent is told when a tool fails: the error class and message, with the request id once."""
    text = str(exc)
    rid = getattr(exc, "request_id", None)
    suffix = f" (request id {rid})" if rid and rid not in text else ""
    return f"error: tool {name!r} failed: {type(exc).__name__}: {text}{suffix}"


def _check_tools(tools: Mapping[str, ToolImpl]) -> None:
    for name, impl in tools.items():
        if not callable(impl):
            raise FoundryConfigError(f"tool {name!r} must be callable, got {type(impl).__name__}")


def _pending_calls(response: AgentResponse, tools: Mapping[str, ToolImpl]) -> list[FunctionCallItem]:
    calls = response.function_calls
    owner = f"agent {str(response.agent) if response.agent else ''}".rstrip()
    return calls if calls_to_run(owner, [c.name for c in calls], tools) else []


def _encode(result: Any) -> Any:
    if isinstance(result, (str, int, float, bool)) or result is None:
        return result if isinstance(result, str) else json.dumps(result)
    return result  # ToolResultPart JSON-encodes the rest


def _next_input(outputs: Sequence[tuple[FunctionCallItem, Any]]) -> list[Message]:
    return [Message("tool", [ToolResultPart(call.call_id, _encode(out)) for call, out in outputs])]


def _too_many_rounds(max_rounds: int) -> FoundryAgentsError:
    return FoundryAgentsError(f"the agent kept calling tools after {max_rounds} rounds; raise max_rounds or check the tools")


@dataclass(slots=True)
class _Respond:
    """Action: call the agent with these messages and options."""

    messages: list[Message]
    options: dict[str, Any]


@dataclass(slots=True)
class _RunCalls:
    """Action: run these function calls and send back their outputs, in order."""

    calls: list[FunctionCallItem]


def _tool_loop(input: str | Sequence[Message], tools: Mapping[str, ToolImpl], max_rounds: int,
               options: dict[str, Any]) -> Generator[_Respond | _RunCalls, Any, ToolRunResult]:
    """The loop, written once (sans I/O): the sync and async shells only perform its actions."""
    _check_tools(tools)
    messages = [Message("user", input)] if isinstance(input, str) else list(input)
    response: AgentResponse = yield _Respond(messages, options)
    result = ToolRunResult(response, [response])
    # Later rounds chain from the previous response; the conversation (if any) already has it.
    follow_up = {k: v for k, v in options.items() if k != "conversation"}
    for _ in range(max_rounds):
        calls = _pending_calls(response, tools)
        if not calls:
            return result
        values: list[Any] = yield _RunCalls(calls)
        outputs = list(zip(calls, values, strict=True))
        result.calls.extend(outputs)
        response = yield _Respond(_next_input(outputs), {**follow_up, "previous_response_id": response.id})
        result.response = response
        result.responses.append(response)
    if _pending_calls(response, tools):
        raise _too_many_rounds(max_rounds)
    return result


def run_with_tools(
    agent: FoundryAgent,
    input: str | Sequence[Message],
    *,
    tools: Mapping[str, ToolImpl],
    max_rounds: int = 8,
    on_tool_error: OnToolError = "report",
    max_workers: int = 8,
    **options: Any,
) -> ToolRunResult:
    """Call ``agent`` and answer its function calls with ``tools`` until it replies (sync)."""
    loop = _tool_loop(input, tools, max_rounds, options)
    value: Any = None
    with ThreadPoolExecutor(max_workers=max_workers) as pool, agent_loop_span(agent.ref.name, agent.ref.version):
        while True:
            try:
                action = loop.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(action, _Respond):
                value = agent.respond(action.messages, **action.options)
            else:
                # Each tool runs in a copy of this context, so its spans (a sub-agent's) nest here.
                futures = [pool.submit(contextvars.copy_context().run, _call_sync, tools[c.name], c, on_tool_error)
                           for c in action.calls]
                value = [f.result() for f in futures]


async def arun_with_tools(
    agent: FoundryAgent,
    input: str | Sequence[Message],
    *,
    tools: Mapping[str, ToolImpl],
    max_rounds: int = 8,
    on_tool_error: OnToolError = "report",
    max_workers: int = 8,
    **options: Any,
) -> ToolRunResult:
    """Async twin of :func:`run_with_tools`; coroutine tools are awaited, sync ones run in threads."""
    loop = _tool_loop(input, tools, max_rounds, options)
    limit = asyncio.Semaphore(max_workers)
    value: Any = None
    with agent_loop_span(agent.ref.name, agent.ref.version):
        while True:
            try:
                action = loop.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(action, _Respond):
                value = await agent.arespond(action.messages, **action.options)
            else:
                value = await asyncio.gather(*(_call_async(tools[c.name], c, on_tool_error, limit)
                                               for c in action.calls))


def _arguments(call: FunctionCallItem) -> dict[str, Any]:
    try:
        return call.parsed_arguments()
    except ValueError as exc:
        raise FoundryConfigError(str(exc)) from exc


def _call_sync(impl: ToolImpl, call: FunctionCallItem, on_error: OnToolError) -> Any:
    with tool_span(call.name, call_id=call.call_id, arguments=call.arguments) as traced:
        try:
            value = impl(**_arguments(call))
            if inspect.isawaitable(value):
                raise FoundryConfigError(f"tool {call.name!r} is async; use arun_with_tools")
            return traced(value)
        except Exception as exc:
            if on_error == "raise" or isinstance(exc, FoundryConfigError):
                raise
            return traced(tool_error_output(call.name, exc))


async def _call_async(impl: ToolImpl, call: FunctionCallItem, on_error: OnToolError,
                      limit: asyncio.Semaphore) -> Any:
    async with limit:
        with tool_span(call.name, call_id=call.call_id, arguments=call.arguments) as traced:
            try:
                kwargs = _arguments(call)
                if inspect.iscoroutinefunction(impl):
                    return traced(await impl(**kwargs))
                value = await asyncio.to_thread(impl, **kwargs)  # copies the context: spans nest
                if inspect.isawaitable(value):
                    value = await value
                return traced(value)
            except Exception as exc:
                if on_error == "raise" or isinstance(exc, FoundryConfigError):
                    raise
                return traced(tool_error_output(call.name, exc))
