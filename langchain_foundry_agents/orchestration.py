"""Agent-of-agents in LangChain: Foundry agents as tools of any orchestrator, and fan-out/fan-in.

:func:`foundry_agent_tool` wraps a Foundry agent as a LangChain tool (a string question in, the
answer out, sync and async). The sub-agent runs as a child of the tool run, so LangChain
callbacks, ``astream_events`` and usage callbacks see every sub-agent call under the tool that
made it. A sub-agent that needs client-side tools of its own (the ``weather`` agent needs
``get_weather``) gets them with ``tools=``; its function calls are run locally. A failing
sub-agent (404, refused field, broken stream) reaches the orchestrator as a tool error message,
never as a crash of unrelated branches.

Example:
    >>> from langchain.agents import create_agent  # doctest: +SKIP
    >>> orchestrator = create_agent(ChatFoundryAgent("triage", project_endpoint=ep), tools=[
    ...     foundry_agent_tool("weather", project_endpoint=ep, tools=[get_weather]),
    ...     foundry_agent_tool("researcher", project_endpoint=ep)])  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
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

from foundry_agents.errors import FoundryAgentsError
from foundry_agents.tools import tool_error_output

from .chat_models import ChatFoundryAgent

__all__ = ["fan_out", "foundry_agent_tool"]

MERGE_PROMPT = (
    "Question: {question}\n\n"
    "Answers from specialist agents:\n{answers}\n\n"
    "Combine these answers into one complete reply to the question."
)


class _Question(BaseModel):
    question: str = Field(description="The question or task for the agent, in plain language.")


def _tool_name(agent: ChatFoundryAgent) -> str:
    return "ask_" + re.sub(r"[^A-Za-z0-9_-]", "_", agent.foundry_agent.ref.name)


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
    **model_kwargs: Any,
) -> StructuredTool:
    """Wrap a Foundry agent as a LangChain tool named ``ask_<agent name>`` (or ``name``).

    Args:
        agent: an agent reference (``"weather"``, ``"weather:2"``) or a ready ``ChatFoundryAgent``.
        tools: client-side implementations of the sub-agent's own function tools.
        conversation_id: keep the sub-agent's memory in this server-side conversation.
        model_kwargs: ``ChatFoundryAgent`` arguments when ``agent`` is a string
            (``project_endpoint``, ``api_key``, ``credential``, ...).
    """
    model = agent if isinstance(agent, ChatFoundryAgent) else ChatFoundryAgent(agent, **model_kwargs)
    if model_kwargs and isinstance(agent, ChatFoundryAgent):
        raise TypeError("pass model arguments only when 'agent' is a string")
    impls = _as_tools(tools)
    bound: Runnable[LanguageModelInput, BaseMessage] = (
        model.bind_tools(list(impls.values()), check_agent_tools=False) if impls else model
    )
    call_kwargs: dict[str, Any] = {"conversation_id": conversation_id} if conversation_id else {}
    tool_name = name or _tool_name(model)

    def fail(exc: BaseException) -> ToolException:
        return ToolException(tool_error_output(tool_name, exc))

    def run(question: str, run_manager: CallbackManagerForToolRun | None = None) -> str:
        config: RunnableConfig = {"callbacks": run_manager.get_child() if run_manager else None}
        history: list[BaseMessage] = [HumanMessage(question)]
        try:
            for _ in range(max_rounds):
                reply = bound.invoke(history, config=config, **call_kwargs)
                assert isinstance(reply, AIMessage)
                if not reply.tool_calls:
                    return reply.text
                history += [reply, *_run_calls(impls, reply, config)]
        except (FoundryAgentsError, ToolException, ValueError) as exc:
            raise fail(exc) from exc
        raise fail(RuntimeError(f"sub-agent still calling tools after {max_rounds} rounds"))

    async def arun(question: str, run_manager: AsyncCallbackManagerForToolRun | None = None) -> str:
        config: RunnableConfig = {"callbacks": run_manager.get_child() if run_manager else None}
        history: list[BaseMessage] = [HumanMessage(question)]
        try:
            for _ in range(max_rounds):
                reply = await bound.ainvoke(history, config=config, **call_kwargs)
                assert isinstance(reply, AIMessage)
                if not reply.tool_calls:
                    return reply.text
                history += [reply, *await _arun_calls(impls, reply, config)]
        except (FoundryAgentsError, ToolException, ValueError) as exc:
            raise fail(exc) from exc
        raise fail(RuntimeError(f"sub-agent still calling tools after {max_rounds} rounds"))

    return StructuredTool.from_function(
        func=run,
        coroutine=arun,
        name=tool_name,
        description=description
        or f"Ask the Foundry agent '{model.foundry_agent.ref}' a question in plain language; returns its answer.",
        args_schema=_Question,
        handle_tool_error=True,
    )


def _missing(reply: AIMessage, impls: Mapping[str, BaseTool]) -> list[str]:
    return sorted({c["name"] for c in reply.tool_calls if c["name"] not in impls})


def _run_calls(impls: Mapping[str, BaseTool], reply: AIMessage, config: RunnableConfig) -> list[ToolMessage]:
    if missing := _missing(reply, impls):
        raise ToolException(f"the sub-agent called {missing}, but no implementation was given (tools=...)")
    return [impls[c["name"]].invoke(c, config=config) for c in reply.tool_calls]


async def _arun_calls(impls: Mapping[str, BaseTool], reply: AIMessage, config: RunnableConfig) -> list[ToolMessage]:
    if missing := _missing(reply, impls):
        raise ToolException(f"the sub-agent called {missing}, but no implementation was given (tools=...)")
    return [await impls[c["name"]].ainvoke(c, config=config) for c in reply.tool_calls]


def fan_out(
    agents: Mapping[str, Runnable[Any, Any]],
    merger: Runnable[Any, Any],
    *,
    prompt: str = MERGE_PROMPT,
) -> Runnable[str, str]:
    """Ask several agents the same question in parallel, then let ``merger`` combine the answers.

    Returns an LCEL runnable ``str -> str`` built from ``RunnableParallel``; every branch is
    traced as its own child run. A branch that fails contributes its error message instead of
    failing the others.

    Example:
        >>> chain = fan_out({"weather": ChatFoundryAgent("weather", ...), "research": ChatFoundryAgent("researcher", ...)},
        ...                 merger=ChatFoundryAgent("grounded", ...))  # doctest: +SKIP
        >>> chain.invoke("Should I visit Paris this weekend?")  # doctest: +SKIP
    """
    if not agents:
        raise ValueError("fan_out needs at least one agent")

    def guarded(name: str, runnable: Runnable[Any, Any]) -> Runnable[Any, str]:
        chain = runnable | StrOutputParser()

        def call(question: Any, config: RunnableConfig) -> str:
            try:
                return chain.invoke(question, config)
            except FoundryAgentsError as exc:
                return tool_error_output(name, exc)

        async def acall(question: Any, config: RunnableConfig) -> str:
            try:
                return await chain.ainvoke(question, config)
            except FoundryAgentsError as exc:
                return tool_error_output(name, exc)

        return RunnableLambda(call, afunc=acall, name=name)

    branches: dict[str, Any] = {name: guarded(name, r) for name, r in agents.items()}
    parallel = RunnableParallel(question=RunnablePassthrough(), **branches)

    def to_prompt(values: dict[str, Any]) -> dict[str, str]:
        answers = "\n".join(f"- {name}: {values[name]}" for name in agents)
        return {"question": values["question"], "answers": answers}

    template = ChatPromptTemplate.from_messages([("human", prompt)])
    return (parallel | to_prompt | template | merger | StrOutputParser()).with_config(run_name="fan_out")
