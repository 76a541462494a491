"""The ``foundry-agents`` command line: ``chat``, ``agents``, ``batch``, ``emulator``, ``demo``.

Errors print as one line (with the request id when the service gave one), never a traceback;
``--debug`` (or ``FOUNDRY_AGENTS_DEBUG=1``) adds the traceback. Exit codes: 0 success, 1 service
or network error (and unexpected errors), 2 bad usage or configuration (including no usable
credential), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from .._version import __version__
from ..errors import APIError, FoundryAgentsError, FoundryConfigError

__all__ = ["main"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEBUG_ENV = "FOUNDRY_AGENTS_DEBUG"
DEBUG_HINT = f"rerun with --debug (or {DEBUG_ENV}=1) for the traceback"
CREDENTIAL_HINT = "pass --api-key or set FOUNDRY_API_KEY, or sign in (az login)"


def add_debug_argument(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--debug``: accepted before or after the command."""
    parser.add_argument("--debug", action="store_true", default=False if top else argparse.SUPPRESS,
                        help=f"show the traceback of an error (also: {DEBUG_ENV}=1)")


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--endpoint`` and ``--api-key``, shared by the commands that talk to a project."""
    parser.add_argument("--endpoint", metavar="URL",
                        help="project endpoint (default: $FOUNDRY_PROJECT_ENDPOINT, then $AZURE_AI_PROJECT_ENDPOINT)")
    parser.add_argument("--api-key", metavar="TOKEN",
                        help="static bearer token (default: $FOUNDRY_API_KEY, else DefaultAzureCredential)")
    add_debug_argument(parser)


def build_parser() -> argparse.ArgumentParser:
    from . import agents, batch, chat, demo, emulator

    parser = argparse.ArgumentParser(
        prog="foundry-agents",
        description="Talk to Microsoft Foundry Agent Service v2 agents, or run the local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"foundry-agents {__version__}")
    add_debug_argument(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (chat, agents, batch, emulator, demo):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    debug = bool(args.debug) or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # every error ends as one line and an exit code
        if debug:
            traceback.print_exc()
        code, line = describe_error(exc)
        print(f"error: {line}", file=sys.stderr)
        return code


def one_line(text: str) -> str:
    """``text`` on one line (service messages may hold newlines)."""
    return " ".join(text.split())


def describe_error(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line a user sees for ``exc``."""
    if isinstance(exc, FoundryConfigError):
        return EXIT_USAGE, one_line(str(exc))
    # The core raises a credential that gives no token as AuthenticationError (no HTTP status) with
    # azure-identity's error as __cause__: in the CLI that is configuration, said in CLI words.
    cause = exc.__cause__ if isinstance(exc, APIError) and exc.status_code is None else exc
    if cause is not None and _is_credential_error(cause):
        # e.g. "DefaultAzureCredential failed to retrieve a token ...": its first line says it all.
        first = next((ln.strip() for ln in str(cause).splitlines() if ln.strip()), type(cause).__name__)
        return EXIT_USAGE, f"no usable credential: {first} ({CREDENTIAL_HINT}; {DEBUG_HINT})"
    if isinstance(exc, (APIError, FoundryAgentsError)):
        return EXIT_API, one_line(str(exc))
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    more = " ..." if len([ln for ln in str(exc).splitlines() if ln.strip()]) > 1 else ""
    detail = f": {first}{more}" if first else ""
    return EXIT_API, f"unexpected {type(exc).__name__}{detail} ({DEBUG_HINT})"


def _is_credential_error(exc: BaseException) -> bool:
    """azure-identity's errors (without importing azure when it was never loaded)."""
    if "azure.core.exceptions" not in sys.modules:
        return False
    from azure.core.exceptions import ClientAuthenticationError

    return isinstance(exc, ClientAuthenticationError)


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
