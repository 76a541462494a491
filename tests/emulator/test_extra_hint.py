"""Without the ``emulator`` extra, ``run_emulator()`` says which extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Makes ``import <module>`` fail as if the package were not installed, then imports ``name``.
PROGRAM = """
import sys
sys.modules[{module!r}] = None
try:
    from foundry_agents.emulator import {name}
except ModuleNotFoundError as exc:
    print(type(exc).__name__, exc.name, "|", exc)
else:
    print("imported")
"""


@pytest.mark.parametrize(("module", "name"), [("uvicorn", "run_emulator"), ("starlette", "create_app")])
def test_missing_web_stack_names_the_extra(module, name):
    run = subprocess.run([sys.executable, "-c", PROGRAM.format(module=module, name=name)],
                         capture_output=True, text=True, cwd=ROOT, check=True, timeout=60)
    kind, missing, message = run.stdout.partition(" ")[0], run.stdout.split()[1], run.stdout
    assert kind == "ModuleNotFoundError" and missing.partition(".")[0] == module
    assert "pip install 'foundry-agents[emulator]'" in message
    assert module in message.partition("|")[2]  # the original reason is kept


def test_other_import_errors_are_not_rewritten():
    program = PROGRAM.format(module="foundry_agents.emulator.server", name="run_emulator")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=60)
    assert "foundry-agents[emulator]" not in run.stdout
