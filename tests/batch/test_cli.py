"""``foundry-agents batch`` as a user runs it: a real subprocess against the emulator's socket."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli._cli import ROOT, assert_one_line_error, clean_env, cli, command


@pytest.fixture(scope="module")
def connect(emulator_endpoint: str, emulator_token: str) -> list[str]:
    return ["--endpoint", emulator_endpoint, "--api-key", emulator_token]


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _ids(path: Path) -> list[object]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_writes_one_record_per_input_then_the_summary(tmp_path: Path, connect: list[str]) -> None:
    source = _write(tmp_path / "in.jsonl", [{"id": f"q{i}", "input": f"question {i}"} for i in range(12)])
    out = tmp_path / "out.jsonl"
    proc = cli("batch", str(source), "--agent", "echo", "-o", str(out), "--concurrency", "3", *connect)
    assert proc.returncode == 0, proc.stderr
    assert sorted(_ids(out)) == sorted(f"q{i}" for i in range(12))
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("12 ok, 0 failed of 12 in ") and "latency p50" in last and "tokens" in last
    assert "12/12 100%" in proc.stderr  # the plain progress line (stderr is not a terminal here)
    again = cli("batch", str(source), "--agent", "echo", "-o", str(out), *connect)
    assert again.returncode == 0 and "0 ok, 0 failed of 12 (12 already done)" in again.stderr
    assert len(_ids(out)) == 12


def test_failed_records_are_in_the_output_and_the_exit_code_is_1(tmp_path: Path, connect: list[str]) -> None:
    source = _write(tmp_path / "in.jsonl", [{"id": 1, "input": "a"},
                                            {"id": 2, "input": "b", "conversation": "conv_missing"}])
    out = tmp_path / "out.jsonl"
    proc = cli("batch", str(source), "--agent", "echo", "-o", str(out), *connect)
    assert proc.returncode == 1 and "1 ok, 1 failed of 2" in proc.stderr and "Traceback" not in proc.stderr
    records = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert records[2]["error"]["status_code"] == 404


def test_bad_input_lines_are_reported_by_number_and_nothing_runs(tmp_path: Path, connect: list[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "input": "ok"}\n{"id": 2}\nnot json\n{"id": 1, "input": "dup"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = cli("batch", str(source), "--agent", "echo", "-o", str(out), *connect)
    line = assert_one_line_error(proc, code=2, mentions="3 bad record(s)")
    assert "line 2: 'input' must be" in line and "line 3: not valid JSON" in line
    assert "line 4: duplicate id 1 (first on line 1)" in line
    assert not out.exists()


@pytest.mark.parametrize(("args", "mentions"), [
    (["--concurrency", "0"], "--concurrency and --workers must be at least 1"),
    (["--agent", "nope"], "nope"),
])
def test_bad_usage_is_one_line_before_any_record(tmp_path: Path, connect: list[str], args: list[str],
                                                 mentions: str) -> None:
    source = _write(tmp_path / "in.jsonl", [{"id": 1, "input": "a"}])
    out = tmp_path / "out.jsonl"
    base = ["batch", str(source), "--agent", "echo", "-o", str(out), *connect]
    proc = cli(*base, *args)
    assert_one_line_error(proc, code=1 if mentions == "nope" else 2, mentions=mentions)
    assert not out.exists() or out.read_text() == ""


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path, connect: list[str]) -> None:
    proc = cli("batch", str(tmp_path / "missing.jsonl"), "--agent", "echo", "-o", str(tmp_path / "o"), *connect)
    assert_one_line_error(proc, code=2, mentions="cannot read")


def test_a_run_killed_with_sigkill_resumes_with_every_id_exactly_once(tmp_path: Path, connect: list[str]) -> None:
    count = 300
    source = _write(tmp_path / "in.jsonl", [{"id": i, "input": f"n{i}"} for i in range(count)])
    out = tmp_path / "out.jsonl"
    args = ["batch", str(source), "--agent", "echo", "-o", str(out), "--concurrency", "4", *connect]
    proc = subprocess.Popen(command(*args), env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 20:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    written = out.read_bytes().count(b"\n")
    assert written > 0  # killed part-way (or it finished first; the check below holds either way)
    resumed = cli(*args)
    assert resumed.returncode == 0, resumed.stderr
    ids = _ids(out)
    assert sorted(ids) == list(range(count))  # none lost, none twice


def test_sigterm_stops_the_run_keeping_what_was_written(tmp_path: Path, connect: list[str]) -> None:
    source = _write(tmp_path / "in.jsonl", [{"id": i, "input": f"t{i}"} for i in range(300)])
    out = tmp_path / "out.jsonl"
    args = ["batch", str(source), "--agent", "echo", "-o", str(out), "--concurrency", "2", *connect]
    proc = subprocess.Popen(command(*args), env=clean_env(), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 5:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 130:  # stopped part-way (not finished first)
        assert "interrupted" in err and "Traceback" not in err
    data = out.read_bytes()
    assert data.endswith(b"\n")  # a clean stop leaves no torn line
    ids = _ids(out)
    assert len(ids) == len(set(ids))
