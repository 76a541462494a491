"""The agent-as-tool loop, written once (sans I/O) for the core and both adapters.

An agent that answers with function calls wants them run and their outputs sent back until it
answers with text. :func:`tool_loop` is that loop as a generator of actions: :class:`Ask` (call
the model or agent with this payload, send back its reply) and :class:`RunCalls` (run these
calls, send back their outputs in the same order). It never does I/O; the caller says how to
read a reply (``pending``) and how to build the next payload (``follow_up``). :func:`drive` and
:func:`adrive` perform the actions; an adapter only supplies how to call its model and how to
run one tool with its framework's callbacks and instrumentation.

Concurrency rule (the same for :func:`~foundry_agents.tools.run_with_tools`, LangChain's and
LlamaIndex's ``foundry_agent_tool`` and fan-out, sync and async): **a turn's tool calls run
concurrently, at most** ``max_workers`` **(default 8) at a time: in threads in sync code, in
tasks on the running event loop in async code; a single call runs in the caller's thread or
task. Their outputs are sent back in call order**, whichever finishes first. Each thread runs in
a copy of the caller's ``contextvars`` context, so tracing and instrumentation parents hold.

Also here: what every adapter shares about sub-agents (the ``ask_<name>`` tool name, the
fan-out :data:`MERGE_PROMPT`) and the one rule for an answer that ends with work nobody here
can do (:func:`calls_to_run`, :class:`PendingToolCallsError`).

Example:
    >>> loop = tool_loop("hi", tools={}, pending=lambda reply: Pending(), follow_up=None, owner="agent x")
    >>> drive(loop, ask=lambda payload: f"echo {payload}", run_call=print).reply
    'echo hi'
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from collections.abc import Awaitable, Callable, Collection, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .errors import FoundryAgentsError, FoundryConfigError

__all__ = [
    "MERGE_PROMPT",
    "Ask",
    "BlockedWork",
    "LoopResult",
    "Pending",
    "PendingToolCallsError",
    "RunCalls",
    "adrive",
    "agent_tool_name",
    "approval_names",
    "blocked_work",
    "calls_to_run",
    "check_limits",
    "drive",
    "tool_error_output",
    "tool_loop",
]

#: The fan-out merger's prompt (``{question}``, ``{answers}``: one ``- name: answer`` line per branch).
MERGE_PROMPT = (
    "Question: {question}\n\n"
    "Answers from specialist agents:\n{answers}\n\n"
    "Combine these answers into one complete reply to the question."
)

#: How many of a turn's tool calls run at once unless told otherwise.
DEFAULT_MAX_WORKERS = 8


def agent_tool_name(agent_name: str) -> str:
    """The tool name of a sub-agent: ``ask_<name>`` with characters tools cannot carry as ``_``.

    Example:
        >>> agent_tool_name("weather.v2")
        'ask_weather_v2'
    """
    return "ask_" + re.sub(r"[^A-Za-z0-9_-]", "_", agent_name)


class PendingToolCallsError(FoundryConfigError):
    """An agent's answer ended with client-side work that nobody here can do.

    That is function calls no given tool implements, MCP approval requests where nobody can
    answer them, or work no loop can do for the user (an OAuth consent to give in a browser, a
    computer-use action). Such an answer has no text: merging or returning it would silently lose
    the work the agent asked for. ``owner`` names who asked (an agent, a fan-out branch),
    ``pending`` the calls' names, ``missing`` those without an implementation, ``approvals`` the
    tools waiting for approval (``server_label/name``), ``blocked`` the rest (:func:`blocked_work`).
    """

    def __init__(self, message: str, *, owner: str, pending: Sequence[str] = (), missing: Sequence[str] = (),
                 approvals: Sequence[str] = (), blocked: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.owner, self.pending, self.missing, self.approvals = owner, list(pending), list(missing), list(approvals)
        self.blocked = list(blocked)
        #: The reply that ended with the work, when a loop raised this (an ``AgentResponse`` in the core,
        #: the framework's message in an adapter): continue from it yourself.
        self.reply: Any = None


def calls_to_run(owner: str, calls: Sequence[str], tools: Collection[str], *, approvals: Sequence[str] = (),
                 blocked: Sequence[str] = (), hint: str = "pass tools={...} with an implementation of each") -> bool:
    """The one rule for an answer that ends with client-side work (core and both adapters use it).

    ``calls`` are the names of the answer's function calls, ``tools`` the names implemented,
    ``approvals`` the MCP tools waiting for an approval the caller cannot give, ``blocked`` other
    work no loop can do (:func:`blocked_work`: OAuth consents, computer calls). Returns False when
    there is nothing to run (the answer is final), True when every call can be run locally, and
    raises :class:`PendingToolCallsError` naming ``owner`` and the pending work otherwise: never
    treat such an answer as an (empty) final text.
    """
    if blocked:
        raise PendingToolCallsError(
            f"{owner} is waiting for {'; '.join(blocked)}, which cannot be done here; {_blocked_hint(blocked)}",
            owner=owner, pending=calls, approvals=approvals, blocked=blocked)
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


def approval_names(requests: Sequence[Mapping[str, Any]]) -> list[str]:
    """``server_label/name`` of each pending approval request (as :func:`calls_to_run` reports them)."""
    return [f"{r.get('server_label')}/{r.get('name')}" for r in requests]


class BlockedWork(str):
    """One piece of work no loop can do, as :func:`calls_to_run` reports it: the text names it,
    ``kind`` says what it is (``"oauth_consent"`` or ``"computer_call"``), so the error can say how
    to answer it."""

    kind: str

    def __new__(cls, text: str, kind: str) -> BlockedWork:
        self = super().__new__(cls, text)
        self.kind = kind
        return self

    # Copies and pickles keep kind (errors cross process bounds, e.g. from Ray workers).
    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.kind


#: How to answer each kind of blocked work, in the words of :class:`PendingToolCallsError`.
_ANSWERS = {
    "oauth_consent": "open each consent link and sign in, then send the same turn again (resend_after_consent)",
    "computer_call": "do each computer action and answer it with a screenshot (computer_call_output)",
}


def _blocked_hint(blocked: Sequence[str]) -> str:
    kinds = dict.fromkeys(getattr(b, "kind", "") for b in blocked)  # in order, once each
    answers = [_ANSWERS[k] for k in kinds if k in _ANSWERS]
    return "call the agent yourself: " + "; ".join(answers) if answers else "call the agent yourself and answer it"


def blocked_work(consents: Sequence[Mapping[str, Any]] = (),
                 computer_calls: Sequence[Mapping[str, Any]] = ()) -> list[str]:
    """What a reply waits for that no loop can do, as :func:`calls_to_run` reports it: each OAuth
    consent (``server_label`` and ``consent_link``) and computer call (``call_id``, action type),
    from the ``oauth_consent_requests`` / ``computer_calls`` entries of the response facts. Each
    entry is a :class:`BlockedWork` (a ``str`` with its ``kind``).

    Example:
        >>> blocked_work([{"server_label": "github", "consent_link": "https://login/x"}])
        ['OAuth consent for github at https://login/x']
    """
    out: list[str] = [BlockedWork(f"OAuth consent for {c.get('server_label') or 'an MCP tool'} at {c.get('consent_link')}",
                       "oauth_consent") for c in consents]
    for call in computer_calls:
        action = call.get("action")
        kind = action.get("type") if isinstance(action, Mapping) else None
        if kind is None and call.get("actions"):
            kind = "batch"
        out.append(BlockedWork(f"computer call {call.get('call_id')} ({kind or 'action'})", "computer_call"))
    return out


def tool_error_output(name: str, exc: BaseException) -> str:
    """What the agent is told when a tool fails: the error class and message, with the request id once."""
    text = str(exc)
    rid = getattr(exc, "request_id", None)
    suffix = f" (request id {rid})" if rid and rid not in text else ""
    return f"error: tool {name!r} failed: {type(exc).__name__}: {text}{suffix}"


# -- the loop -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Pending:
    """What a reply asks for: the calls to run, their tool names, approvals waiting (``server/name``),
    and work no loop can do (:func:`blocked_work`)."""

    calls: list[Any] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    approvals: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Ask:
    """Action: call the model or agent with ``payload``; send its reply back into the loop."""

    payload: Any


@dataclass(slots=True)
class RunCalls:
    """Action: run these calls; send back their outputs as a list in the same order."""

    calls: list[Any]


@dataclass(slots=True)
class LoopResult:
    """The final reply, every reply on the way, and each call run with its output."""

    reply: Any
    replies: list[Any] = field(default_factory=list)
    calls: list[tuple[Any, Any]] = field(default_factory=list)


Loop = Generator["Ask | RunCalls", Any, LoopResult]


def tool_loop(first: Any, *, tools: Collection[str], pending: Callable[[Any], Pending],
              follow_up: Callable[[Any, list[tuple[Any, Any]]], Any] | None, owner: str,
              hint: str = "pass tools={...} with an implementation of each", max_rounds: int = 8) -> Loop:
    """Ask with ``first``; while the reply has calls, run them and ask with ``follow_up(reply, outputs)``.

    ``pending(reply)`` says what a reply asks for; :func:`calls_to_run` decides whether that is
    final, runnable, or an error naming ``owner`` (with ``hint``). After ``max_rounds`` rounds of
    calls, a reply that still has calls raises :class:`~foundry_agents.errors.FoundryAgentsError`.
    """
    check_limits(max_rounds=max_rounds)
    reply = yield Ask(first)
    result = LoopResult(reply, [reply])
    for _ in range(max_rounds):
        work = pending(reply)
        try:
            runnable = calls_to_run(owner, work.names, tools, approvals=work.approvals, blocked=work.blocked,
                                    hint=hint)
        except PendingToolCallsError as exc:
            exc.reply = reply
            raise
        if not runnable:
            return result
        outputs = yield RunCalls(list(work.calls))
        pairs = list(zip(work.calls, outputs, strict=True))
        result.calls.extend(pairs)
        assert follow_up is not None, "a loop that runs calls needs follow_up"
        reply = yield Ask(follow_up(reply, pairs))
        result.reply = reply
        result.replies.append(reply)
    work = pending(reply)
    if calls_to_run(owner, work.names, tools, approvals=work.approvals, blocked=work.blocked, hint=hint):
        raise FoundryAgentsError(f"{owner} kept calling tools after {max_rounds} rounds; "
                                 "raise max_rounds or check the tools")
    return result


def check_limits(**limits: int) -> None:
    """Raise :class:`~foundry_agents.errors.FoundryConfigError` unless each limit (``max_rounds``,
    ``max_workers``) is a positive integer; entry points call it before any network call."""
    for name, value in limits.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FoundryConfigError(f"{name} must be a positive integer, got {value!r}")


def drive(loop: Loop, *, ask: Callable[[Any], Any], run_call: Callable[[Any], Any],
          max_workers: int = DEFAULT_MAX_WORKERS) -> LoopResult:
    """Perform ``loop``'s actions in this thread; a turn's calls run in a bounded thread pool."""
    check_limits(max_workers=max_workers)
    value: Any = None
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="foundry-tool") as pool:
        while True:
            try:
                action = loop.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(action, Ask):
                value = ask(action.payload)
            elif len(action.calls) == 1:
                value = [run_call(action.calls[0])]
            else:  # each thread gets its own copy of the caller's context (tracing parents)
                futures = [pool.submit(contextvars.copy_context().run, run_call, c) for c in action.calls]
                value = [f.result() for f in futures]


async def adrive(loop: Loop, *, ask: Callable[[Any], Awaitable[Any]], run_call: Callable[[Any], Awaitable[Any]],
                 max_workers: int = DEFAULT_MAX_WORKERS) -> LoopResult:
    """Async twin of :func:`drive`: a turn's calls run as concurrent tasks, ``max_workers`` at a time."""
    check_limits(max_workers=max_workers)
    limit = asyncio.Semaphore(max_workers)

    async def bounded(call: Any) -> Any:
        async with limit:
            return await run_call(call)

    value: Any = None
    while True:
        try:
            action = loop.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(action, Ask):
            value = await ask(action.payload)
        else:
            value = list(await asyncio.gather(*(bounded(c) for c in action.calls)))
