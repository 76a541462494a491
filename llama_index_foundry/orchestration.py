"""Agent-of-agents in LlamaIndex: Foundry agents as ``FunctionTool``s, and a fan-out workflow.

:func:`foundry_agent_tool` wraps a Foundry agent as a ``FunctionTool`` (a string question in,
the answer out, sync and async) for any orchestrator: a ``FunctionAgent`` or ``AgentWorkflow``,
or a Foundry agent such as ``triage`` used as the orchestrator's LLM. Sub-agent calls go through
:class:`~llama_index_foundry.FoundryAgentLLM`, so LlamaIndex instrumentation and
``TokenCountingHandler`` see every one of them. A sub-agent that needs client-side tools of its own
gets them with ``tools=``. A failing sub-agent returns a clear error text to the orchestrator
instead of crashing it.

The sub-agent's tool loop is the core's (:mod:`foundry_agents.orchestration`), with its one
concurrency rule: a turn's tool calls run concurrently, at most ``max_workers`` (default 8) at a
time: threads in ``call``/``chat``, tasks in ``acall``/``achat``; their outputs go back in call order.

:class:`FanOutWorkflow` asks several agents the same question concurrently and has another agent
merge their answers.

Example:
    >>> from llama_index.core.agent.workflow import FunctionAgent  # doctest: +SKIP
    >>> agent = FunctionAgent(llm=FoundryAgentLLM("triage", project_endpoint=ep), tools=[
    ...     foundry_agent_tool("weather", project_endpoint=ep, tools=[get_weather]),
    ...     foundry_agent_tool("researcher", project_endpoint=ep)])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.tools import BaseTool, FunctionTool, ToolSelection
from llama_index.core.tools.types import AsyncBaseTool, adapt_to_async_tool
from llama_index.core.workflow import Context, Event, StartEvent, StopEvent, Workflow, step

from foundry_agents import orchestration as core
from foundry_agents.errors import FoundryAgentsError
from foundry_agents.telemetry import tool_span

from .base import FoundryAgentLLM

__all__ = ["AgentAnswer", "FanOutWorkflow", "foundry_agent_tool"]


def _as_tools(tools: Sequence[BaseTool | Callable[..., Any]]) -> dict[str, AsyncBaseTool]:
    built = [adapt_to_async_tool(t if isinstance(t, BaseTool) else FunctionTool.from_defaults(fn=t)) for t in tools]
    return {str(t.metadata.name): t for t in built}


class _SubAgent:
    """One sub-agent call with the core's tool loop (shared by the tool functions and the fan-out)."""

    def __init__(self, llm: FoundryAgentLLM, tools: Mapping[str, AsyncBaseTool], name: str,
                 conversation_id: str | None, max_rounds: int, *, owner: str | None = None,
                 hint: str = "pass tools=[...]", max_workers: int = core.DEFAULT_MAX_WORKERS) -> None:
        core.check_limits(max_rounds=max_rounds, max_workers=max_workers)
        self.llm, self.tools, self.name = llm, tools, name
        self.kwargs = {"conversation_id": conversation_id} if conversation_id else {}
        self.max_rounds, self.max_workers = max_rounds, max_workers
        self.owner, self.hint = owner or f"sub-agent {name!r}", hint

    def _pending(self, response: Any) -> core.Pending:
        calls = list(self.llm.get_tool_calls_from_response(response, error_on_no_tool_call=False))
        facts = response.message.additional_kwargs
        approvals = core.approval_names(facts.get("approval_requests", []))
        # An OAuth consent or a computer call cannot be done inside the loop: it stops with an error
        # naming it (PendingToolCallsError.blocked), never with the empty text of such an answer.
        blocked = core.blocked_work(facts.get("oauth_consent_requests", []), facts.get("computer_calls", []))
        return core.Pending(calls, [c.tool_name for c in calls], approvals, blocked)

    def _loop(self, question: str) -> core.Loop:
        """The core's loop over a LlamaIndex history: each follow-up sends the whole history so far."""
        history = [ChatMessage(role=MessageRole.USER, content=question)]

        def follow_up(response: Any, outputs: list[tuple[ToolSelection, ChatMessage]]) -> list[ChatMessage]:
            history.extend([response.message, *(out for _, out in outputs)])
            return list(history)

        return core.tool_loop(list(history), tools=self.tools, pending=self._pending, follow_up=follow_up,
                         owner=self.owner, hint=self.hint, max_rounds=self.max_rounds)

    @staticmethod
    def _tool_message(call: ToolSelection, output: Any) -> ChatMessage:
        return ChatMessage(role=MessageRole.TOOL, content=str(output),
                           additional_kwargs={"tool_call_id": call.tool_id, "name": call.tool_name})

    @staticmethod
    def _text(response: Any) -> str:
        return str(response.message.content or "")

    def answer(self, question: str) -> str:
        """The sub-agent's final text; raises what went wrong. A turn's calls run in threads."""
        done = core.drive(self._loop(question), ask=lambda history: self.llm.chat(history, **self.kwargs),
                     run_call=lambda c: self._tool_message(c, self._call(c)),
                     max_workers=self.max_workers)
        return self._text(done.reply)

    async def aanswer(self, question: str) -> str:
        """Async twin of :meth:`answer`: a turn's calls run as concurrent tasks."""
        async def ask(history: list[ChatMessage]) -> Any:
            return await self.llm.achat(history, **self.kwargs)

        async def run_call(call: ToolSelection) -> ChatMessage:
            return self._tool_message(call, await self._acall(call))

        done = await core.adrive(self._loop(question), ask=ask, run_call=run_call, max_workers=self.max_workers)
        return self._text(done.reply)

    def _call(self, call: ToolSelection) -> Any:
        with tool_span(call.tool_name, call_id=call.tool_id, arguments=call.tool_kwargs) as traced:
            return traced(self.tools[call.tool_name].call(**call.tool_kwargs))

    async def _acall(self, call: ToolSelection) -> Any:
        with tool_span(call.tool_name, call_id=call.tool_id, arguments=call.tool_kwargs) as traced:
            return traced(await self.tools[call.tool_name].acall(**call.tool_kwargs))

    def run(self, question: str) -> str:
        try:
            return self.answer(question)
        except (FoundryAgentsError, ValueError) as exc:
            return core.tool_error_output(self.name, exc)

    async def arun(self, question: str) -> str:
        try:
            return await self.aanswer(question)
        except (FoundryAgentsError, ValueError) as exc:
            return core.tool_error_output(self.name, exc)


