"""08: batch evaluation of an agent over a dataset, with a progress bar, resume and a score."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("Batch evaluation", '''
Evaluate an agent over a dataset: `run_batch` sends every prompt with bounded concurrency and a
rate limiter that adapts to 429s, shows a progress bar, writes one output record per prompt as it
completes (so a re-run resumes where it stopped), and returns a summary with tokens and
latencies. The same run goes to several processes or a Ray cluster (`docs/batch.md`).
'''),
    md("## A small evaluation set: prompts and the answers we expect"),
    code('''
import json
import tempfile
from pathlib import Path

CITIES = ["Paris", "Rome", "Oslo", "Lima", "Cairo", "Tokyo", "Quito", "Hanoi", "Dakar", "Perth",
          "Kyiv", "Riga", "Bern", "Doha", "Suva", "Baku", "Male", "Apia", "Lome", "Oran"]
dataset = [{"id": f"q{i:02d}", "input": f"Tell me about {city}", "metadata": {"city": city}}
           for i, city in enumerate(CITIES)]
expected = {row["id"]: row["metadata"]["city"] for row in dataset}
workdir = Path(tempfile.mkdtemp())
(workdir / "eval.jsonl").write_text("".join(json.dumps(row) + "\\n" for row in dataset))
print(len(dataset), "prompts in", workdir / "eval.jsonl")
'''),
    md('''
## Run it, with a progress bar

`Progress` draws on stderr: redrawn in place in a terminal, a plain line every `plain_interval`
seconds elsewhere (as here). `JsonlSink` appends each record as it completes, and flushes it.
Half the set first, as if the run had been stopped part-way:
'''),
    code('''
import sys

from foundry_agents.batch import JsonlSink, Progress, parse_lines, run_batch

records = parse_lines((workdir / "eval.jsonl").read_text().splitlines(), source="eval.jsonl")
with JsonlSink(workdir / "answers.jsonl") as sink:
    summary = run_batch(records[:10], sink, agent="echo", concurrency=4, project_endpoint=ENDPOINT,
                        api_key=API_KEY, progress=Progress(sys.stderr, plain_interval=0.5))
print(summary.line())
'''),
    md("## Resume: the ids already answered are skipped"),
    code('''
with JsonlSink(workdir / "answers.jsonl") as sink:
    summary = run_batch(records, sink, agent="echo", concurrency=4, project_endpoint=ENDPOINT,
                        api_key=API_KEY, progress=Progress(sys.stderr, plain_interval=0.5))
print(summary.line())
answers = [json.loads(line) for line in (workdir / "answers.jsonl").read_text().splitlines()]
print(len(answers), "answers,", len({a["id"] for a in answers}), "distinct ids")
'''),
    md('''
## Score the answers

Each output record carries the answer, its usage and latency, or the error (type, message, HTTP
status, request id). Here the score is whether the answer names the expected city:
'''),
    code('''
scored = [(a["id"], a["status"] == "completed" and expected[a["id"]] in a["output_text"]) for a in answers]
accuracy = sum(ok for _, ok in scored) / len(scored)
print(f"accuracy: {accuracy:.0%} over {len(scored)} prompts")
print("example:", answers[0]["id"], "->", answers[0]["output_text"], answers[0]["usage"])
print(f"tokens: {summary.input_tokens} in / {summary.output_tokens} out (this run)")
'''),
    md('''
## Errors are records, not crashes

A record that fails (here a conversation that does not exist) is written with its error, and the
run goes on:
'''),
    code('''
from foundry_agents.batch import ListSink

sink = ListSink()
summary = run_batch([{"id": "ok", "input": "fine"}, {"id": "bad", "input": "x", "conversation": "conv_missing"}],
                    sink, agent="echo", project_endpoint=ENDPOINT, api_key=API_KEY)
for record in sink.records:
    print(record["id"], record["status"], record.get("error", {}).get("type", ""))
print(summary.ok, "ok,", summary.failed, "failed")
'''),
    md('''
The command line does the same: `foundry-agents batch eval.jsonl --agent echo -o answers.jsonl`
(add `--engine ray --workers 4` for a Ray cluster).
'''),
    *END,
]
