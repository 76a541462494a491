"""The batch across process boundaries: spawned processes and a local Ray cluster, against the
emulator on a real loopback socket. Workers get the endpoint and token from their environment."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import pickle
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from foundry_agents.batch import JsonlSink, ListSink, WorkerSpec, run_batch_processes
from foundry_agents.batch.records import validate_records
from foundry_agents.batch.workers import SharedLimiter, _Manager, _process_chunk
from foundry_agents.connection import ConnectionSettings
from foundry_agents.errors import FoundryConfigError


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch, emulator_endpoint: str, emulator_token: str) -> str:
    """What a worker process inherits: the endpoint and the token in its environment."""
    monkeypatch.setenv("FOUNDRY_PROJECT_ENDPOINT", emulator_endpoint)
    monkeypatch.setenv("FOUNDRY_API_KEY", emulator_token)
    return emulator_token


def test_a_worker_spec_pickles_without_any_secret(worker_env: str) -> None:
    settings = ConnectionSettings(api_key=worker_env)
    spec = WorkerSpec.from_settings(settings, agent="echo")
    data = pickle.dumps(spec)
    assert worker_env.encode() not in data
    assert pickle.loads(data) == spec
    assert spec.settings().auth == "api_key"  # rebuilt from the worker's environment
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(settings)  # what the spec exists to avoid


def test_a_credential_object_must_come_with_a_factory(emulator_endpoint: str) -> None:
    class Credential:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise AssertionError("not called")

    settings = ConnectionSettings(emulator_endpoint, credential=Credential())
    with pytest.raises(FoundryConfigError, match="credential_factory="):
        WorkerSpec.from_settings(settings, agent="echo")


def test_spawned_processes_run_the_batch_and_write_each_record_once(worker_env: str, tmp_path: Path) -> None:
    records = [{"id": i, "input": f"p{i}"} for i in range(40)]
    out = tmp_path / "out.jsonl"
    with JsonlSink(out) as sink:
        summary = run_batch_processes(records, sink, spec=WorkerSpec(agent="echo", concurrency=3), workers=2,
                                      chunk_size=5)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sorted(__import__("json").loads(line)["id"] for line in lines) == list(range(40))
    assert (summary.ok, summary.failed) == (40, 0)
    with JsonlSink(out) as sink:  # resumed: nothing left to send
        again = run_batch_processes(records, sink, spec=WorkerSpec(agent="echo"), workers=2)
    assert (again.skipped, again.done) == (40, 0)


def test_429s_in_every_process_reach_the_one_shared_limiter(worker_env: str) -> None:
    tag = uuid.uuid4().hex[:8]
    chunks = [validate_records([{"id": f"{w}-{i}", "input": f"{tag} {w} {i}", "metadata": {"failures": "1"}}
                                for i in range(3)]) for w in range(2)]
    context = multiprocessing.get_context("spawn")
    spec = WorkerSpec(agent="flaky", concurrency=3)
    with _Manager(ctx=context) as manager:
        limiter = manager.SharedLimiter(None)  # type: ignore[attr-defined]
        with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            futures = [pool.submit(_process_chunk, spec, chunk, limiter) for chunk in chunks]
            outputs = [out for future in futures for out in future.result()]
            pids = set(pool.submit(__import__("os").getpid).result() for _ in range(2))
        assert limiter.throttled_count() == 6  # three 429s from each chunk, all seen by one limiter
    assert [o["status"] for o in outputs] == ["completed"] * 6 and {o["attempts"] for o in outputs} == {2}
    assert pids  # the pool really ran in other processes
    assert __import__("os").getpid() not in pids


def test_a_worker_that_cannot_start_turns_its_records_into_error_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOUNDRY_PROJECT_ENDPOINT", raising=False)
    monkeypatch.delenv("AZURE_AI_PROJECT_ENDPOINT", raising=False)
    monkeypatch.setenv("FOUNDRY_API_KEY", "x")
    sink = ListSink()
    summary = run_batch_processes([{"id": 1, "input": "a"}, {"id": 2, "input": "b"}], sink,
                                  spec=WorkerSpec(agent="echo"), workers=1)
    assert summary.failed == 2 and {r["error"]["type"] for r in sink.records} == {"InvalidEndpointError"}


def test_the_shared_limiter_paces_with_its_own_clock() -> None:
    limiter = SharedLimiter(max_rate=1000.0)
    assert limiter.reserve() == 0.0
    limiter.throttled(0.0)
    assert limiter.throttled_count() == 1


# -- Ray --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_cluster(emulator_endpoint: str, emulator_token: str) -> Any:
    """A local 2-CPU Ray cluster whose workers inherit the endpoint and token (set before it starts)."""
    ray = pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOUNDRY_PROJECT_ENDPOINT", emulator_endpoint)
        patch.setenv("FOUNDRY_API_KEY", emulator_token)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            yield ray
        finally:
            ray.shutdown()


def test_ray_runs_the_batch_with_one_limiter_actor(ray_cluster: Any, worker_env: str, tmp_path: Path) -> None:
    from foundry_agents.batch.ray_engine import run_batch_ray

    tag = uuid.uuid4().hex[:8]
    records = [{"id": i, "input": f"{tag} {i}", "metadata": {"failures": "1"}} for i in range(12)]
    out = tmp_path / "out.jsonl"
    with JsonlSink(out) as sink:
        summary = run_batch_ray(records, sink, spec=WorkerSpec(agent="flaky", concurrency=2), workers=2, chunk_size=3)
    lines = [__import__("json").loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == list(range(12))
    assert (summary.ok, summary.failed, summary.throttled) == (12, 0, 12)
    assert all(r["output_text"].startswith("Recovered after 1 failures") for r in lines)


def test_ray_workers_share_one_limiter_actor(ray_cluster: Any, worker_env: str) -> None:
    from foundry_agents.batch.ray_engine import RayLimiter, _Worker

    ray = ray_cluster
    tag = uuid.uuid4().hex[:8]
    limiter = ray.remote(num_cpus=0)(SharedLimiter).remote(None)
    workers = [ray.remote(num_cpus=0)(_Worker).remote(WorkerSpec(agent="flaky"), limiter) for _ in range(2)]
    chunks = [validate_records([{"id": i, "input": f"{tag} {w} {i}", "metadata": {"failures": "2"}}
                                for i in range(2)]) for w in range(2)]
    outputs = ray.get([w.run.remote(c) for w, c in zip(workers, chunks, strict=True)])
    assert [o["attempts"] for out in outputs for o in out] == [3, 3, 3, 3]
    assert ray.get(limiter.throttled_count.remote()) == 8
    assert pickle.loads(pickle.dumps(RayLimiter(limiter))).actor == limiter


def test_the_ray_data_udf_answers_a_batch(ray_cluster: Any, worker_env: str) -> None:
    from foundry_agents.batch.ray_engine import FoundryAgentUDF

    udf = FoundryAgentUDF(WorkerSpec(agent="echo"))
    out = udf({"id": [1, 2], "input": ["x", "y"]})
    assert out["id"] == [1, 2] and [t.endswith(s) for t, s in zip(out["output_text"], "xy", strict=True)] == [True] * 2


# -- the framework models inside workers (the Ray Data recipe's pattern) ----------------------------
def _langchain_in_worker(text: str) -> str:
    from langchain_foundry_agents import ChatFoundryAgent

    return str(ChatFoundryAgent("echo").invoke(text).text)  # endpoint and token from the environment


def _llama_index_in_worker(text: str) -> str:
    from llama_index_foundry import FoundryAgentLLM

    return str(FoundryAgentLLM("echo").complete(text).text)


@pytest.mark.parametrize("build", [_langchain_in_worker, _llama_index_in_worker], ids=["langchain", "llama_index"])
def test_framework_models_are_built_in_each_spawned_worker(worker_env: str, build: Any) -> None:
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(build, "from a worker").result().endswith("from a worker")


async def test_a_remote_limiter_leases_send_slots_in_blocks() -> None:
    """One round trip to the shared limiter per block of sends, not per send: a Ray actor call
    costs a worker more CPU than the HTTP request it paces."""
    from foundry_agents.batch.workers import LEASE_SLOTS, RemoteLimiter

    calls: list[tuple[Any, ...]] = []
    leased: list[int] = []
    shared = SharedLimiter(max_rate=400.0)  # slots 2.5 ms apart: those not used are still ahead at the flush

    class Recorded(RemoteLimiter):
        async def _call(self, method: str, *args: Any) -> Any:
            calls.append((method, *args))
            result = getattr(shared, method)(*args)
            if method == "lease":
                leased.append(len(result))
            return result

    handle = Recorded()
    waits = await asyncio.gather(*(handle.reserve() for _ in range(LEASE_SLOTS + 1)))
    assert len(waits) == LEASE_SLOTS + 1 and max(waits) < 0.1
    assert [c[0] for c in calls] == ["lease", "lease"]  # 17 sends: two leases, shared by all waiters
    assert leased == [LEASE_SLOTS, LEASE_SLOTS]  # the second a whole block too, after the first
    for _ in range(3):
        await handle.success()
    await asyncio.sleep(0.01)
    await handle.flush()  # the three successes (with their age), and the slots nobody used
    method, successes, unused, age = calls[-1]
    assert (method, successes, unused) == ("release", 3, LEASE_SLOTS - 1) and 0.01 <= age < 1.0
    assert shared.limiter.accepted_rate(now=time.monotonic()) is not None

    await handle.reserve()
    await handle.success()
    await handle.throttled(0.5)  # reported at once, with the success before it and the slots held
    assert calls[-1][:3] == ("throttled", 0.5, 1) and calls[-1][4] == LEASE_SLOTS - 1 and not handle._slots
    assert await handle.reserve() >= 0.4  # the next lease starts after the pause
