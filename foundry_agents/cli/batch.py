"""``foundry-agents batch INPUT.jsonl --agent NAME[:VERSION] -o OUTPUT.jsonl``: run an agent over
a file of prompts (docs/batch.md).

The whole input is checked first: bad lines are reported together, by line number, and nothing
is sent (exit 2). Output records are appended and flushed one by one; a re-run with the same
``-o`` skips the ids already there (a torn last line left by a kill is discarded and re-run).
Progress goes to stderr, then the summary line. Exit codes: 0 all records ok, 1 some records
failed (they are in the output as error records), 2 bad usage or input, 130 interrupted
(Ctrl-C or SIGTERM; every record written so far is kept).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from ..connection import API_KEY_ENV_VAR
from ..endpoints import ENDPOINT_ENV_VARS
from ..errors import FoundryConfigError, InvalidEndpointError
from . import add_connection_arguments
from ._connect import NO_ENDPOINT


def register(sub: Any) -> None:
    parser = sub.add_parser("batch", help="run an agent over a JSONL file of prompts (resumable)",
                            description="Run an agent over INPUT.jsonl ({\"id\", \"input\"} per line); "
                                        "append one output record per input to OUTPUT.jsonl; re-run to resume.")
    parser.add_argument("input", metavar="INPUT.jsonl")
    parser.add_argument("--agent", required=True, metavar="NAME[:VERSION]")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT.jsonl",
                        help="appended to; ids already in it are skipped")
    parser.add_argument("--concurrency", type=int, default=8, metavar="N",
                        help="requests in flight (per worker with --engine ray/processes; default 8)")
    parser.add_argument("--engine", choices=("local", "ray", "processes"), default="local",
                        help="local: one process (default); ray: Ray actors; processes: spawned processes")
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="workers for ray/processes (default 2)")
    parser.add_argument("--max-rate", type=float, default=None, metavar="RPS",
                        help="at most RPS requests per second (the limiter also adapts to 429s)")
    parser.add_argument("--no-check", action="store_true", help="skip looking the agent up before the run")
    add_connection_arguments(parser)
    parser.set_defaults(run=run)


def _interrupt(signum: int, frame: Any) -> None:
    # SIGTERM unwinds like Ctrl-C (asyncio cancels the run cleanly on SIGINT); the output is closed.
    signal.raise_signal(signal.SIGINT)


def run(args: argparse.Namespace) -> int:
    from ..batch import JsonlSink, Progress, WorkerSpec, parse_lines, run_batch

    if args.concurrency < 1 or args.workers < 1:
        raise FoundryConfigError("--concurrency and --workers must be at least 1")
    if not args.endpoint and not any(os.environ.get(var) for var in ENDPOINT_ENV_VARS):
        raise InvalidEndpointError(NO_ENDPOINT)
    try:
        with open(args.input, encoding="utf-8") as handle:
            records = parse_lines(handle, source=args.input)
    except OSError as exc:
        raise FoundryConfigError(f"cannot read {args.input}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise FoundryConfigError(f"{args.input} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        raise FoundryConfigError("the output file must not be the input file")
    signal.signal(signal.SIGTERM, _interrupt)
    progress = Progress(sys.stderr)
    with JsonlSink(args.output) as sink:
        if sink.torn:
            print(f"[{args.output}: discarded a partial last line; that record runs again]", file=sys.stderr)
        if args.engine == "local":
            summary = run_batch(records, sink, agent=args.agent, concurrency=args.concurrency,
                                max_rate=args.max_rate, progress=progress, check_agent=not args.no_check,
                                project_endpoint=args.endpoint, api_key=args.api_key, user_agent_extra="cli-batch")
        else:
            if args.api_key:  # reaches the workers through their environment, never a pickle
                os.environ[API_KEY_ENV_VAR] = args.api_key
            spec = WorkerSpec(agent=args.agent, project_endpoint=args.endpoint, concurrency=args.concurrency,
                              user_agent_extra="cli-batch")
            if not args.no_check:
                _check_agent(args)
            summary = _run_engine(args.engine, records, sink, spec, args, progress)
    print(summary.line(), file=sys.stderr)
    return 1 if summary.failed else 0


def _check_agent(args: argparse.Namespace) -> None:
    from ..reference import AgentRef
    from ._connect import client_from_args

    ref = AgentRef.parse(args.agent)
    with client_from_args(args, framework="cli-batch") as client:
        client.get_agent_version(ref.name, ref.version)


def _run_engine(engine: str, records: Any, sink: Any, spec: Any, args: argparse.Namespace, progress: Any) -> Any:
    if engine == "ray":
        from ..batch.ray_engine import run_batch_ray

        return run_batch_ray(records, sink, spec=spec, workers=args.workers, max_rate=args.max_rate,
                             progress=progress)
    from ..batch import run_batch_processes

    return run_batch_processes(records, sink, spec=spec, workers=args.workers, max_rate=args.max_rate,
                               progress=progress)
