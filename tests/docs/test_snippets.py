"""The Python blocks of README.md and docs/*.md run as written, against the emulator.

Per file, the blocks run in reading order in one shared namespace (as a reader pasting them into
one session would), with ``FOUNDRY_PROJECT_ENDPOINT`` and ``FOUNDRY_API_KEY`` pointing at a fresh
in-process emulator. A block marked ``<!-- no-run: reason -->`` is skipped (CONTRIBUTING.md).
What the blocks print is checked too: a reader must see answers, not empty lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from tests._otel import reset_otel_globals

from ._snippets import python_blocks, run_snippet

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK_TIMEOUT = 60.0

#: What a reader sees when following each file (a few lines each, not the whole output).
EXPECTED = {
    "README.md": [
        "The weather in Paris: ",  # the headline core example answers
        "forecast:1",  # ... and names the version that answered
        "The weather in Rome: ",  # the streamed answer
        "get_weather {'location': 'Oslo'}",  # a function-calling agent's pending call
        "The weather in Oslo: Sunny, 21C in Oslo",  # ... answered by run_with_tools
        "The Eiffel Tower was completed in 1889.",  # LlamaIndex query engine, offline embedding
        "Here is what I found:",  # the triage orchestrator's merged answer
        "In short: The weather in Paris: ",  # fan_out merged by the writer
        "Echo: hi",  # the in-process emulator
        "Echo v2: Hi",  # migrating from extra_body
        "completed Finished the long task: Index the archive",  # a background response waited for
    ],
    "langchain.md": [
        "The weather in Paris: ",
        "Echo: Hello",
        "My name is Ada.",
        "The weather in Paris: Sunny, 21C",
        "According to the docs tool",
        "denied",
        "name='Science fair'",
        "404",
        "report.csv\nchart.png\n",  # coder's files, downloaded
        "According to the calendar tool: 2 events match",  # after the OAuth consent
        "{'type': 'click', 'button': 'left', 'x': 48, 'y': 32}",  # the click inside the 96x64 screenshot
    ],
    "llama_index.md": [
        "The weather in Paris: ",
        "The Eiffel Tower was completed in 1889.",
        "Mount Fuji is 3,776 metres tall.",
        "prompt tokens:",
        "The weather in Paris: Sunny, 21C in Paris",
        "According to the docs tool",
        "date='2025-03-14'",
        "saved chart.png",  # a file code interpreter made, downloaded
    ],
    "emulator.md": ["/api/projects/emulator"],
    "telemetry.md": ["span: invoke_agent weather (output tokens: ", "get_weather"],
    "protocol.md": [],
    "files.md": ["FoundryConfigError - file (the bytes given) is empty", "purpose must be one of",
                 "file_id must be an id", "image type 'image/tiff' is not supported", "('image', 'chart.png', 'path')",
                 " sales.csv 29\nregion,sales\nTrue\n",  # uploaded, downloaded, deleted
                 "The sums of sales.csv are sales = 7.", "saved report.csv 19 bytes", "['column,sum', 'sales,7']",
                 "['chart.png'] True", "['chart.png', 'chart.png'] 2"],
    "batch.md": ["[0.0, 0.1, 0.2]", "Tell me about Paris", "3 ok, 0 failed of 3", "2 skipped, 1 sent", "3 lines",
                 "Echo", "8 ok on 2 processes"],
}
#: Documents without Python blocks (their blocks, if one is ever added, are still run).
PROSE_ONLY = {"protocol.md"}


def test_every_documented_file_is_checked():
    assert {p.name for p in DOCS} == set(EXPECTED)


@pytest.fixture
def emulator_env(monkeypatch):
    """A fresh emulator; its endpoint and token in the environment, nothing else configured."""
    monkeypatch.delenv("AZURE_AI_PROJECT_ENDPOINT", raising=False)
    with run_emulator() as emu:
        monkeypatch.setenv("FOUNDRY_PROJECT_ENDPOINT", emu.endpoint)
        monkeypatch.setenv("FOUNDRY_API_KEY", EMULATOR_TOKEN)
        yield emu


@pytest.fixture
def restore_llama_index_settings():
    """The docs set LlamaIndex's global ``Settings``; other tests must not inherit that."""
    from llama_index.core import Settings

    saved = dict(vars(Settings))
    yield
    vars(Settings).clear()
    vars(Settings).update(saved)


@pytest.fixture
def restore_otel_globals():
    """docs/telemetry.md sets OpenTelemetry's global tracer provider; no other test may inherit it."""
    reset_otel_globals()
    yield
    reset_otel_globals()


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_python_blocks_run_as_written(path, emulator_env, restore_llama_index_settings, restore_otel_globals, capsys):
    snippets = python_blocks(path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    ran = 0
    for snippet in snippets:
        if snippet.no_run:
            continue
        try:
            run_snippet(snippet, namespace, timeout=BLOCK_TIMEOUT)
        except Exception as exc:
            pytest.fail(f"the Python block at {snippet.where} fails as written: {type(exc).__name__}: {exc}\n"
                        f"{snippet.code}")
        ran += 1
    assert ran or path.name in PROSE_ONLY, f"{path.name} has no runnable Python block"
    shown = capsys.readouterr().out
    missing = [line for line in EXPECTED[path.name] if line not in shown]
    assert not missing, f"{path.name}: a reader would not see {missing}; the blocks printed:\n{shown}"
