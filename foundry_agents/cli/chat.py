"""``foundry-agents chat AGENT[:VERSION]``: a streaming REPL with conversation memory.

Commands: ``/reset`` forgets the conversation, ``/version [V|latest]`` shows or switches the
version, ``/help``, ``/quit``. Function calls the agent makes are shown as they happen and their
output is asked for; MCP approval requests are asked as y/n; an OAuth consent link is shown and
the turn sent again once the user signed in; a computer call asks for a screenshot file. The agent (and any version switched
to) is looked up when chosen, so a wrong name fails at once. Ctrl-C cancels the answer being
streamed; Ctrl-D, or Ctrl-C twice at the prompt, ends the session.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from ..client import FoundryAgentsClient
from ..errors import APIError, FoundryConfigError
from ..messages import (
    ApprovalResponsePart,
    ComputerCallOutputPart,
    Message,
    ToolResultPart,
    data_uri,
)
from ..reference import AgentRef
from ..response import (
    AgentResponse,
    ComputerCallItem,
    FunctionCallItem,
    McpApprovalRequestItem,
    OAuthConsentRequestItem,
    ServerToolCallItem,
)
from ..streaming import ItemDone, ResponseDone, TextDelta
from . import add_connection_arguments, one_line
from ._connect import client_from_args

HELP = "commands: /reset (new conversation), /version [V|latest], /help, /quit; Ctrl-C cancels an answer"


def register(sub: Any) -> None:
    parser = sub.add_parser("chat", help="chat with an agent (streaming REPL)",
                            description=f"Chat with a Foundry agent. {HELP}")
    parser.add_argument("agent", metavar="AGENT[:VERSION]")
    parser.add_argument("--conversation", metavar="CONV_ID", help="continue a server-side conversation")
    add_connection_arguments(parser)
    parser.set_defaults(run=run)


class Spinner:
    """Shows that we are waiting for the first token: animated on a terminal, one line otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.stream.isatty():
            print("[waiting for the agent...]", file=self.stream, flush=True)
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        for frame in itertools.cycle("|/-\\"):
            if self._stop.wait(0.1):
                break
            self.stream.write(f"\r{frame} waiting for the agent ")
            self.stream.flush()
        self.stream.write("\r" + " " * 24 + "\r")
        self.stream.flush()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None


