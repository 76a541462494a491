"""Running ``python -m foundry_agents.cli`` as a user would: a real subprocess, real stdin/stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Settings a developer may have exported; the tests pass everything explicitly.
AMBIENT = ("FOUNDRY_PROJECT_ENDPOINT", "AZURE_AI_PROJECT_ENDPOINT", "FOUNDRY_API_KEY")
TIMEOUT = 60


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "foundry_agents.cli", *args]


def cli(*args: str, stdin: str = "", timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion with ``stdin`` fed in."""
    return subprocess.run(command(*args), input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=clean_env(), cwd=ROOT, timeout=timeout, check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *, code: int, mentions: str = "") -> str:
    """The failure a user sees: the exit code, one ``error:`` line, never a traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert mentions in errors[0]
    return errors[0]
