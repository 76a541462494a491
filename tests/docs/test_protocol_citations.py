"""Docstrings cite the protocol notes users have (docs/protocol.md), by section title."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("foundry_agents", "langchain_foundry_agents", "llama_index_foundry")
CITATION = re.compile(r'docs/protocol\.md, "([^"]+)"(?: and "([^"]+)")?')  # may wrap over comment lines


def _sources() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_nothing_cites_the_internal_protocol_file():
    shipped = [*_sources(), ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    offenders = [str(p.relative_to(ROOT)) for p in shipped if "PROTOCOL.md" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_every_cited_section_exists():
    titles = {line[3:].strip().replace("`", "")
              for line in (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8").splitlines()
              if line.startswith("## ")}
    cited = {" ".join(title.replace("#:", " ").split()) for p in _sources()
             for match in CITATION.finditer(p.read_text(encoding="utf-8")) for title in match.groups() if title}
    assert cited >= {"Endpoints and routes", "Request body", "Response object and pending work", "Stream events",
                     "Conversation state"}
    assert cited <= titles, cited - titles
