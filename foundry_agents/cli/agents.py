"""``foundry-agents agents list`` and ``agents show NAME[:VERSION]``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..resources import AgentVersion
from . import add_connection_arguments
from ._connect import client_from_args


def register(sub: Any) -> None:
    parser = sub.add_parser("agents", help="list agents or show one agent's definition",
                            description="Inspect the agents of a Foundry project.")
    inner = parser.add_subparsers(dest="agents_command", metavar="ACTION", required=True)
    ls = inner.add_parser("list", help="list the project's agents and their latest versions")
    add_connection_arguments(ls)
    ls.set_defaults(run=run_list)
    show = inner.add_parser("show", help="show an agent's definition (latest, or NAME:VERSION)")
    show.add_argument("agent", metavar="NAME[:VERSION]")
    show.add_argument("--versions", action="store_true", help="list every version instead")
    show.add_argument("--json", action="store_true", help="print the raw definition as JSON")
    add_connection_arguments(show)
    show.set_defaults(run=run_show)


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain aligned text table."""
    cells = [header, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _tools(version: AgentVersion) -> str:
    names = [t.get("name") or t.get("server_label") or t.get("type", "?") for t in version.tools]
    return ", ".join(names) or "-"


def run_list(args: argparse.Namespace) -> int:
    with client_from_args(args) as client:
        agents = client.list_agents()
    rows = [[a.name, a.latest.version if a.latest else "-", (a.latest.model or "-") if a.latest else "-",
             _tools(a.latest) if a.latest else "-"] for a in agents]
    print(table(rows, ["NAME", "LATEST", "MODEL", "TOOLS"]) if rows else "no agents in this project")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with client_from_args(args) as client:
        if args.versions:
            versions = client.list_agent_versions(args.agent)
            if args.json:
                print(json.dumps([v.raw for v in versions], indent=2))
                return 0
            print(table([[v.version, v.model or "-", _tools(v), (v.description or "")[:40]] for v in versions],
                        ["VERSION", "MODEL", "TOOLS", "DESCRIPTION"]))
            return 0
        version = client.get_agent_version(args.agent)
    if args.json:
        print(json.dumps(version.raw, indent=2))
        return 0
    fmt = version.output_format
    rows = [["name", version.name], ["version", version.version], ["kind", version.kind or "-"],
            ["model", version.model or "-"], ["tools", _tools(version)],
            ["output format", fmt.get("type", "-") if fmt else "text"],
            ["description", version.description or "-"]]
    print(table(rows, ["FIELD", "VALUE"]))
    if version.instructions:
        print(f"\ninstructions:\n  {version.instructions}")
    return 0
