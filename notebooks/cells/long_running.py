"""05: long-running agents — background responses, waiting, cancelling, resuming cut streams."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("Long-running agents", '''
Deep-research, code-interpreter and workflow agents can run for minutes. With `background=True`
the call returns at once and the agent keeps running on the service; you wait (polling with
backoff), cancel, or stream it, and a stream that is cut is resumed where it stopped. A
**continuation token** (response id + last event number) lets another process pick the response
up. Shown with the core, LangChain and LlamaIndex, on the emulator's `long_running` agent (its
run takes `metadata.duration` seconds) and `cutoff` agent (its first stream is cut).
'''),
    md("## The core: start, poll, wait"),
    code('''
from foundry_agents import FoundryAgentsClient

client = stack.enter_context(FoundryAgentsClient(ENDPOINT, api_key=API_KEY))
started = client.create_response("long_running", input="Index the archive", background=True,
                                 metadata={"duration": "1.5"})
print("created:", started.status)
print("a poll :", client.get_response(started.id).status)
done = client.wait_for_response(started, timeout=60, poll_interval=0.2)
print("waited :", done.status, "-", done.output_text)
'''),
    md('''
## A deadline, a token, and another process

`wait_for_response(..., timeout=...)` raises `WaitTimeoutError` (also a `TimeoutError`) when the
response is still running; its `continuation_token` is a plain string to store. Any client can
later wait for it, or cancel it.
'''),
    code('''
from foundry_agents import ContinuationToken, WaitTimeoutError

job = client.create_response("long_running", input="Rebuild the search index", background=True,
                             metadata={"duration": "30"})
try:
    client.wait_for_response(job, timeout=0.3)
except WaitTimeoutError as err:
    saved = err.continuation_token.to_str()
    print("still", err.last_response.status, "- saved", saved)

with FoundryAgentsClient(ENDPOINT, api_key=API_KEY) as other:   # e.g. another worker
    token = ContinuationToken.from_str(saved)
    print("cancel :", other.cancel_response(token.response_id).status)
    print("waited :", other.wait_for_response(token).status)
'''),
    md('''
## Streams that survive a cut

The `cutoff` agent ends its first stream after 5 events without a terminal event. The client
notices, asks `GET /responses/{id}?stream=true&starting_after=N` for the rest, skips anything it
already has, and the text arrives whole. Only when resuming is impossible (here: a response
created without `background`, which the service refuses to stream again) does
`StreamInterruptedError` surface, with the partial answer and a note saying why.
'''),
    code('''
from foundry_agents import StreamInterruptedError

whole = client.create_response("cutoff", input="tell me everything").output_text
with client.stream_response("cutoff", input="tell me everything", background=True) as stream:
    streamed = "".join(stream.text_deltas())
print(streamed)
print("same as unstreamed:", streamed == whole)

try:
    with client.stream_response("cutoff", input="no background") as stream:
        stream.get_final_response()
except StreamInterruptedError as err:
    print("partial:", repr(err.partial_response.output_text))
    print(err.__notes__[0])
'''),
    md('''
## LangChain: `invoke` waits, `stream` resumes, `resume(token)` picks up

`ChatFoundryAgent(..., background=True)` waits transparently (at most `wait_timeout` seconds);
the reply's `response_metadata["continuation_token"]` travels to a later process, whose
`resume(token)` returns the same `AIMessage`.
'''),
    code('''
from functools import reduce

from langchain_foundry_agents import ChatFoundryAgent

llm = ChatFoundryAgent("long_running", project_endpoint=ENDPOINT, api_key=API_KEY, background=True,
                       wait_timeout=120, request_metadata={"duration": "0.5"})
reply = llm.invoke("Summarize the quarterly reports")
print(reply.text)
token = reply.response_metadata["continuation_token"]

later = ChatFoundryAgent("long_running", project_endpoint=ENDPOINT, api_key=API_KEY)
print("resumed:", later.resume(token).text == reply.text)

cut = ChatFoundryAgent("cutoff", project_endpoint=ENDPOINT, api_key=API_KEY, background=True)
print(reduce(lambda a, b: a + b, cut.stream("stream it anyway")).text)
'''),
    md("## LlamaIndex: the same for `chat`, `achat`, `stream_chat`, `astream_chat`"),
    code('''
from llama_index.core.llms import ChatMessage

from llama_index_foundry import FoundryAgentLLM

li_llm = FoundryAgentLLM("long_running", project_endpoint=ENDPOINT, api_key=API_KEY, background=True,
                         metadata={"duration": "0.5"})
answer = li_llm.chat([ChatMessage(role="user", content="Compile the report")])
print(answer.message.content, "|", answer.message.additional_kwargs["status"])

li_cut = FoundryAgentLLM("cutoff", project_endpoint=ENDPOINT, api_key=API_KEY, background=True)
chunks = list(li_cut.stream_chat([ChatMessage(role="user", content="stream it")]))
print(chunks[-1].message.content)
'''),
    *END,
]
