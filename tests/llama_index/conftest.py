"""Fixtures of the LlamaIndex adapter tests: LLMs on the emulator, and Settings that cannot
reach OpenAI (a stray default LLM or embedding would fail loudly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from llama_index.core import Settings
from llama_index.core.base.llms.types import CompletionResponse, LLMMetadata
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import CustomLLM

from llama_index_foundry import FoundryAgentLLM


class NoDefaultLLM(CustomLLM):
    """Stands in for Settings.llm: any use means a component ignored the LLM it was given."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        raise AssertionError("Settings.llm was used; pass llm= explicitly")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise AssertionError("Settings.llm was used; pass llm= explicitly")


@pytest.fixture(autouse=True)
def offline_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    saved = (Settings._llm, Settings._embed_model, Settings._callback_manager)
    Settings.llm = NoDefaultLLM()
    Settings.embed_model = MockEmbedding(embed_dim=8)
    yield
    Settings._llm, Settings._embed_model, Settings._callback_manager = saved


@pytest.fixture
def make_llm(emulator_endpoint: str, emulator_token: str) -> Callable[..., FoundryAgentLLM]:
    """``make_llm("echo:1", **options)``: a FoundryAgentLLM on the session emulator."""

    def make(agent: str, **kwargs: Any) -> FoundryAgentLLM:
        kwargs.setdefault("max_retries", 0)
        return FoundryAgentLLM(agent, project_endpoint=emulator_endpoint, api_key=emulator_token, **kwargs)

    return make
