"""``foundry-agents chat``: the REPL driven through stdin, as a user would type into it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from foundry_agents import FoundryAgentsClient
from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from foundry_agents.emulator.png import screen

from ._cli import ROOT, assert_one_line_error, clean_env, cli, command


def chat(agent: str, connect: list[str], *lines: str, extra: tuple[str, ...] = ()):
    return cli("chat", agent, *connect, *extra, stdin="".join(f"{line}\n" for line in lines))


def test_turns_versions_and_reset(connect: list[str]) -> None:
    proc = chat("echo", connect, "hello there", "second turn", "/version", "/version 1", "again",
                "/version latest", "back to latest", "/reset", "/help", "/quit", "never sent")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "agent> Echo v2: hello there\n" in out
    assert "agent> Echo v2: second turn\n" in out
    assert "[agent echo; last answer from version 2]" in out
    assert "[now talking to echo:1; conversation kept, /reset to start over]" in out
    assert "agent> Echo: again\n" in out
    assert "agent> Echo v2: back to latest\n" in out
    assert "[conversation reset]" in out
    assert "/reset" in out.split("[conversation reset]")[1]  # /help lists the commands
    assert "never sent" not in out  # /quit ended the session
    assert proc.stderr.startswith("chatting with echo at ")
    assert proc.stderr.count("tokens in") == 4  # one usage line per answer


def test_end_of_input_ends_the_session(connect: list[str]) -> None:
    proc = chat("echo", connect, "only turn")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith("you> \n")


def test_text_is_streamed_as_it_arrives(connect: list[str]) -> None:
    """The ``slow`` agent sends one word every 50 ms: the first words show before the last exist."""
    words = [f"w{i}" for i in range(16)]
    proc = subprocess.Popen(command("chat", "slow", *connect), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=clean_env(), cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    reads: list[bytes] = []

    def reader() -> None:
        while chunk := os.read(proc.stdout.fileno(), 4096):  # type: ignore[union-attr]
            reads.append(chunk)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc.stdin.write((" ".join(words) + "\n").encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while b"w15" not in b"".join(reads) and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.stdin.write(b"/quit\n")
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    thread.join(timeout=5)
    snapshots = [b"".join(reads[: i + 1]).decode() for i in range(len(reads))]
    assert "agent> Slowly: " + " ".join(words) + "\n" in snapshots[-1]
    partial = [s for s in snapshots if "Slowly: w0" in s and "w15" not in s]
    assert partial, f"the answer arrived in one piece: {reads!r}"


def test_conversation_memory(connect: list[str]) -> None:
    proc = chat("grounded", connect, "My locker code is 4417.", "What is my locker code?", "/reset",
                "What is my locker code?")
    assert proc.returncode == 0, proc.stderr
    answers = [line for line in proc.stdout.split("agent> ")[1:]]
    assert "4417" in answers[1]
    assert "4417" not in answers[2] and "don't know" in answers[2]  # /reset forgot it


def test_server_side_conversation_across_sessions(connect: list[str], emulator_endpoint: str,
                                                  emulator_token: str) -> None:
    with FoundryAgentsClient(emulator_endpoint, api_key=emulator_token) as client:
        conversation = client.create_conversation().id
    first = chat("grounded", connect, "The staff meeting moved to Thursday.", extra=("--conversation", conversation))
    second = chat("grounded", connect, "When is the staff meeting?", extra=("--conversation", conversation))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "agent> The staff meeting moved to Thursday." in second.stdout


def test_function_call_is_shown_and_its_output_asked_for(connect: list[str]) -> None:
    proc = chat("weather", connect, "What's the weather in Paris?", "sunny, 21 C", "And in Oslo?", "snow")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert '[function call] get_weather({"location":"Paris"})\n' in out
    assert 'output of get_weather({"location":"Paris"})> agent> The weather in Paris: sunny, 21 C\n' in out
    assert '[function call] get_weather({"location":"Oslo"})\n' in out
    assert "The weather in Oslo: snow\n" in out


def test_function_output_cut_short_by_end_of_input(connect: list[str]) -> None:
    proc = chat("weather", connect, "What's the weather in Paris?")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith('output of get_weather({"location":"Paris"})>')


@pytest.mark.parametrize(("answers", "expected"), [
    (["y"], "[mcp_call] completed\nAccording to the docs tool: Documentation result for 'How do I export data?'"),
    (["yes"], "According to the docs tool"),
    (["n"], "The call to search_docs on docs was denied"),
    (["maybe", "N"], "The call to search_docs on docs was denied"),  # asked again until y or n
])
def test_approval_prompt(connect: list[str], answers: list[str], expected: str) -> None:
    proc = chat("approval", connect, "How do I export data?", *answers)
    assert proc.returncode == 0, proc.stderr
    prompt = 'approve search_docs on docs({"query":"How do I export data?"})? [y/n] '
    assert proc.stdout.count(prompt) == len(answers)
    assert expected in proc.stdout
    assert "[mcp_list_tools]" not in proc.stdout  # listing the server's tools is not news to the user


def test_unknown_agent_exits_1_with_request_id(connect: list[str]) -> None:
    proc = chat("nope", connect, "hi")
    line = assert_one_line_error(proc, code=1, mentions="404")
    assert "'nope'" in line and "request id" in line


def test_session_goes_on_after_an_error(connect: list[str]) -> None:
    proc = chat("echo", connect, "/version 7", "hi", "/version 1", "hi again")
    line = assert_one_line_error(proc, code=1, mentions="404")
    assert "still talking to echo" in line
    assert "agent> Echo v2: hi\n" in proc.stdout  # the unknown version was not adopted
    assert "agent> Echo: hi again" in proc.stdout


@pytest.mark.parametrize("agent", ["nosuch", "echo:9"])
def test_unknown_agent_or_version_fails_before_the_first_message(connect: list[str], agent: str) -> None:
    proc = chat(agent, connect)  # no message typed: the agent is checked when chosen
    line = assert_one_line_error(proc, code=1, mentions="404")
    assert "request id" in line
    assert "you>" not in proc.stdout


def test_unknown_version_is_refused_when_switched_to(connect: list[str]) -> None:
    proc = chat("echo", connect, "/version 9", "/version")
    line = assert_one_line_error(proc, code=1, mentions="404")
    assert "'9'" in line and "still talking to echo" in line
    assert "[now talking to echo:9" not in proc.stdout
    assert "[agent echo;" in proc.stdout


class Repl:
    """The chat REPL in a subprocess: type lines, read what it printed so far, send signals."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(command("chat", *args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=clean_env(), cwd=ROOT)
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.threads = [threading.Thread(target=self._read, args=(s, buf), daemon=True)
                        for s, buf in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _read(stream: Any, buf: list[bytes]) -> None:
        while chunk := os.read(stream.fileno(), 4096):
            buf.append(chunk)

    @property
    def stdout(self) -> str:
        return b"".join(self.out).decode()

    @property
    def stderr(self) -> str:
        return b"".join(self.err).decode()

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{line}\n".encode())
        self.proc.stdin.flush()

    def wait_for(self, text: str, *, where: str = "stdout", count: int = 1) -> None:
        deadline = time.monotonic() + 30
        while getattr(self, where).count(text) < count:
            assert time.monotonic() < deadline, f"never saw {text!r}: {self.stdout!r} {self.stderr!r}"
            time.sleep(0.01)

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def close(self) -> int:
        assert self.proc.stdin is not None
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for thread in self.threads:
                thread.join(timeout=5)


LONG = " ".join(f"w{i}" for i in range(400))  # the slow agent streams one word every 50 ms


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_cancels_the_streamed_answer_and_the_session_goes_on(connect: list[str]) -> None:
    repl = Repl("slow", *connect)
    try:
        repl.type(LONG)
        repl.wait_for("Slowly: w0")
        repl.interrupt()
        repl.wait_for("[cancelled]", where="stderr")
        repl.type("are you still there?")
        repl.wait_for("agent> Slowly: are you still there?\n")
        rc = repl.close()  # Ctrl-D
    finally:
        repl.close()
    assert rc == 0, repl.stderr
    assert "w399" not in repl.stdout  # the first answer was cut short
    assert "Traceback" not in repl.stderr and "interrupted" not in repl.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_twice_at_the_prompt_ends_the_session(connect: list[str]) -> None:
    repl = Repl("echo", *connect)
    try:
        repl.type("hi")
        repl.wait_for("you> ", count=2)
        repl.interrupt()
        repl.wait_for("Ctrl-C again or Ctrl-D to quit", where="stderr")
        repl.type("still here")  # one Ctrl-C at the prompt does not end the session
        repl.wait_for("agent> Echo v2: still here\n")
        repl.wait_for("you> ", count=3)
        repl.interrupt()
        repl.wait_for("Ctrl-C again or Ctrl-D to quit", where="stderr", count=2)
        repl.interrupt()
        assert repl.proc.wait(timeout=30) == 130
    finally:
        repl.close()
    assert "Traceback" not in repl.stderr


def test_bad_agent_reference_exits_2(connect: list[str]) -> None:
    assert_one_line_error(chat("asst_abc123", connect, "hi"), code=2, mentions="asst_")


# -- issue 14: OAuth consent and computer calls -----------------------------------------------------
_CONSENT_LINK = re.compile(r"asks you to sign in: (http://\S+/emulator/consent/oauthreq_\w+)")


def test_consent_link_is_shown_and_enter_resends_the_turn_once_signed_in() -> None:
    with run_emulator() as emu:  # its own emulator: the consent given here stays here
        repl = Repl("mcp-oauth", "--endpoint", str(emu.endpoint), "--api-key", EMULATOR_TOKEN)
        try:
            repl.type("What meetings do I have this week?")
            repl.wait_for("press Enter to send your message again (or type 'skip')> ")
            first = _CONSENT_LINK.findall(repl.stdout)
            assert len(first) == 1 and "[consent needed] calendar asks you to sign in: " in repl.stdout
            repl.type("")  # Enter before signing in: the service asks again, with a new link
            repl.wait_for("press Enter to send your message again", count=2)
            links = _CONSENT_LINK.findall(repl.stdout)
            assert len(links) == 2 and links[0] != links[1]
            assert httpx.get(links[1]).status_code == 200  # the user signs in in a browser
            repl.type("")
            repl.wait_for("[mcp_call] completed\nAccording to the calendar tool: 2 events match "
                          "'What meetings do I have this week?'")
            repl.wait_for("you> ", count=2)
            rc = repl.close()
        finally:
            repl.close()
    assert rc == 0, repl.stderr
    assert "Traceback" not in repl.stderr


def test_consent_can_be_skipped() -> None:
    with run_emulator() as emu:
        proc = chat("mcp-oauth", ["--endpoint", str(emu.endpoint), "--api-key", EMULATOR_TOKEN],
                    "Any meetings?", "skip", "Any meetings now?", "skip")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("[consent needed] calendar asks you to sign in: http://") == 2
    assert "According to" not in proc.stdout and proc.stdout.endswith("you> \n")


def test_computer_call_asks_for_a_screenshot_file_and_continues(connect: list[str], tmp_path: Path) -> None:
    shot = tmp_path / "screen.png"
    shot.write_bytes(screen(640, 480))
    proc = chat("computer", connect, "Press the blue button.", str(tmp_path / "missing.png"), str(shot), str(shot))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert '[computer call] {"type": "screenshot"}\n' in out
    assert out.count('screenshot (PNG file) after {"type": "screenshot"}> ') == 2  # asked again: no such file
    assert "cannot read" in proc.stderr and "missing.png" in proc.stderr
    assert '[computer call] {"type": "click", "button": "left", "x": 320, "y": 240}\n' in out
    assert "agent> Done: I clicked at (320, 240) on a 640x480 screen.\n" in out  # it saw our screenshot


def test_computer_call_cut_short_by_end_of_input(connect: list[str]) -> None:
    proc = chat("computer", connect, "Press the blue button.")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith('screenshot (PNG file) after {"type": "screenshot"}>')
