"""``python -m foundry_agents.emulator`` prints the endpoint and serves it."""

from __future__ import annotations

import argparse
import subprocess
import sys

import httpx

from foundry_agents.emulator import cli


def test_module_prints_endpoint_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "foundry_agents.emulator", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:") and endpoint.endswith("/api/projects/emulator")
        for _ in range(100):
            try:
                resp = httpx.post(
                    f"{endpoint}/openai/v1/responses",
                    json={"input": "cli", "agent_reference": {"name": "echo"}},
                    headers={"Authorization": "Bearer t"},
                )
                break
            except httpx.ConnectError:
                import time

                time.sleep(0.05)
        assert resp.json()["output"][0]["content"][0]["text"] == "Echo v2: cli"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_add_arguments_defaults():
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.agents, args.done_sentinel, args.keep_alive) == ("127.0.0.1", 8765, None, False, None)


def test_bad_agents_file(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text("nope")
    assert cli.main(["--agents", str(path), "--port", "0"]) == 2
