"""``LocalHashEmbedding``: an offline, deterministic embedding for demos, notebooks and tests.

``VectorStoreIndex.from_documents(docs)`` needs an embedding model, and LlamaIndex's default is
OpenAI's (an API key and the network). To run the examples offline, pass this one instead::

    VectorStoreIndex.from_documents(docs, embed_model=LocalHashEmbedding())

It is a hashed bag of words: each word adds 1 to one of ``dim`` buckets, so texts that share
words are close. Nothing is downloaded and the same text always gets the same vector. It finds
the right document among a few, not meaning: use your embedding deployment (for example
``AzureOpenAIEmbedding``) for real work.
"""

from __future__ import annotations

import re
import zlib

from llama_index.core.embeddings import BaseEmbedding
from pydantic import Field

__all__ = ["LocalHashEmbedding", "hash_embedding"]

_WORD = re.compile(r"[a-z0-9]+")


def hash_embedding(text: str, dim: int = 256) -> list[float]:
    """Word counts hashed (CRC-32) into ``dim`` buckets; pure and deterministic."""
    vector = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        vector[zlib.crc32(word.encode()) % dim] += 1.0
    return vector


class LocalHashEmbedding(BaseEmbedding):
    """A local hashed bag-of-words embedding (no downloads, no service, no key)."""

    model_name: str = Field(default="local-hash", description="The name reported in LlamaIndex's metadata.")
    dim: int = Field(default=256, gt=0, description="Number of hash buckets (the vector length).")

    @classmethod
    def class_name(cls) -> str:
        return "LocalHashEmbedding"

    def _get_text_embedding(self, text: str) -> list[float]:
        return hash_embedding(text, self.dim)

    def _get_query_embedding(self, query: str) -> list[float]:
        return hash_embedding(query, self.dim)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return hash_embedding(query, self.dim)