def foundry_agent_tool(
    agent: str | FoundryAgentLLM,
    *,
    name: str | None = None,
    description: str | None = None,
    tools: Sequence[BaseTool | Callable[..., Any]] = (),
    conversation_id: str | None = None,
    max_rounds: int = 8,
    max_workers: int = core.DEFAULT_MAX_WORKERS,
    **llm_kwargs: Any,
) -> FunctionTool:
    """Wrap a Foundry agent as a ``FunctionTool`` named ``ask_<agent name>`` (or ``name``).

    Args:
        agent: an agent reference (``"weather"``, ``"weather:2"``) or a ready ``FoundryAgentLLM``.
        tools: implementations of the sub-agent's own function tools (``FunctionTool`` or callables).
        conversation_id: keep the sub-agent's memory in this server-side conversation.
        max_rounds / max_workers: at most this many rounds of the sub-agent's tool calls; at most
            this many of one round's calls at once (they run concurrently, see the module docstring).
        llm_kwargs: ``FoundryAgentLLM`` arguments when ``agent`` is a string.
    """
    if llm_kwargs and isinstance(agent, FoundryAgentLLM):
        raise TypeError("pass LLM arguments only when 'agent' is a string")
    llm = agent if isinstance(agent, FoundryAgentLLM) else FoundryAgentLLM(agent, **llm_kwargs)
    ref = llm.foundry_agent.ref
    tool_name = name or core.agent_tool_name(ref.name)
    sub = _SubAgent(llm, _as_tools(tools), tool_name, conversation_id, max_rounds, max_workers=max_workers)

    def ask(question: str) -> str:
        """Ask the agent a question in plain language; returns its answer."""
        with tool_span(tool_name, arguments={"question": question}) as traced:
            return traced(sub.run(question))  # type: ignore[no-any-return]

    async def aask(question: str) -> str:
        """Ask the agent a question in plain language; returns its answer."""
        with tool_span(tool_name, arguments={"question": question}) as traced:
            return traced(await sub.arun(question))  # type: ignore[no-any-return]

    return FunctionTool.from_defaults(
        fn=ask, async_fn=aask, name=tool_name,
        description=description or f"{tool_name}(question: str) -> str: ask the Foundry agent '{ref}' a "
                                   "question in plain language; returns its answer.",
    )


