"""The ``--record``/``--upstream``/``--replay`` options of ``foundry-agents emulator``."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("record and replay")
    group.add_argument("--record", metavar="DIR", default=None,
                       help="proxy to --upstream and record the traffic into DIR (test-proxy format, sanitized)")
    group.add_argument("--upstream", metavar="URL", default=None,
                       help="the real project endpoint to record: https://<resource>.services.ai.azure.com/api/projects/<p>")
    group.add_argument("--api-key", default=None,
                       help="bearer token for --upstream (default $FOUNDRY_API_KEY, else DefaultAzureCredential)")
    group.add_argument("--replay", metavar="DIR", default=None, help="answer from the recordings in DIR")


def wanted(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) for name in ("record", "replay", "upstream"))


def run(args: argparse.Namespace) -> int:
    """Serve a record or replay app until interrupted; the first printed line is the endpoint."""
    from .record import RecordError, check_upstream, create_record_app, token_provider
    from .replay import RecordingsError, create_replay_app
    from .server import bind_socket, uvicorn_server

    try:
        if args.record and args.replay:
            raise RecordError("pass either --record or --replay, not both")
        if getattr(args, "tls", False) or getattr(args, "data_dir", None) or getattr(args, "agents", None):
            raise RecordError("--tls, --data-dir and --agents do not apply to --record/--replay (plain http only)")
        if args.replay:
            if args.upstream:
                raise RecordError("--upstream goes with --record, not --replay")
            app = create_replay_app(args.replay)
            what = f"replaying the recordings in {args.replay}"
        else:
            if not args.record:
                raise RecordError("--upstream needs --record DIR (where to write the recordings)")
            upstream = check_upstream(args.upstream)
            app = create_record_app(args.record, upstream, token_provider(args.api_key))
            what = f"recording {upstream} into {app.state.session.path}"
    except (RecordError, RecordingsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"http://{host}:{sock.getsockname()[1]}/api/projects/{args.project}", flush=True)
    print(f"Foundry agents emulator {what}. Ctrl+C to stop.", flush=True)
    server = uvicorn_server(app, args.host, sock.getsockname()[1], log_level=args.log_level)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
