"""run_batch / arun_batch against the emulator on a loopback socket, in sync and async mode."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from foundry_agents.batch import JsonlSink, ListSink, Progress, arun_batch, run_batch
from foundry_agents.batch.summary import BatchSummary
from foundry_agents.errors import FoundryConfigError, NotFoundError


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, emulator_endpoint: str, emulator_token: str) -> Any:
    """``run(records, sink, **kwargs)`` in the mode under test, connected to the emulator."""
    def call(records: Any, sink: Any, **kwargs: Any) -> BatchSummary:
        kwargs.setdefault("project_endpoint", emulator_endpoint)
        kwargs.setdefault("api_key", emulator_token)
        if request.param == "sync":
            return run_batch(records, sink, **kwargs)
        return asyncio.run(arun_batch(records, sink, **kwargs))
    return call


def _tag() -> str:
    return uuid.uuid4().hex[:8]  # the emulator's flaky agent counts per distinct text


def test_sync_and_async_take_the_same_arguments() -> None:
    assert inspect.signature(run_batch).parameters == inspect.signature(arun_batch).parameters


def test_every_record_gets_one_output_with_its_id_answer_and_usage(run: Any) -> None:
    sink = ListSink()
    records = [{"id": i, "input": f"hello {i}", "metadata": {"row": str(i)}} for i in range(20)]
    records.append({"id": "msgs", "input": [{"role": "user", "content": "as messages"}]})
    summary = run(records, sink, agent="echo", concurrency=4)
    by_id = {r["id"]: r for r in sink.records}
    assert sorted(by_id, key=str) == sorted([r["id"] for r in records], key=str) and len(sink.records) == 21
    assert by_id[3]["output_text"].endswith("hello 3") and by_id[3]["status"] == "completed"
    assert by_id[3]["response_id"].startswith("resp_") and by_id[3]["metadata"] == {"row": "3"}
    assert by_id[3]["usage"]["input_tokens"] > 0 and by_id["msgs"]["output_text"].endswith("as messages")
    assert (summary.ok, summary.failed, summary.total) == (21, 0, 21)
    assert summary.input_tokens == sum(r["usage"]["input_tokens"] for r in sink.records)
    assert summary.p50_ms is not None and summary.p95_ms is not None and summary.p95_ms >= summary.p50_ms


def test_a_failing_record_is_written_as_an_error_and_the_run_goes_on(run: Any) -> None:
    sink = ListSink()
    records = [{"id": 1, "input": "fine"}, {"id": 2, "input": "lost", "conversation": "conv_does_not_exist"},
               {"id": 3, "input": "fine too"}]
    summary = run(records, sink, agent="echo")
    by_id = {r["id"]: r for r in sink.records}
    assert by_id[1]["status"] == by_id[3]["status"] == "completed"
    error = by_id[2]["error"]
    assert by_id[2]["status"] == "error" and error["type"] == "NotFoundError" and error["status_code"] == 404
    assert error["request_id"] and error["client_request_id"]
    assert (summary.ok, summary.failed) == (2, 1)


def test_429s_slow_the_run_down_and_the_record_is_resent_until_it_passes(run: Any) -> None:
    sink = ListSink()
    tag = _tag()
    records = [{"id": i, "input": f"{tag} {i}", "metadata": {"failures": "2"}} for i in range(4)]
    summary = run(records, sink, agent="flaky", concurrency=2)
    assert [r["status"] for r in sink.records] == ["completed"] * 4
    assert {r["attempts"] for r in sink.records} == {3}
    assert all(r["output_text"].startswith("Recovered after 2 failures") for r in sink.records)
    assert summary.throttled == 8 and summary.failed == 0


def test_a_record_still_throttled_after_max_attempts_is_an_error_record(run: Any) -> None:
    sink = ListSink()
    summary = run([{"id": "x", "input": f"{_tag()}", "metadata": {"failures": "5"}}], sink, agent="flaky",
                  max_attempts=2)
    (out,) = sink.records
    assert out["status"] == "error" and out["error"]["type"] == "RateLimitError" and out["attempts"] == 2
    assert summary.failed == 1


def test_a_500_is_not_resent(run: Any) -> None:
    sink = ListSink()
    run([{"id": 1, "input": "x"}], sink, agent="broken")
    error = sink.records[0]["error"]
    assert error["status_code"] == 500 and "ServerError" in error["type"] and sink.records[0]["attempts"] == 1


def test_a_wrong_agent_fails_once_before_any_record_is_sent(run: Any) -> None:
    sink = ListSink()
    with pytest.raises(NotFoundError):
        run([{"id": 1, "input": "x"}], sink, agent="no-such-agent")
    assert sink.records == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"concurrency": 0}, "concurrency must be a positive integer"),
    ({"max_attempts": 0}, "max_attempts must be a positive integer"),
    ({"max_rate": -1.0}, "max_rate must be a positive number"),
    ({"agent": "bad name!"}, "agent"),
])
def test_bad_arguments_are_refused_before_anything_is_sent(run: Any, kwargs: dict[str, Any], message: str) -> None:
    sink = ListSink()
    with pytest.raises(FoundryConfigError, match=message):
        run([{"id": 1, "input": "x"}], sink, **{"agent": "echo", **kwargs})
    assert sink.records == []


def test_bad_records_are_refused_before_anything_is_sent(run: Any) -> None:
    sink = ListSink()
    with pytest.raises(FoundryConfigError, match=r"record 1: duplicate id 1"):
        run([{"id": 1, "input": "a"}, {"id": 1, "input": "b"}], sink, agent="echo")
    assert sink.records == []


def test_a_resumed_run_skips_what_is_written_and_reruns_a_torn_last_line(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = {"id": 0, "status": "completed", "output_text": "kept", "usage": None, "latency_ms": 1.0, "attempts": 1}
    out.write_text(json.dumps(done) + "\n" + '{"id": 1, "status": "compl', encoding="utf-8")
    records = [{"id": i, "input": f"r{i}"} for i in range(5)]
    with JsonlSink(out) as sink:
        assert sink.torn
        summary = run(records, sink, agent="echo")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == [0, 1, 2, 3, 4]
    assert lines[0]["output_text"] == "kept"
    assert (summary.skipped, summary.ok) == (1, 4)
    with JsonlSink(out) as sink:  # nothing left: a third run sends nothing
        again = run(records, sink, agent="no-such-agent")
    assert (again.skipped, again.done) == (5, 0)


def test_the_progress_bar_falls_back_to_plain_lines(run: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    run([{"id": i, "input": "x"} for i in range(3)], ListSink(), agent="echo", progress=Progress(sys.stderr))
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.strip().splitlines()[-1].startswith("[####################] 3/3 100% |")
    assert "rec/s | ETA" in err and "tokens" in err


async def test_run_batch_works_inside_a_running_event_loop(emulator_endpoint: str, emulator_token: str) -> None:
    sink = ListSink()  # e.g. a notebook cell: the sync API runs on its own thread
    summary = run_batch([{"id": 1, "input": "x"}], sink, agent="echo", project_endpoint=emulator_endpoint,
                        api_key=emulator_token)
    assert summary.ok == 1


def test_function_calls_the_agent_waits_for_are_kept_in_the_record(run: Any) -> None:
    sink = ListSink()
    run([{"id": 1, "input": "Weather in Oslo?"}], sink, agent="weather")
    (out,) = sink.records
    assert out["status"] == "completed" and out["output_text"] == ""
    assert [(p["type"], p["name"]) for p in out["pending"]] == [("function_call", "get_weather")]
    assert json.loads(out["pending"][0]["arguments"]) == {"location": "Oslo"}
