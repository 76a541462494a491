"""``foundry-agents demo``: a guided tour against the embedded emulator (filled in by the demo module)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("demo", help="run the demo against the embedded emulator",
                            description="Start the embedded emulator and walk through the main use cases.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import main as demo_main

    return demo_main()
