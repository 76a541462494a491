"""Agent-of-agents in LangChain: Foundry agents as tools of any orchestrator, and fan-out/fan-in.

:func:`foundry_agent_tool` wraps a Foundry agent as a LangChain tool (a string question in, the
answer out, sync and async). The sub-agent runs as a child of the tool run, so LangChain
callbacks, ``astream_events`` and usage callbacks see every sub-agent call under the tool that
made it. A sub-agent that needs client-side tools of its own (the ``weather`` agent needs
``get_weather``) gets them with ``tools=``; its function calls are run locally. A failing
sub-agent (404, refused field, broken stream) reaches the orchestrator as a tool error message,
never as a crash of unrelated branches. A sub-agent waiting for an OAuth consent, or for a
computer-use action when no ``computer_use`` tool is given, raises
:class:`~foundry_agents.orchestration.PendingToolCallsError` (its ``blocked`` names the work)
instead of answering with empty text; with a ``computer_use`` tool its calls run like any other.

The sub-agent's tool loop is the core's (:mod:`foundry_agents.orchestration`), with its one
concurrency rule: a turn's tool calls run concurrently, at most ``max_workers`` (default 8) at a
time: threads in ``invoke``, tasks in ``ainvoke``; their outputs go back in call order.

Example:
    >>> from langchain.agents import create_agent  # doctest: +SKIP
    >>> orchestrator = create_agent(ChatFoundryAgent("triage", project_endpoint=ep), tools=[
    ...     foundry_agent_tool("weather", project_endpoint=ep, tools=[get_weather]),
    ...     foundry_agent_tool("researcher", project_endpoint=ep)])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import (
    Runnable,
    RunnableConfig,
    RunnableLambda,
    RunnableParallel,
    RunnablePassthrough,
)
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from langchain_core.tools import tool as as_tool
from pydantic import BaseModel, Field

from foundry_agents import orchestration as core
from foundry_agents.errors import FoundryAgentsError
from foundry_agents.telemetry import tool_span

from ._messages import COMPUTER_TOOL
from .chat_models import ChatFoundryAgent

__all__ = ["fan_out", "foundry_agent_tool"]


class _Question(BaseModel):
    question: str = Field(description="The question or task for the agent, in plain language.")


def _as_tools(tools: Sequence[BaseTool | Callable[..., Any]]) -> dict[str, BaseTool]:
    built = [t if isinstance(t, BaseTool) else as_tool(t) for t in tools]
    return {t.name: t for t in built}


def foundry_agent_tool(
    agent: str | ChatFoundryAgent,
    *,
    name: str | None = None,
    description: str | None = None,
    tools: Sequence[BaseTool | Callable[..., Any]] = (),
    conversation_id: str | None = None,
    max_rounds: int = 8,
    max_workers: int = core.DEFAULT_MAX_WORKERS,
    **model_kwargs: Any,
) -> StructuredTool:
    """Wrap a Foundry agent as a LangChain tool named ``ask_<agent name>`` (or ``name``).

    Args:
        agent: an agent reference (``"weather"``, ``"weather:2"``) or a ready ``ChatFoundryAgent``.
        tools: client-side implementations of the sub-agent's own function tools.
        conversation_id: keep the sub-agent's memory in this server-side conversation.
        max_rounds / max_workers: at most this many rounds of the sub-agent's tool calls; at most
            this many of one round's calls at once (they run concurrently, see the module docstring).
        model_kwargs: ``ChatFoundryAgent`` arguments when ``agent`` is a string
            (``project_endpoint``, ``api_key``, ``credential``, ...).
    """
    core.check_limits(max_rounds=max_rounds, max_workers=max_workers)
    model = agent if isinstance(agent, ChatFoundryAgent) else ChatFoundryAgent(agent, **model_kwargs)
    if model_kwargs and isinstance(agent, ChatFoundryAgent):
        raise TypeError("pass model arguments only when 'agent' is a string")
    impls = _as_tools(tools)
    bound: Runnable[LanguageModelInput, BaseMessage] = (
        model.bind_tools(list(impls.values()), check_agent_tools=False) if impls else model
    )
    call_kwargs: dict[str, Any] = {"conversation_id": conversation_id} if conversation_id else {}
    tool_name = name or core.agent_tool_name(model.foundry_agent.ref.name)

    def fail(exc: BaseException) -> ToolException:
        return ToolException(core.tool_error_output(tool_name, exc))

    def run(question: str, run_manager: CallbackManagerForToolRun | None = None) -> str:
        config: RunnableConfig = {"callbacks": run_manager.get_child() if run_manager else None}
        with tool_span(tool_name, arguments={"question": question}) as traced:
            try:
                return traced(_answer(bound, impls, question, config,  # type: ignore[no-any-return]
                                      owner=f"sub-agent {tool_name!r}", max_rounds=max_rounds,
                                      kwargs=call_kwargs, max_workers=max_workers))
            except (FoundryAgentsError, ToolException, ValueError) as exc:
                raise fail(exc) from exc

    async def arun(question: str, run_manager: AsyncCallbackManagerForToolRun | None = None) -> str:
        config: RunnableConfig = {"callbacks": run_manager.get_child() if run_manager else None}
        with tool_span(tool_name, arguments={"question": question}) as traced:
            try:
                return traced(await _aanswer(bound, impls, question, config,  # type: ignore[no-any-return]
                                             owner=f"sub-agent {tool_name!r}", max_rounds=max_rounds,
                                             kwargs=call_kwargs, max_workers=max_workers))
            except (FoundryAgentsError, ToolException, ValueError) as exc:
                raise fail(exc) from exc

    return StructuredTool.from_function(
        func=run,
        coroutine=arun,
        name=tool_name,
        description=description
        or f"Ask the Foundry agent '{model.foundry_agent.ref}' a question in plain language; returns its answer.",
        args_schema=_Question,
        handle_tool_error=True,
    )


def _pending(reply: Any, impls: Mapping[str, BaseTool]) -> core.Pending:
    """A reply's tool calls, the approvals it waits for, and the work no loop can do: an OAuth consent,
    and a computer call when no ``computer_use`` tool is given (the core's :func:`calls_to_run` decides)."""
    if not isinstance(reply, AIMessage):
        return core.Pending()
    calls = list(reply.tool_calls)
    meta = reply.response_metadata
    approvals = core.approval_names(meta.get("pending_approvals", []))
    computer = [] if COMPUTER_TOOL in impls else meta.get("computer_calls", [])
    blocked = core.blocked_work(meta.get("oauth_consent_requests", []), computer)
    return core.Pending(calls, [c["name"] for c in calls], approvals, blocked)


def _text(reply: Any) -> str:
    return reply.text if isinstance(reply, BaseMessage) else str(reply)


def _loop(impls: Mapping[str, BaseTool], question: Any, *, owner: str, max_rounds: int,
          hint: str = "pass tools=[...]") -> core.Loop:
    """The core's loop over a LangChain history: each follow-up sends the whole history so far."""
    history: list[BaseMessage] = [HumanMessage(question) if isinstance(question, str) else question]

    def follow_up(reply: Any, outputs: list[tuple[ToolCall, Any]]) -> list[BaseMessage]:
        history.extend([reply, *(out for _, out in outputs)])
        return list(history)

    return core.tool_loop(question, tools=impls, pending=lambda reply: _pending(reply, impls), follow_up=follow_up, owner=owner, hint=hint,
                     max_rounds=max_rounds)


def _run_tool(tool: BaseTool, call: ToolCall, config: RunnableConfig) -> Any:
    with tool_span(call["name"], call_id=call.get("id"), arguments=call["args"]) as traced:
        return traced(tool.invoke(call, config=config))


def _answer(runnable: Runnable[Any, Any], impls: Mapping[str, BaseTool], question: Any, config: RunnableConfig, *,
            owner: str, max_rounds: int, kwargs: Mapping[str, Any], hint: str = "pass tools=[...]",
            max_workers: int = core.DEFAULT_MAX_WORKERS) -> str:
    """Ask ``runnable`` and run the tools it calls until it answers with text (sync).

    A turn's tool calls run concurrently in threads (the core's rule), each a child run of ``config``.
    """
    done = core.drive(_loop(impls, question, owner=owner, max_rounds=max_rounds, hint=hint),
                 ask=lambda payload: runnable.invoke(payload, config=config, **kwargs),
                 run_call=lambda call: _run_tool(impls[call["name"]], call, config), max_workers=max_workers)
    return _text(done.reply)


async def _aanswer(runnable: Runnable[Any, Any], impls: Mapping[str, BaseTool], question: Any,
                   config: RunnableConfig, *, owner: str, max_rounds: int, kwargs: Mapping[str, Any],
                   hint: str = "pass tools=[...]", max_workers: int = core.DEFAULT_MAX_WORKERS) -> str:
    """Async twin of :func:`_answer`: a turn's tool calls run as concurrent tasks."""
    async def ask(payload: Any) -> Any:
        return await runnable.ainvoke(payload, config=config, **kwargs)

    async def run_call(call: ToolCall) -> Any:
        with tool_span(call["name"], call_id=call.get("id"), arguments=call["args"]) as traced:
            return traced(await impls[call["name"]].ainvoke(call, config=config))

    done = await core.adrive(_loop(impls, question, owner=owner, max_rounds=max_rounds, hint=hint),
                        ask=ask, run_call=run_call, max_workers=max_workers)
    return _text(done.reply)


def fan_out(
    agents: Mapping[str, Runnable[Any, Any]],
    merger: Runnable[Any, Any],
    *,
    prompt: str = core.MERGE_PROMPT,
    tools: Mapping[str, Sequence[BaseTool | Callable[..., Any]]] | None = None,
    max_rounds: int = 8,
    max_workers: int = core.DEFAULT_MAX_WORKERS,
) -> Runnable[str, str]:
    """Ask several agents the same question in parallel, then let ``merger`` combine the answers.

    Returns an LCEL runnable ``str -> str`` built from ``RunnableParallel``; every branch is
    traced as its own child run. A branch that fails contributes its error message instead of
    failing the others. A branch whose agent answers with function calls (as ``weather`` does)
    runs them with its tools from ``tools`` (``{"weather": [get_weather]}``) until it answers;
    without them it raises :class:`~foundry_agents.tools.PendingToolCallsError` naming the branch
    and the calls, rather than merging an empty answer. A branch's tool calls follow the core's
    concurrency rule (see the module docstring), ``max_workers`` at a time.

    Example:
        >>> chain = fan_out({"weather": ChatFoundryAgent("weather", ...), "research": ChatFoundryAgent("researcher", ...)},
        ...                 merger=ChatFoundryAgent("grounded", ...), tools={"weather": [get_weather]})  # doctest: +SKIP
        >>> chain.invoke("Should I visit Paris this weekend?")  # doctest: +SKIP
    """
    if not agents:
        raise ValueError("fan_out needs at least one agent")
    core.check_limits(max_rounds=max_rounds, max_workers=max_workers)
    tools = dict(tools or {})
    if unknown := sorted(set(tools) - set(agents)):
        raise ValueError(f"fan_out tools= names branches that do not exist: {unknown} (branches: {sorted(agents)})")

    def guarded(name: str, runnable: Runnable[Any, Any]) -> Runnable[Any, str]:
        impls = _as_tools(tools.get(name, ()))
        options: dict[str, Any] = {"owner": f"fan-out branch {name!r}", "max_rounds": max_rounds, "kwargs": {},
                                   "max_workers": max_workers,
                                   "hint": f"pass fan_out(..., tools={{{name!r}: [...]}}) to run them"}

        def call(question: Any, config: RunnableConfig) -> str:
            try:
                return _answer(runnable, impls, question, config, **options)
            except core.PendingToolCallsError:
                raise
            except FoundryAgentsError as exc:
                return core.tool_error_output(name, exc)

        async def acall(question: Any, config: RunnableConfig) -> str:
            try:
                return await _aanswer(runnable, impls, question, config, **options)
            except core.PendingToolCallsError:
                raise
            except FoundryAgentsError as exc:
                return core.tool_error_output(name, exc)

        return RunnableLambda(call, afunc=acall, name=name)

    branches: dict[str, Any] = {name: guarded(name, r) for name, r in agents.items()}
    parallel = RunnableParallel(question=RunnablePassthrough(), **branches)

    def to_prompt(values: dict[str, Any]) -> dict[str, str]:
        answers = "\n".join(f"- {name}: {values[name]}" for name in agents)
        return {"question": values["question"], "answers": answers}

    template = ChatPromptTemplate.from_messages([("human", prompt)])
    return (parallel | to_prompt | template | merger | StrOutputParser()).with_config(run_name="fan_out")
