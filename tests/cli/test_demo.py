"""``foundry-agents demo``: the tour runs, every section shows what it promised, and degrades gracefully."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ._cli import ROOT, assert_one_line_error, clean_env, cli

SECTIONS = 8
FRAMEWORKS = ("langchain_core", "langchain", "langgraph", "llama_index", "langchain_foundry_agents",
              "llama_index_foundry")


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    return cli("demo", timeout=120)


def section(output: str, number: int) -> str:
    start = output.index(f"[{number}/{SECTIONS}]")
    end = output.find(f"[{number + 1}/{SECTIONS}]", start)
    return output[start:end if end != -1 else output.index("=" * 20, start)]


def test_demo_exits_0_with_every_section_ok(demo: subprocess.CompletedProcess[str]) -> None:
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Traceback" not in demo.stderr
    assert re.search(r"^emulator: http://127\.0\.0\.1:\d+/api/projects/emulator ", demo.stdout, re.M)
    summary = demo.stdout.split("=" * 20)[-1]
    assert len(re.findall(r" ok +\d+\.\d\d s$", summary, re.M)) == SECTIONS, summary
    assert "error" not in demo.stdout and "skipped" not in demo.stdout


@pytest.mark.parametrize(("number", "expected"), [
    (1, ["ChatPromptTemplate | ChatFoundryAgent('echo') | StrOutputParser()",
         "streamed: Echo v2: Say hello to Ada from the LCEL chain.",
         "[tokens (gpt-4.1-mini): in "]),
    (2, ["echo:1  answered by echo:1: Echo: Which version are you?",
         "echo    answered by echo:2: Echo v2: Which version are you?"]),
    (3, ["grounded> My locker code is 4417.",
         "a new conversation, same question> I don't know"]),
    (4, ["[function call] get_weather({'location': 'Paris'}) -> 'sunny, 21 C'",
         "weather> The weather in Paris: sunny, 21 C   (2 agent calls)"]),
    (5, ["A: The Contoso Rover battery lasts 90 minutes on a full charge.",
         "source: battery.md",
         "A: The warranty covers the motors and the electronics, but not brushes or filters.",
         "source: warranty.md"]),
    (6, ["triage -> ask_weather -> weather -> get_weather({\"location\":\"Lisbon\"})",
         "triage -> ask_researcher -> researcher -> web search, 2 citations",
         "- Weather: The weather in Lisbon: clear skies, 24 C",
         "[tokens (all agents): in "]),
    (7, ["[in_progress] parallel_1_forecast_2 (forecast)", "[completed] writer_2 (writer)",
         "trip-planner> ...", "The weather in Lisbon",
         "as the sub-agent tool 'ask_trip-planner': 8 action updates reached the caller, last writer_2:completed"]),
    (8, ["summed here: units = 924, revenue = 20356",
         "uploaded sales.csv (122 bytes) from its path; deleted after the call: yes",
         "coder> The sums of sales.csv are units = 924, revenue = 20356.",
         "logs: units 924 | revenue 20356",
         "generated files: report.csv, chart.png; downloaded to ",
         "column,sum | units,924 | revenue,20356",
         "painter> Here is your picture of lighthouse at dusk."]),
])
def test_section_shows_its_use_case(demo: subprocess.CompletedProcess[str], number: int,
                                    expected: list[str]) -> None:
    text = section(demo.stdout, number)
    for line in expected:
        assert line in text, text
    usage = re.findall(r"\[tokens[^:]*: in (\d+), out (\d+), total (\d+)", text)
    assert usage and all(int(total) == int(i) + int(o) > 0 for i, o, total in usage), text


def test_files_section_leaves_what_it_printed_on_disk(demo: subprocess.CompletedProcess[str]) -> None:
    text = section(demo.stdout, 8)
    folder = Path(re.search(r"downloaded to (\S+):$", text, re.M)[1])
    try:
        listed = dict(re.findall(r"^ {4}(\S+) +(\d+) bytes ", text, re.M))
        assert set(listed) == {"report.csv", "chart.png"}
        for name, size in listed.items():
            assert (folder / name).stat().st_size == int(size)
        assert (folder / "report.csv").read_text().splitlines() == ["column,sum", "units,924", "revenue,20356"]
        assert "chart.png   " in text and " 96x64 PNG" in text
        image = Path(re.search(r"^  image saved: (\S+) \((\d+) bytes, 64x64 image/png\)$", text, re.M)[1])
        assert image.parent == folder and image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    finally:
        shutil.rmtree(folder)


class Writes(io.StringIO):
    """Records every write, to see text arrive piece by piece."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_lcel_section_prints_tokens_as_they_arrive(emulator_endpoint: str, emulator_token: str) -> None:
    from foundry_agents.cli.demo import Tour, lcel_streaming

    out = Writes()
    with Tour(emulator_endpoint, emulator_token, out) as tour:
        lcel_streaming(tour)
    streamed = out.writes[out.writes.index("  streamed: "):]
    pieces = streamed[1:streamed.index("\n")]
    assert "".join(pieces) == "Echo v2: Say hello to Ada from the LCEL chain."
    assert len([p for p in pieces if p]) >= 5  # word by word, not one block
    assert tour.usage.total_tokens > 0


def test_without_frameworks_sections_are_skipped_and_the_rest_runs(connect: list[str]) -> None:
    """No langchain / llama-index installed: one line per skipped section, exit 0; also ``--endpoint``."""
    script = textwrap.dedent(f"""
        import sys

        class Missing:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {FRAMEWORKS!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, Missing())
        from foundry_agents.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    proc = subprocess.run([sys.executable, "-c", script, "demo", *connect], capture_output=True, text=True,
                          env=clean_env(), cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "project: http://127.0.0.1:" in proc.stdout  # the --endpoint path, not the embedded emulator
    for number, extra in [(1, "langchain"), (3, "langchain"), (4, "langchain"), (5, "llama-index"), (7, "langchain")]:
        assert f"pip install 'foundry-agents[{extra}]'" in section(proc.stdout, number)
    assert "answered by echo:1" in section(proc.stdout, 2)
    assert "triage -> ask_weather -> weather" in section(proc.stdout, 6)
    summary = proc.stdout.split("=" * 20)[-1]
    assert len(re.findall(r" skipped ", summary)) == 5 and len(re.findall(r" ok ", summary)) == 3
    assert "coder> The sums of sales.csv are units = 924" in section(proc.stdout, 8)  # the core needs no framework
    shutil.rmtree(re.search(r"downloaded to (\S+):$", proc.stdout, re.M)[1])


def test_bad_endpoint_exits_2_before_the_tour() -> None:
    proc = cli("demo", "--endpoint", "not-a-url")
    assert_one_line_error(proc, code=2, mentions="endpoint")
    assert proc.stdout == ""


def test_importing_the_cli_imports_no_framework() -> None:
    script = ("import sys, foundry_agents, foundry_agents.cli.demo\n"
              "from foundry_agents.cli import build_parser\n"
              "build_parser()\n"
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=clean_env(),
                          cwd=ROOT, timeout=60, check=True)
    assert proc.stdout.strip() == "[]"
