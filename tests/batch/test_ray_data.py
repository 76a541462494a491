"""docs/batch.md's Ray Data recipe, run as written through ``ray.data`` on a local 2-CPU cluster
against the emulator: the three UDFs (core, LangChain, LlamaIndex), one shared limiter actor,
and nothing secret in what Ray pickles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.docs._snippets import python_blocks

DOC = Path(__file__).resolve().parents[2] / "docs" / "batch.md"


def _recipe() -> str:
    """The UDF block of the recipe, exactly as the docs show it."""
    blocks = [b for b in python_blocks(DOC) if "class LangChainUDF" in b.code]
    assert len(blocks) == 1, "docs/batch.md should show the Ray Data UDFs in one block"
    return blocks[0].code


@pytest.fixture(scope="module")
def ray_data_cluster(emulator_endpoint: str, emulator_token: str) -> Any:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOUNDRY_PROJECT_ENDPOINT", emulator_endpoint)
        patch.setenv("FOUNDRY_API_KEY", emulator_token)
        started = not ray.is_initialized()
        if started:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        ray.data.DataContext.get_current().enable_progress_bars = False
        try:
            yield ray
        finally:
            if started:
                ray.shutdown()


@pytest.fixture(scope="module")
def recipe(ray_data_cluster: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "ray_data_recipe"}
    exec(compile(_recipe(), f"{DOC.name} (Ray Data recipe)", "exec"), namespace)  # the docs' own code
    return namespace


@pytest.mark.parametrize("which", ["CORE", "LANGCHAIN", "LLAMA_INDEX"])
def test_the_recipe_runs_through_ray_data(ray_data_cluster: Any, recipe: dict[str, Any], which: str,
                                          emulator_token: str) -> None:
    ray = ray_data_cluster
    udf, kwargs = recipe[which]
    from ray import cloudpickle

    shipped = cloudpickle.dumps((udf, kwargs))  # what Ray sends to every worker
    assert emulator_token.encode() not in shipped

    records = [{"id": f"{which}-{i}", "input": f"ray data {which} {i}"} for i in range(12)]
    ds = ray.data.from_items(records)
    rows = ds.map_batches(udf, fn_constructor_kwargs=kwargs, batch_size=4, concurrency=2,
                          batch_format="pandas").take_all()
    by_id = {row["id"]: row for row in rows}
    assert sorted(by_id) == sorted(r["id"] for r in records) and len(rows) == len(records)
    for record in records:
        row = by_id[record["id"]]
        assert row["error"] is None or row["error"] != row["error"]  # None, or pandas' NaN for no error
        assert str(row["output_text"]).endswith(record["input"])  # the echo agent's answer
    assert emulator_token not in repr(rows)
    limiter = recipe["limiter"]
    assert limiter.throttled_count() == 0  # the echo agent never throttles; the actor answered every worker


def test_models_holding_the_ray_limiter_pickle_and_share_its_actor(ray_data_cluster: Any, recipe: dict[str, Any],
                                                                 emulator_token: str) -> None:
    import pickle

    from langchain_foundry_agents import ChatFoundryAgent
    from llama_index_foundry import FoundryAgentLLM

    limiter = recipe["limiter"]
    for model in (ChatFoundryAgent("echo", rate_limiter=limiter), FoundryAgentLLM("echo", rate_limiter=limiter)):
        data = pickle.dumps(model)  # key from the environment: nothing secret held, so it pickles
        assert emulator_token.encode() not in data
        copy = pickle.loads(data)
        assert copy.foundry_agent.connection.rate_limiter == limiter
