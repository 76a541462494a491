"""``workflow``: an agent of agents, running other emulator agents in sequence and in parallel.

A workflow agent is declared in the agents file with ``kind: workflow`` and ``steps`` (see
docs/emulator.md)::

    - name: research-and-write
      kind: workflow
      steps:
        - agent: researcher
        - parallel: [{agent: forecast}, {agent: echo}]
        - agent: writer

Its output is what a Foundry workflow agent sends (docs/protocol.md, "Workflow actions"): a
``workflow_action`` item when an action starts (``status: in_progress``) and another when it ends
(``completed`` / ``failed``), with the inner agents' own items in between, each naming its inner
agent in ``agent_reference``. A parallel group is an action too: its branches name it as
``parent_action_id``; top-level actions name the one before them as ``previous_action_id``.

What a step reads: the caller's request while no step has answered yet (or when the step says
``input: request``); after that, the request followed by the earlier answers in the
``Answers from specialist agents:`` form the ``writer`` agent merges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import AgentVersionRecord, Reply, Resolver, TurnContext
from ..transcript import last_user_text
from ..wire import agent_ref

#: The action kind of a step that runs an agent (as in Foundry's workflow YAML and its samples).
INVOKE = "InvokeAzureAgent"
#: The action kind of a parallel group (the emulator's own name: unverified, see docs/protocol.md).
PARALLEL = "Parallel"


def workflow(ctx: TurnContext) -> Reply:
    """Run the agent's ``steps`` and answer with their actions and items, in order."""
    steps = ctx.agent.options.get("steps")
    if not isinstance(steps, list) or not steps or ctx.resolve is None:
        return Reply(status="failed", error={"code": "server_error",
                                             "message": f"Workflow agent '{ctx.agent.name}' has no steps to run."})
    run = _Run(ctx, ctx.resolve, request=last_user_text(ctx.items))
    previous: str | None = None
    for number, step in enumerate(steps, 1):
        previous = run.step(step, number, previous)
        if run.error is not None:
            return Reply(items=run.items, status="failed", error=run.error, reasoning_tokens=run.reasoning_tokens)
    return Reply(items=run.items, reasoning_tokens=run.reasoning_tokens)


@dataclass
class _Run:
    ctx: TurnContext
    resolve: Resolver
    request: str
    items: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    failed_action: str | None = None
    reasoning_tokens: int = 0

    def step(self, step: dict[str, Any], number: int, previous: str | None) -> str:
        """Run one top-level step; return its action id."""
        if "parallel" in step:
            return self._parallel(step, number, previous)
        action_id = _action_id(step, number)
        agent, reply_items = self._start_and_run(step, action_id, parent=None, previous=previous,
                                                 prompt=self._prompt(step))
        self.items += reply_items
        self._end(step, action_id, agent, parent=None, previous=previous)
        return action_id

    def _parallel(self, step: dict[str, Any], number: int, previous: str | None) -> str:
        group = str(step.get("id") or f"parallel_{number}")
        self.items.append(_action(PARALLEL, group, "in_progress", parent=None, previous=previous))
        branches = [(b, f"{group}_{_action_id(b, n)}") for n, b in enumerate(step["parallel"], 1)]
        prompts = [self._prompt(b) for b, _ in branches]  # every branch reads the same answers
        results = [self._start_and_run(b, aid, parent=group, previous=None, prompt=p)
                   for (b, aid), p in zip(branches, prompts, strict=True)]
        for _, reply_items in results:
            self.items += reply_items
        for (branch, aid), (agent, _) in zip(branches, results, strict=True):
            self._end(branch, aid, agent, parent=group, previous=None)
        status = "failed" if self.error is not None else "completed"
        self.items.append(_action(PARALLEL, group, status, parent=None, previous=previous))
        return group

    def _prompt(self, step: dict[str, Any]) -> str:
        if not self.answers or step.get("input") == "request":
            return self.request
        lines = "\n".join(f"- {name}: {' '.join(text.split())}" for name, text in self.answers)
        return f"{self.request}\n\nAnswers from specialist agents:\n{lines}"

    def _start_and_run(self, step: dict[str, Any], action_id: str, *, parent: str | None, previous: str | None,
                       prompt: str) -> tuple[AgentVersionRecord | None, list[dict[str, Any]]]:
        """Announce the action, run its agent; return the agent and its items (tagged with it)."""
        name = str(step["agent"])
        agent, behavior = self.resolve(name)
        self.items.append(_action(INVOKE, action_id, "in_progress", parent=parent, previous=previous,
                                  agent=_target(name, agent)))
        if agent is None or behavior is None or agent.behavior == "workflow":
            why = "is not an agent of this emulator" if agent is None else "is a workflow (nesting is not emulated)"
            self._fail(action_id, f"agent '{name}' {why}")
            return agent, []
        inner = TurnContext(agent=agent, history=[] if self.answers else list(self.ctx.history),
                            input=[{"type": "message", "role": "user", "content": prompt}],
                            metadata=dict(self.ctx.metadata), stream=self.ctx.stream, counters=self.ctx.counters)
        reply = behavior(inner)
        if reply.http_error is not None or reply.status == "failed" or reply.stream_fault is not None:
            detail = (reply.http_error.message if reply.http_error is not None
                      else (reply.error or {}).get("message", "it failed"))
            self._fail(action_id, f"agent '{name}' failed: {detail}")
        self.reasoning_tokens += reply.reasoning_tokens
        items = [{**item, "agent_reference": agent_ref(agent)} for item in reply.items]
        text = " ".join(_text(i) for i in items if i.get("type") == "message").strip()
        if text:
            self.answers.append((name, text))
        return agent, items

    def _end(self, step: dict[str, Any], action_id: str, agent: AgentVersionRecord | None, *, parent: str | None,
             previous: str | None) -> None:
        status = "failed" if self.failed_action == action_id else "completed"
        self.items.append(_action(INVOKE, action_id, status, parent=parent, previous=previous,
                                  agent=_target(str(step["agent"]), agent)))

    def _fail(self, action_id: str, why: str) -> None:
        if self.error is None:
            self.failed_action = action_id
            self.error = {"code": "server_error", "message": f"Workflow action '{action_id}' failed: {why}."}


def _target(name: str, agent: AgentVersionRecord | None) -> dict[str, Any]:
    """The ``agent`` an ``InvokeAzureAgent`` action names."""
    return agent_ref(agent) if agent is not None else {"type": "agent_reference", "name": name}


def _action_id(step: dict[str, Any], number: int) -> str:
    return str(step.get("id") or f"{step.get('agent', 'step')}_{number}")


def _action(kind: str, action_id: str, status: str, *, parent: str | None, previous: str | None,
            agent: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "workflow_action", "kind": kind, "action_id": action_id,
                            "parent_action_id": parent, "previous_action_id": previous, "status": status}
    if agent is not None:
        item["agent"] = agent
    return item


def _text(item: dict[str, Any]) -> str:
    return "".join(str(p.get("text", "")) for p in item.get("content") or [] if isinstance(p, dict))