class _Ask(Event):
    name: str
    question: str


class AgentAnswer(Event):
    """One agent's answer inside :class:`FanOutWorkflow`."""

    name: str
    answer: str


class FanOutWorkflow(Workflow):
    """Ask every agent the same question concurrently, then let ``merger`` combine the answers.

    A branch whose agent answers with function calls (as ``weather`` does) runs them with its
    tools from ``tools`` (``{"weather": [get_weather]}``) until it answers; without them the run
    raises :class:`~foundry_agents.tools.PendingToolCallsError` naming the branch and the calls,
    rather than merging an empty answer. Other failures become that branch's error text.

    Example:
        >>> wf = FanOutWorkflow(agents={"weather": llm_a, "research": llm_b}, merger=llm_c)  # doctest: +SKIP
        >>> await wf.run(question="Should I visit Paris this weekend?")  # doctest: +SKIP
    """

    def __init__(self, *, agents: Mapping[str, FoundryAgentLLM], merger: FoundryAgentLLM,
                 prompt: str = core.MERGE_PROMPT,
                 tools: Mapping[str, Sequence[BaseTool | Callable[..., Any]]] | None = None,
                 max_rounds: int = 8, max_workers: int = core.DEFAULT_MAX_WORKERS, **kwargs: Any) -> None:
        if not agents:
            raise ValueError("FanOutWorkflow needs at least one agent")
        tools = dict(tools or {})
        if unknown := sorted(set(tools) - set(agents)):
            raise ValueError(f"FanOutWorkflow tools= names branches that do not exist: {unknown} "
                             f"(branches: {sorted(agents)})")
        kwargs.setdefault("timeout", 120.0)
        super().__init__(**kwargs)
        self.agents, self.merger, self.prompt = dict(agents), merger, prompt
        self._branches = {
            name: _SubAgent(llm, _as_tools(tools.get(name, ())), name, None, max_rounds,
                            owner=f"fan-out branch {name!r}",
                            hint=f"pass FanOutWorkflow(..., tools={{{name!r}: [...]}}) to run them",
                            max_workers=max_workers)
            for name, llm in self.agents.items()
        }

    @step
    async def fan_out(self, ctx: Context, ev: StartEvent) -> _Ask | None:
        question = str(ev.get("question"))
        await ctx.store.set("question", question)
        for name in self.agents:
            ctx.send_event(_Ask(name=name, question=question))
        return None

    @step(num_workers=8)
    async def ask(self, ev: _Ask) -> AgentAnswer:
        try:
            answer = await self._branches[ev.name].aanswer(ev.question)
        except core.PendingToolCallsError:
            raise
        except FoundryAgentsError as exc:
            answer = core.tool_error_output(ev.name, exc)
        return AgentAnswer(name=ev.name, answer=answer)

    @step
    async def fan_in(self, ctx: Context, ev: AgentAnswer) -> StopEvent | None:
        answers = ctx.collect_events(ev, [AgentAnswer] * len(self.agents))
        if answers is None:
            return None
        by_name = {a.name: a.answer for a in answers}
        listing = "\n".join(f"- {name}: {by_name[name]}" for name in self.agents)
        question = await ctx.store.get("question")
        merged = await self.merger.achat([ChatMessage(role=MessageRole.USER,
                                                      content=self.prompt.format(question=question, answers=listing))])
        return StopEvent(result={"answer": str(merged.message.content or ""), "answers": by_name})
