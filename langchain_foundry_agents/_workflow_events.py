"""A workflow agent's actions, and server tools' progress, as LangChain custom events.

Each action update of a Foundry workflow agent (docs/protocol.md, "Workflow actions") is
dispatched as the custom event :data:`WORKFLOW_ACTION_EVENT` from inside the chat model's run,
so ``astream_events`` shows it as ``on_custom_event`` with the model's ``run_id`` and a
callback handler's ``on_custom_event`` receives it. The data is
:meth:`foundry_agents.WorkflowActionItem.summary` plus the item's ``output_index``: ``action_id``,
``kind``, ``status``, ``parent_action_id``, ``previous_action_id``, ``agent_name`` (the inner
agent an ``InvokeAzureAgent`` action runs), ``item_id``.

Streaming sends one event per status change as it arrives; a non-streamed call sends one per
``workflow_action`` item of the final response, in order, once it is back.

While a stream runs, each status change of a tool the service runs itself (code interpreter
``interpreting``, web/file search ``searching``, image generation ``generating``, ...) is the
custom event :data:`TOOL_PROGRESS_EVENT` with ``item_id``, ``output_index``, ``item_type`` and
``status`` (streams only: a non-streamed call has no progress to report).

langchain-core does not always hand ``_stream``/``_astream`` the run manager (``stream``, and
``invoke`` under ``astream_events``), so ``ChatFoundryAgent``'s ``invoke``/``ainvoke``/``stream``/
``astream`` pin the run id in the config and leave the run's config in a context variable
(:func:`streaming_run`) that the dispatch falls back on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any
from uuid import UUID, uuid4

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.runnables import RunnableConfig, ensure_config
from langchain_core.runnables.config import (
    get_async_callback_manager_for_config,
    get_callback_manager_for_config,
)

from foundry_agents.streaming import ToolCallProgress
from foundry_agents.workflow_actions import workflow_action_events as response_actions

__all__ = ["TOOL_PROGRESS_EVENT", "WORKFLOW_ACTION_EVENT", "adispatch_actions", "dispatch_actions",
           "response_actions", "streaming_run", "tool_progress_data"]

#: The custom event name a workflow action update is dispatched under.
WORKFLOW_ACTION_EVENT = "foundry_workflow_action"
#: The custom event name a server tool's status change is dispatched under (streams only).
TOOL_PROGRESS_EVENT = "foundry_tool_progress"


def tool_progress_data(event: ToolCallProgress) -> dict[str, Any]:
    """The data of a :data:`TOOL_PROGRESS_EVENT`."""
    return {"item_id": event.item_id, "output_index": event.output_index, "item_type": event.item_type,
            "status": event.status}


#: (run id, config) of the model run a ``stream``/``astream`` call is serving.
_STREAMING_RUN: ContextVar[tuple[UUID, RunnableConfig] | None] = ContextVar("foundry_streaming_run", default=None)


@contextlib.contextmanager
def streaming_run(config: RunnableConfig | None) -> Iterator[RunnableConfig]:
    """The config to stream with (its ``run_id`` pinned), remembered while the stream runs."""
    config = ensure_config(config)
    run_id = config.get("run_id") or uuid4()
    pinned: RunnableConfig = {**config, "run_id": run_id}
    kept: RunnableConfig = {**pinned}  # langchain-core pops "run_id" from the one it is given
    token = _STREAMING_RUN.set((run_id, kept))
    try:
        yield pinned
    finally:
        with contextlib.suppress(ValueError):  # a generator finished in another context
            _STREAMING_RUN.reset(token)


def _manager(run: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun,
             cls: type[CallbackManager] | type[AsyncCallbackManager]) -> Any:
    """A callback manager with the model run's handlers (what ``dispatch_custom_event`` uses)."""
    return cls(handlers=run.handlers, inheritable_handlers=run.inheritable_handlers, parent_run_id=run.parent_run_id,
               tags=run.tags, inheritable_tags=run.inheritable_tags, metadata=run.metadata,
               inheritable_metadata=run.inheritable_metadata)


def dispatch_actions(run_manager: CallbackManagerForLLMRun | None, actions: Iterable[dict[str, Any]],
                     name: str = WORKFLOW_ACTION_EVENT) -> None:
    """Send each action (or other data) as the custom event ``name`` of the model's run (``run_id`` is the model's)."""
    if run_manager is None:
        current = _STREAMING_RUN.get()
        if current is None:
            return
        run_id, config = current
        manager = get_callback_manager_for_config(config)
    else:
        run_id, manager = run_manager.run_id, _manager(run_manager, CallbackManager)
    for data in actions:
        manager.on_custom_event(name, data, run_id=run_id)


async def adispatch_actions(run_manager: AsyncCallbackManagerForLLMRun | None,
                            actions: Iterable[dict[str, Any]], name: str = WORKFLOW_ACTION_EVENT) -> None:
    """Async twin of :func:`dispatch_actions`."""
    if run_manager is None:
        current = _STREAMING_RUN.get()
        if current is None:
            return
        run_id, config = current
        manager = get_async_callback_manager_for_config(config)
    else:
        run_id, manager = run_manager.run_id, _manager(run_manager, AsyncCallbackManager)
    for data in actions:
        await manager.on_custom_event(name, data, run_id=run_id)
