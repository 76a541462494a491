"""``python -m foundry_agents.emulator`` / ``foundry-agents emulator``: serve the emulator."""

from __future__ import annotations

import argparse
import sys

from . import proxy_cli
from .constants import EMULATOR_PROJECT, EMULATOR_TOKEN


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser`` (shared with the package CLI)."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--agents", metavar="FILE", default=None, help="YAML or JSON file with extra scripted agents")
    parser.add_argument("--done-sentinel", action="store_true", help="end streams with 'data: [DONE]'")
    parser.add_argument("--keep-alive", type=float, metavar="SECONDS", default=None, help="send ': keep-alive' comments")
    parser.add_argument("--project", default=EMULATOR_PROJECT, help="project name shown in the endpoint")
    parser.add_argument(
        "--data-dir", metavar="DIR", default=None, help="keep state in DIR across restarts (default: in memory)"
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    tls = parser.add_argument_group("TLS (for azure-ai-projects and Agent Framework, which need https)")
    tls.add_argument("--tls", action="store_true",
                     help="serve https with a certificate for 127.0.0.1/localhost generated once into DIR/tls "
                          "(--data-dir; default ~/.foundry-agents/emulator/tls)")
    tls.add_argument("--cert", metavar="FILE", default=None, help="serve https with this PEM certificate (chain)")
    tls.add_argument("--key", metavar="FILE", default=None, help="the PEM private key for --cert")
    proxy_cli.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; the first printed line is the project endpoint."""
    if proxy_cli.wanted(args):
        return proxy_cli.run(args)
    from .server import resolve_tls
    from .tls import trust_instructions

    try:  # the certificate first: a bad --cert/--key fails before anything is created
        tls = resolve_tls(getattr(args, "tls", False), tls_dir=getattr(args, "data_dir", None),
                          cert=getattr(args, "cert", None), key=getattr(args, "key", None))
    except (ValueError, OSError) as exc:  # TlsSetupError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .app import create_app
    from .config import AgentsFileError
    from .server import bind_socket, uvicorn_server
    from .store_sqlite import DataDirError

    data_dir = getattr(args, "data_dir", None)
    try:
        app = create_app(
            agents_file=args.agents, done_sentinel=args.done_sentinel, keep_alive=args.keep_alive, data_dir=data_dir
        )
    except DataDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, AgentsFileError) as exc:
        print(f"error: cannot load agents file: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        app.state.emulator.store.close()
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    project = getattr(args, "project", EMULATOR_PROJECT)
    scheme = "https" if tls is not None else "http"
    print(f"{scheme}://{host}:{port}/api/projects/{project}", flush=True)
    print(f"Foundry agents emulator ready. Token: any non-empty bearer token (e.g. {EMULATOR_TOKEN}). Ctrl+C to stop.", flush=True)
    if tls is not None:
        print(trust_instructions(tls), flush=True)
    server = uvicorn_server(app, args.host, port, log_level=getattr(args, "log_level", "warning"), tls=tls)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        app.state.emulator.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foundry_agents.emulator", description="Local Foundry v2 agents emulator.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
