"""Pending client work both adapters answer the same way: computer calls and OAuth consents. Pure.

A ``computer_call`` reaches a chat framework as a tool call named :data:`COMPUTER_TOOL` whose
arguments are the action (:func:`computer_call_args`); when a stateless history (``store=False``)
is sent back, the framework's tool call is turned into the service's own item again
(:func:`computer_call_part`) so the screenshot after it answers a call the service can see.
An ``oauth_consent_request`` has no answer item: once the user signed in, the turn that asked is
sent again after the reply, chained to it (:func:`resend_after_consent`). Each adapter only
reads its framework's messages into these arguments.

Example:
    >>> from foundry_agents.items import parse_output_item
    >>> computer_call_args(parse_output_item({"type": "computer_call", "call_id": "c1",
    ...                                        "action": {"type": "click", "x": 1, "y": 2}}))
    {'type': 'click', 'x': 1, 'y': 2}
    >>> resend_after_consent(["user: hi", "assistant: sign in"], "reply", is_reply=lambda m: m.startswith("assistant"))
    ['user: hi', 'assistant: sign in', 'reply']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .errors import FoundryConfigError
from .items import ComputerCallItem
from .messages import ComputerCallPart

__all__ = ["COMPUTER_TOOL", "computer_call_args", "computer_call_part", "resend_after_consent"]

#: The tool-call name a ``computer_call`` has in both frameworks (name your computer-use tool so).
COMPUTER_TOOL = "computer_use"

T = TypeVar("T")


def computer_call_args(item: ComputerCallItem) -> dict[str, Any]:
    """A computer call's tool-call arguments: its action (``{"type": "click", "x": ..}``), or
    ``{"actions": [...]}`` when the service batched several (``{}`` when it sent none)."""
    actions = item.actions
    if len(actions) == 1:
        return dict(actions[0])
    return {"actions": actions} if actions else {}


def computer_call_part(call_id: str, args: Any, item: Mapping[str, Any] | None = None) -> ComputerCallPart:
    """The computer call to replay in a stateless history, from a framework's tool call.

    ``args`` are the tool call's arguments (:func:`computer_call_args`); ``item`` is what the reply
    kept of the wire item (its ``id``, ``action`` or ``actions``, ``pending_safety_checks``), which
    wins over ``args`` when given. Raises :class:`~foundry_agents.errors.FoundryConfigError` when
    neither says what the action was.
    """
    item = item or {}
    args = args if isinstance(args, Mapping) else {}
    batch = item.get("actions") or (args["actions"] if set(args) == {"actions"} else None)
    action = None if batch else (item.get("action") or (dict(args) if args else None))
    return ComputerCallPart(call_id, action, id=item.get("id") or None, actions=batch or (),
                            pending_safety_checks=item.get("pending_safety_checks") or ())


def resend_after_consent(history: Sequence[T], reply: T, *, is_reply: Callable[[T], bool],
                         reply_name: str = "assistant message") -> list[T]:
    """The history to send once the user gave the OAuth consent ``reply`` asked for.

    ``history`` is what was sent; its last turn (the messages after its last reply, as
    ``is_reply`` tells) is sent again after ``reply``, so the next call chains to ``reply`` and the
    agent retries the MCP tool. ``reply_name`` names a reply in the error when there is no turn.
    """
    last = max((i for i, m in enumerate(history) if is_reply(m)), default=-1)
    turn = list(history[last + 1:])
    if not turn:
        raise FoundryConfigError(
            f"resend_after_consent: the history has no turn after its last {reply_name} to send again; "
            "pass the history that was sent (ending with the user's turn)")
    return [*history, reply, *turn]
