"""``foundry-agents emulator``: delegates to :mod:`foundry_agents.emulator.cli`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("emulator", help="run the local Foundry v2 agent emulator",
                            description="Run the local Foundry Agent Service v2 emulator.")
    try:
        from ..emulator import cli as emulator_cli
    except ImportError as exc:  # the [emulator] extra is not installed
        missing = str(exc)

        def run(args: argparse.Namespace) -> int:
            from ..errors import FoundryConfigError

            raise FoundryConfigError(
                f"the emulator needs the 'emulator' extra: pip install 'foundry-agents[emulator]' ({missing})"
            )

        parser.set_defaults(run=run)
        return
    emulator_cli.add_arguments(parser)
    parser.set_defaults(run=emulator_cli.run)