class ChatSession:
    """The REPL state: the agent reference and where the conversation stands."""

    def __init__(self, client: FoundryAgentsClient, agent: AgentRef, *, conversation: str | None,
                 stdin: TextIO, stdout: TextIO, stderr: TextIO) -> None:
        self.client, self.agent, self.conversation = client, agent, conversation
        self.previous: str | None = None
        self.resolved: str | None = None
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.failed = False
        self.interrupted = False  # Ctrl-C at the prompt once; a second one in a row quits

    def check(self, agent: AgentRef) -> None:
        """One GET: the agent (and version) exists, before any message is sent to it."""
        self.client.get_agent_version(agent.name, agent.version)

    def ask(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        return None if not line else line.rstrip("\n")

    def command(self, line: str) -> bool:
        """Handle a /command; False means quit."""
        name, _, arg = line.partition(" ")
        if name in ("/quit", "/exit"):
            return False
        if name == "/reset":
            self.previous, self.conversation = None, None
            print("[conversation reset]", file=self.stdout)
        elif name == "/version":
            if arg.strip():
                version = None if arg.strip() == "latest" else arg.strip()
                try:
                    chosen = AgentRef.parse(self.agent.name, version=version)
                    self.check(chosen)
                except (APIError, FoundryConfigError) as exc:
                    print(f"error: {one_line(str(exc))}; still talking to {self.agent}", file=self.stderr, flush=True)
                    self.failed = True
                    return True
                self.agent = chosen
                # Versions of one agent share the conversation: the history is kept.
                print(f"[now talking to {self.agent}; conversation kept, /reset to start over]", file=self.stdout)
            else:
                print(f"[agent {self.agent}; last answer from version {self.resolved or '?'}]", file=self.stdout)
        else:
            print(HELP, file=self.stdout)
        return True

    def turn(self, items: list[Message]) -> AgentResponse:
        spinner = Spinner(self.stderr)
        spinner.start()
        waiting = True
        options: dict[str, Any] = {"input": items}
        if self.conversation:
            options["conversation"] = self.conversation
        elif self.previous:
            options["previous_response_id"] = self.previous
        try:
            with self.client.stream_response(self.agent, **options) as stream:
                for event in stream:
                    if waiting:
                        spinner.stop()
                        waiting = False
                    if isinstance(event, TextDelta):
                        self.stdout.write(event.delta)
                        self.stdout.flush()
                    elif isinstance(event, ItemDone):
                        self.show_item(event.item)
                    elif isinstance(event, ResponseDone):
                        return event.response
        finally:
            spinner.stop()
        raise AssertionError("unreachable: streams end with ResponseDone or raise")

    def show_item(self, item: Any) -> None:
        if isinstance(item, FunctionCallItem):
            print(f"\n[function call] {item.name}({item.arguments})", file=self.stdout, flush=True)
        elif isinstance(item, OAuthConsentRequestItem):
            print(f"\n[consent needed] {item.server_label or 'an MCP tool'} asks you to sign in: {item.consent_link}",
                  file=self.stdout, flush=True)
        elif isinstance(item, ComputerCallItem):
            print(f"\n[computer call] {json.dumps(item.action)}", file=self.stdout, flush=True)
        elif isinstance(item, ServerToolCallItem) and item.type not in ("mcp_list_tools",):
            print(f"\n[{item.type}] {item.status or ''}".rstrip(), file=self.stdout, flush=True)

    def answers(self, response: AgentResponse, sent: list[Message]) -> list[Message] | None:
        """Ask the user for pending function outputs, approvals, consents and screenshots; None when
        stdin ended. After an OAuth consent the turn ``sent`` goes again (chained to this response)."""
        if response.oauth_consent_requests:
            out = self.ask("open the link above and sign in, then press Enter to send your message again "
                           "(or type 'skip')> ")
            if out is None:
                return None
            return [] if out.strip().lower() == "skip" else sent
        parts: list[Any] = []
        for item in response.pending_items:
            if isinstance(item, FunctionCallItem):
                out = self.ask(f"output of {item.name}({item.arguments})> ")
                if out is None:
                    return None
                parts.append(ToolResultPart(item.call_id, out))
            elif isinstance(item, McpApprovalRequestItem):
                while True:
                    out = self.ask(f"approve {item.name} on {item.server_label}({item.arguments or ''})? [y/n] ")
                    if out is None:
                        return None
                    if out.strip().lower() in ("y", "yes", "n", "no"):
                        break
                parts.append(ApprovalResponsePart(item.id, out.strip().lower() in ("y", "yes")))
            elif isinstance(item, ComputerCallItem):
                part = self.screenshot(item)
                if part is None:
                    return None
                parts.append(part)
        return [Message("tool", parts)] if parts else []

    def screenshot(self, item: ComputerCallItem) -> ComputerCallOutputPart | None:
        """A computer call's answer: a PNG screenshot file the user names (asked again until it reads)."""
        while True:
            out = self.ask(f"screenshot (PNG file) after {json.dumps(item.action)}> ")
            if out is None:
                return None
            try:
                data = Path(out.strip()).expanduser().read_bytes()
            except OSError as exc:
                print(f"cannot read {out.strip()!r}: {exc.strerror or exc}", file=self.stderr, flush=True)
                continue
            return ComputerCallOutputPart(item.call_id, image_url=data_uri(data, "image/png"),
                                          acknowledged_safety_checks=item.pending_safety_checks)

    def exchange(self, text: str) -> bool:
        items: list[Message] = [Message("user", text)]
        while True:
            self.stdout.write("agent> ")
            self.stdout.flush()
            try:
                response = self.turn(items)
            except (APIError, FoundryConfigError) as exc:
                print(f"\nerror: {one_line(str(exc))}", file=self.stderr, flush=True)
                self.failed = True
                return True
            except KeyboardInterrupt:  # cancels this answer only; the session goes on
                print("\n[cancelled]", file=self.stderr, flush=True)
                return True
            self.previous = response.id
            self.resolved = response.agent.version if response.agent else self.resolved
            if response.output_text:
                self.stdout.write("\n")
            usage = response.usage
            if usage:
                print(f"[{response.model_name} | tokens in {usage.input_tokens}, out {usage.output_tokens}]",
                      file=self.stderr, flush=True)
            if response.incomplete_reason:
                print(f"[incomplete: {response.incomplete_reason}]", file=self.stderr, flush=True)
            try:
                next_items = self.answers(response, items)
            except KeyboardInterrupt:
                print("\n[cancelled]", file=self.stderr, flush=True)
                return True
            if next_items is None:
                return False
            if not next_items:
                return True
            items = next_items

    def loop(self) -> int:
        print(f"chatting with {self.agent} at {self.client.endpoint.url}  ({HELP})", file=self.stderr, flush=True)
        while True:
            try:
                line = self.ask("you> ")
            except KeyboardInterrupt:
                if self.interrupted:
                    raise
                self.interrupted = True
                print("\n[Ctrl-C again or Ctrl-D to quit]", file=self.stderr, flush=True)
                continue
            self.interrupted = False
            if line is None:
                self.stdout.write("\n")
                break
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not self.command(line):
                    break
                continue
            if not self.exchange(line):
                break
        return 1 if self.failed else 0


def run(args: argparse.Namespace) -> int:
    agent = AgentRef.parse(args.agent)
    with client_from_args(args) as client:
        session = ChatSession(client, agent, conversation=args.conversation,
                              stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)
        session.check(agent)
        return session.loop()
