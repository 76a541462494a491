"""Cells every notebook shares: the markdown/code constructors, the emulator start, the end."""

from __future__ import annotations

Cell = tuple[str, str]  # ("md" | "code", source)


def md(source: str) -> Cell:
    return ("md", source.strip("\n"))


def code(source: str) -> Cell:
    return ("code", source.strip("\n"))


def start(title: str, intro: str) -> list[Cell]:
    """The title, the emulator cell and how to use a real project instead."""
    return [
        md(f"# {title}\n\n{intro.strip()}\n\nEverything below runs as is against the local Foundry v2 "
           "emulator that the next cell starts in-process (no Azure needed)."),
        code('''
from contextlib import ExitStack

from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator

stack = ExitStack()                        # closed in the last cell
emu = stack.enter_context(run_emulator())  # a local Foundry v2 agent service on a free port
ENDPOINT, API_KEY = emu.endpoint, EMULATOR_TOKEN
print(ENDPOINT)
'''),
        md('''
**Using a real Foundry project instead.** Skip the cell above and run the one below with the
lines uncommented. Set `FOUNDRY_PROJECT_ENDPOINT` to
`https://<resource>.services.ai.azure.com/api/projects/<project>` and sign in (`az login`, a
managed identity, ...): with `API_KEY = None` the adapters use `DefaultAzureCredential`. The
project needs agents with the names used here (the emulator's built-ins: `echo`, `grounded`,
`weather`, `researcher`, `triage`, `approval`, `calendar`; see `docs/emulator.md` for their
definitions), or change the names.
'''),
        code('''
# import os
# from contextlib import ExitStack
#
# stack = ExitStack()
# ENDPOINT = os.environ["FOUNDRY_PROJECT_ENDPOINT"]
# API_KEY = None  # DefaultAzureCredential; or a token from `az account get-access-token --resource https://ai.azure.com`
'''),
    ]


END = [md("Stop the emulator (with a real project, this closes nothing)."), code("stack.close()")]
