"""02: a LlamaIndex query engine over local documents."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("LlamaIndex: a query engine over local documents", '''
`FoundryAgentLLM` puts a Foundry v2 agent behind the LlamaIndex LLM interface. Here the
`grounded` agent (it answers only from the context it is given) answers questions over three
small local documents, through a summary index, a vector index, streaming, async and a chat
engine, with the agent's own token counts.
'''),
    md("## The documents"),
    code('''
from llama_index.core import SimpleDirectoryReader

# three short product documents shipped with the package (the demo uses them too)
from foundry_agents.cli.demo import SAMPLE_DOCS

documents = SimpleDirectoryReader(str(SAMPLE_DOCS)).load_data()
for doc in documents:
    print(f"{doc.metadata['file_name']:<12} {doc.text.splitlines()[0]}")
'''),
    md("## The LLM"),
    code('''
from llama_index_foundry import FoundryAgentLLM

llm = FoundryAgentLLM("grounded", project_endpoint=ENDPOINT, api_key=API_KEY)
print(llm.metadata.model_name, llm.metadata.is_function_calling_model)
print(llm.complete("What is the capital of France?").text)  # no context: it says so
'''),
    md('''
## A summary index (no embeddings)

Every document goes into the prompt; the query engine puts it in front of the question.
'''),
    code('''
from llama_index.core import SummaryIndex

engine = SummaryIndex.from_documents(documents).as_query_engine(llm=llm)
print(engine.query("How long does the Rover battery last?"))
'''),
    md('''
## A vector index

In a real project use your embedding deployment (for example `AzureOpenAIEmbedding`). To stay
offline and deterministic, this notebook uses `LocalHashEmbedding`, the package's tiny hashed
bag-of-words embedding for demos and tests (no key, no download).
'''),
    code('''
from llama_index.core import VectorStoreIndex
from llama_index_foundry.embeddings import LocalHashEmbedding

index = VectorStoreIndex.from_documents(documents, embed_model=LocalHashEmbedding())
engine = index.as_query_engine(llm=llm, similarity_top_k=1)
for question in ("What does the warranty cover?", "How much free space does the dock need?"):
    answer = engine.query(question)
    source = answer.source_nodes[0]
    print(f"Q: {question}\\nA: {answer}\\n   source: {source.node.metadata['file_name']} (score {source.score:.2f})\\n")
'''),
    md("## Streaming and async"),
    code('''
streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
for token in streaming.query("How long does a full recharge take?").response_gen:
    print(token, end="|", flush=True)
print()

print(await engine.aquery("When should I replace the battery?"))
'''),
    md('''
## A chat engine: follow-up questions

`condense_plus_context` retrieves fresh context for every turn and sends it as a system message;
system messages are always sent, even when the conversation is chained.
'''),
    code('''
chat = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm, similarity_top_k=1)
print(chat.chat("How do I connect the Rover to Wi-Fi?"))
print(chat.chat("How long does the first cleaning run take to map my home?"))
'''),
    md('''
## Token counting

The agent reports its usage; `TokenCountingHandler` reads those numbers (streaming included).
Query engines hand `Settings.callback_manager` to their LLM when they are built.
'''),
    code('''
from llama_index.core import Settings
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

counter = TokenCountingHandler()
Settings.callback_manager = CallbackManager([counter])
counted = index.as_query_engine(llm=llm, similarity_top_k=1)
counted.query("How long does the Rover battery last?")
print("prompt:", counter.prompt_llm_token_count, "completion:", counter.completion_llm_token_count,
      "LLM calls:", len(counter.llm_token_counts))
Settings.callback_manager = CallbackManager([])
'''),
    *END,
]
