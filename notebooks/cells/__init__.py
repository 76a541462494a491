"""The notebooks' cells, one module per notebook (see ``notebooks/build.py``)."""

from __future__ import annotations

from . import agents, batch, files, hosted, long_running, query_engine, quickstart, tools, workflow
from .common import Cell

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_langchain_quickstart.ipynb": quickstart.CELLS,
    "02_llamaindex_query_engine.ipynb": query_engine.CELLS,
    "03_agent_of_agents.ipynb": agents.CELLS,
    "04_tools_and_approvals.ipynb": tools.CELLS,
    "05_long_running.ipynb": long_running.CELLS,
    "06_workflow_agents.ipynb": workflow.CELLS,
    "07_hosted_agents_sessions.ipynb": hosted.CELLS,
    "08_batch_evaluation.ipynb": batch.CELLS,
    "09_files_images_tools.ipynb": files.CELLS,
}

__all__ = ["NOTEBOOKS", "Cell"]
