"""``LocalHashEmbedding``: the offline embedding the docs, notebooks and demo share."""

from __future__ import annotations

import math
import pickle

import pytest
from llama_index.core import Document, VectorStoreIndex

from llama_index_foundry.embeddings import LocalHashEmbedding, hash_embedding


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def test_same_text_same_vector_and_words_decide_closeness():
    embed = LocalHashEmbedding()
    tower = embed.get_text_embedding("The Eiffel Tower was completed in 1889.")
    assert tower == LocalHashEmbedding().get_text_embedding("the eiffel TOWER was completed in 1889")
    query = embed.get_query_embedding("When was the Eiffel Tower completed?")
    fuji = embed.get_text_embedding("Mount Fuji last erupted in 1707.")
    assert cosine(query, tower) > cosine(query, fuji)


@pytest.mark.parametrize(("dim", "text", "total"), [(256, "a b c a", 4.0), (8, "one two three", 3.0), (16, "", 0.0)])
def test_vector_length_is_dim_and_counts_every_word(dim, text, total):
    vector = LocalHashEmbedding(dim=dim).get_text_embedding(text)
    assert len(vector) == dim and sum(vector) == total
    assert vector == hash_embedding(text, dim)


def test_bad_dim_is_refused():
    with pytest.raises(ValueError, match="dim"):
        LocalHashEmbedding(dim=0)


async def test_async_and_batch_match_sync():
    embed = LocalHashEmbedding()
    assert await embed.aget_query_embedding("rain in Oslo") == embed.get_query_embedding("rain in Oslo")
    assert await embed.aget_text_embedding_batch(["a", "b"]) == embed.get_text_embedding_batch(["a", "b"])


def test_a_vector_index_finds_the_right_document_offline():
    docs = [Document(text="The Eiffel Tower was completed in 1889."), Document(text="Mount Fuji is 3,776 metres tall.")]
    index = VectorStoreIndex.from_documents(docs, embed_model=LocalHashEmbedding())
    (best,) = index.as_retriever(similarity_top_k=1).retrieve("How tall is Mount Fuji?")
    assert best.node.get_content() == "Mount Fuji is 3,776 metres tall."


def test_round_trips_as_llama_index_config():
    embed = LocalHashEmbedding(dim=32)
    assert embed.to_dict()["class_name"] == "LocalHashEmbedding"
    again = pickle.loads(pickle.dumps(embed))
    assert again.dim == 32 and again.get_text_embedding("x") == embed.get_text_embedding("x")
