"""``foundry-agents demo --trace`` prints the agent-of-agents trace tree."""

from __future__ import annotations

import io
from types import SimpleNamespace

from foundry_agents.cli._trace import span_tree
from foundry_agents.cli.demo import Tour, agent_of_agents


def test_demo_trace_prints_the_orchestrator_tree(spans, emulator_endpoint, emulator_token):
    out = io.StringIO()
    with Tour(emulator_endpoint, emulator_token, out, trace=True) as tour:
        agent_of_agents(tour)
    text = out.getvalue()
    tree = text[text.index("trace (OpenTelemetry GenAI spans):"):].splitlines()
    assert tree[1].strip().startswith("invoke_agent triage  [internal]")
    assert any(line.strip().startswith("├─ execute_tool ask_weather") for line in tree)
    # the sub-agent's call sits under the tool that made it (one level deeper)
    ask = next(i for i, line in enumerate(tree) if "execute_tool ask_weather" in line)
    assert "└─ invoke_agent weather  [internal]" in tree[ask + 1]
    assert tree[ask + 1].index("invoke_agent") > tree[ask].index("execute_tool")
    assert "tokens" in text and emulator_token not in tree


def test_without_trace_nothing_is_printed(spans, emulator_endpoint, emulator_token):
    out = io.StringIO()
    with Tour(emulator_endpoint, emulator_token, out) as tour:
        agent_of_agents(tour)
    assert "trace (" not in out.getvalue()


def _span(sid: int, parent: int | None, name: str, start: int) -> SimpleNamespace:
    kind = SimpleNamespace(name="INTERNAL")
    return SimpleNamespace(name=name, kind=kind, start_time=start, end_time=start + 2_000_000, attributes={},
                           context=SimpleNamespace(span_id=sid),
                           parent=SimpleNamespace(span_id=parent) if parent else None)


def test_span_tree_orders_children_and_draws_branches():
    spans = [_span(3, 1, "c", 30), _span(1, None, "root", 0), _span(2, 1, "b", 20), _span(4, 2, "b1", 25),
             _span(9, 77, "orphan", 40)]  # a parent that was not collected: shown as a root
    assert span_tree(spans) == [
        "root  [internal]  2 ms",
        "├─ b  [internal]  2 ms",
        "│  └─ b1  [internal]  2 ms",
        "└─ c  [internal]  2 ms",
        "orphan  [internal]  2 ms",
    ]
