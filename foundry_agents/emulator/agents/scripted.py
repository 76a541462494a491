"""``scripted``: agents defined in an agents file, answering by simple rules.

Options (from the file; see docs/emulator.md)::

    reply: "fixed text"                  # answer used when no rule matches
    rules:                               # first match wins
      - match: "refund"                  # case-insensitive substring; "re:<regex>" for a regex
        reply: "Refunds take {days} days. You asked: {input}"
      - match: "re:order\\s+\\d+"
        function_call: {name: get_order, arguments: {order_id: "42"}}
    after_tool: "Result: {output}"       # answer once function outputs arrive

Templates may use ``{input}`` (the last user text) and ``{output}`` (function outputs joined).
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Reply, TurnContext
from ..transcript import function_outputs, last_user_text, output_text
from ._build import function_call, message

DEFAULT_REPLY = "Echo: {input}"


def _fill(template: str, **values: str) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def rule_matches(pattern: str, text: str) -> bool:
    """``re:<regex>`` searches case-insensitively; anything else is a case-insensitive substring."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text, re.I) is not None
    return pattern.lower() in text.lower()


def _rule_reply(rule: dict[str, Any], text: str) -> Reply:
    calls = rule.get("function_calls") or ([rule["function_call"]] if rule.get("function_call") else [])
    if calls:
        return Reply(items=[function_call(c["name"], dict(c.get("arguments") or {})) for c in calls])
    return Reply(items=[message(_fill(str(rule.get("reply", "")), input=text))])


def scripted(ctx: TurnContext) -> Reply:
    options = ctx.agent.options
    text = last_user_text(ctx.items)
    outputs = function_outputs(ctx.input)
    if outputs:
        joined = "\n".join(output_text(o) for o in outputs.values())
        return Reply(items=[message(_fill(str(options.get("after_tool", "{output}")), input=text, output=joined))])
    for rule in options.get("rules") or []:
        if rule_matches(str(rule.get("match", "")), text):
            return _rule_reply(rule, text)
    return Reply(items=[message(_fill(str(options.get("reply", DEFAULT_REPLY)), input=text))])
