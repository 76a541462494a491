"""``foundry-agents emulator``: delegates to :mod:`foundry_agents.emulator.cli`."""

from __future__ import annotations

import argparse
from typing import Any

from ..emulator import cli as emulator_cli  # argparse only; the web stack loads in run()
from ..emulator.constants import NEEDS_EXTRA
from ..errors import FoundryConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser("emulator", help="run the local Foundry v2 agent emulator",
                            description="Run the local Foundry Agent Service v2 emulator.")
    emulator_cli.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        return emulator_cli.run(args)
    except ImportError as exc:  # the [emulator] extra (starlette, uvicorn) is not installed
        raise FoundryConfigError(f"{NEEDS_EXTRA} ({exc})") from exc
