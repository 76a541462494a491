"""The ``foundry-agents`` command line: ``chat``, ``agents``, ``emulator``, ``demo``.

Errors print as one line (with the request id when the service gave one), never a traceback.
Exit codes: 0 success, 1 service or network error, 2 bad usage or configuration, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import APIError, FoundryAgentsError, FoundryConfigError

__all__ = ["main"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--endpoint`` and ``--api-key``, shared by the commands that talk to a project."""
    parser.add_argument("--endpoint", metavar="URL",
                        help="project endpoint (default: $FOUNDRY_PROJECT_ENDPOINT, then $AZURE_AI_PROJECT_ENDPOINT)")
    parser.add_argument("--api-key", metavar="TOKEN",
                        help="static bearer token (default: $FOUNDRY_API_KEY, else DefaultAzureCredential)")


def build_parser() -> argparse.ArgumentParser:
    from . import agents, chat, demo, emulator

    parser = argparse.ArgumentParser(
        prog="foundry-agents",
        description="Talk to Microsoft Foundry Agent Service v2 agents, or run the local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"foundry-agents {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (chat, agents, emulator, demo):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except FoundryConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except APIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_API
    except FoundryAgentsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_API


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
