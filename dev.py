#!/usr/bin/env python3
"""One-command entry points for a fresh machine (only Python 3.10+ and pip needed).

    python3 dev.py demo     # run the demo against the embedded emulator
    python3 dev.py test     # run the whole test suite (unit, emulator, adapters, notebooks)
    python3 dev.py lint     # ruff + mypy
    python3 dev.py bench    # run the benchmarks and regenerate benchmarks/RESULTS.md

    python3 dev.py --python python3.10 test   # the same with another interpreter

Each command creates ``.venv`` beside this file on first use and installs the project
into it (editable, with the extras that command needs). Later runs reuse it and only
reinstall when ``pyproject.toml`` changed. With ``--python EXE`` the environment is
``.venv-X.Y`` built by that interpreter, so several Python versions live side by side.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")

# The tests run the benchmark harness at smoke sizes without the contenders (bench extra):
# their rows then read "not installed".
EXTRAS = {"demo": "all", "test": "dev", "lint": "dev", "bench": "dev,bench"}


def _use_python(exe: str) -> None:
    """Point VENV/BIN/PY at ``.venv-X.Y`` built by the interpreter ``exe``."""
    global VENV, BIN, PY
    try:
        version = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"[dev] --python {exe}: cannot run it ({exc})")
    VENV = ROOT / f".venv-{version}"
    BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
    PY = BIN / ("python.exe" if os.name == "nt" else "python")
    if not PY.exists():
        print(f"[dev] creating virtual environment in {VENV} with {exe}", flush=True)
        subprocess.run([exe, "-m", "venv", str(VENV)], check=True)


def _ensure_env(extras: str) -> None:
    if not PY.exists():
        print(f"[dev] creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"[dev] installing foundry-agents[{extras}] (first run only)", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[{extras}]"], check=True)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--python":
        _use_python(argv[1])
        argv = argv[2:]
    if not argv or argv[0] not in EXTRAS:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    _ensure_env(EXTRAS[command])
    if command == "demo":
        cmd = [str(BIN / "foundry-agents"), "demo", *rest]
    elif command == "test":
        cmd = [str(PY), "-m", "pytest", *rest]
    elif command == "lint":
        code = subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
        return code or subprocess.call([str(PY), "-m", "mypy"], cwd=ROOT)
    else:
        cmd = [str(PY), "-m", "benchmarks", *rest]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
