"""``foundry-agents demo``: a guided tour of Foundry v2 agents from LangChain, LlamaIndex and the core.

By default the tour starts the embedded emulator in-process (no Azure needed) and walks through
eight sections, each printing what it does and the token usage it cost:

1. an LCEL chain ``ChatPromptTemplate | ChatFoundryAgent | StrOutputParser``, streamed;
2. a pinned agent version (``echo:1``) next to the latest (``echo``);
3. a multi-turn conversation kept by automatic ``previous_response_id`` chaining;
4. a function-tool round trip (the ``weather`` agent calls a local ``get_weather``);
5. a LlamaIndex query engine over the bundled ``sample_docs/``, answered by ``grounded``;
6. an agent of agents: ``triage`` delegates to ``weather`` and ``researcher`` in parallel;
   with ``--trace``, its OpenTelemetry span tree (orchestrator -> execute_tool -> sub-agent).
7. a workflow agent (``trip-planner``) as a step of an LCEL chain and as a sub-agent tool, its
   actions shown as they happen;
8. files and images: a CSV made on the spot goes to ``coder`` (code interpreter) through the upload
   rule; its answer, code, logs and generated files (downloaded into a temporary folder, kept), and
   one ``painter`` image saved next to them.

A section whose framework is not installed prints one line and is skipped; frameworks are
imported inside the sections only (``import foundry_agents`` never imports one).

``--endpoint URL [--api-key TOKEN]`` runs the same tour against a real project instead. It needs
agents that behave like the emulator's built-ins (``echo`` with two versions, ``grounded``,
``weather`` declaring ``get_weather``, ``researcher``, ``triage`` declaring ``ask_weather`` and
``ask_researcher``, the workflow agent ``trip-planner``, ``coder`` with code interpreter and ``painter``
with image generation; see docs/emulator.md). A section that fails prints one error line; the demo
then goes on and exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..agent import FoundryAgent
from ..connection import ConnectionSettings
from ..errors import APIError, FoundryAgentsError, FoundryConfigError
from ..messages import FilePart, Message, TextPart
from ..tool_items import CodeInterpreterCallItem
from ..tools import run_with_tools
from ..uploads import UploadedFiles
from ..usage import Usage
from ._trace import collect_spans, span_tree

__all__ = ["SAMPLE_DOCS", "SECTIONS", "Tour", "register", "run", "tour"]

SAMPLE_DOCS = Path(__file__).resolve().parent / "sample_docs"
WIDTH = 78


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo", help="run the demo against the embedded emulator",
        description="Start the embedded emulator and walk through the main use cases: LCEL streaming, "
                    "versions, conversations, function tools, a LlamaIndex query engine, agents of agents, a workflow agent, "
                    "files and images.")
    parser.add_argument("--endpoint", metavar="URL",
                        help="run the tour against this project instead of the embedded emulator (it needs "
                             "agents named like the emulator's built-ins: echo, grounded, weather, researcher, triage, "
                             "trip-planner, coder, painter)")
    parser.add_argument("--api-key", metavar="TOKEN",
                        help="static bearer token for --endpoint (default: $FOUNDRY_API_KEY, else DefaultAzureCredential)")
    parser.add_argument("--trace", action="store_true",
                        help="print the OpenTelemetry trace tree of the agent-of-agents section "
                             "(needs opentelemetry-sdk; see docs/telemetry.md)")
    parser.set_defaults(run=run)


# -- the tour ----------------------------------------------------------------------------------
@dataclass
class Tour:
    """Where the agents are, where the output goes, and what every section cost."""

    endpoint: str
    api_key: str | None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    usage: Usage = field(default_factory=Usage)
    closers: ExitStack = field(default_factory=ExitStack)
    #: Print the trace tree of the agent-of-agents section (``--trace``).
    trace: bool = False

    @property
    def connection(self) -> dict[str, Any]:
        return {"project_endpoint": self.endpoint, "api_key": self.api_key}

    def __enter__(self) -> Tour:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closers.close()  # close the clients before the emulator stops

    def agent(self, name: str) -> FoundryAgent:
        """A core agent handle, closed when the tour ends."""
        agent = FoundryAgent(name, **self.connection)
        self.closers.callback(agent.close)
        return agent

    def say(self, text: str = "", *, end: str = "\n") -> None:
        self.out.write(f"  {text}{end}" if text else end)
        self.out.flush()

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def tokens(self, usage: Usage | None, label: str = "tokens") -> None:
        """Print one usage line and add it to the tour's total."""
        if usage is None:
            self.say(f"[{label}: not reported]")
            return
        self.usage = self.usage + usage
        self.say(f"[{label}: {usage_text(usage)}]")


def usage_text(usage: Usage) -> str:
    text = f"in {usage.input_tokens}, out {usage.output_tokens}, total {usage.total_tokens}"
    return text + (f" (reasoning {usage.reasoning_tokens})" if usage.reasoning_tokens else "")


def from_langchain(usage: Any) -> Usage | None:
    """A core :class:`Usage` from LangChain's ``usage_metadata`` dict."""
    if not usage:
        return None
    details = usage.get("output_token_details") or {}
    cached = usage.get("input_token_details") or {}
    return Usage(usage.get("input_tokens", 0), usage.get("output_tokens", 0), usage.get("total_tokens", 0),
                 cached.get("cache_read") or 0, details.get("reasoning") or 0)


class Skip(Exception):
    """A section cannot run here (a framework is not installed)."""


def need(*modules: str, extra: str) -> None:
    """Skip the section unless ``modules`` import (the section imports them anyway)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise Skip(f"{module} is not installed ({exc}): pip install 'foundry-agents[{extra}]'") from exc


# -- 1. LCEL + streaming -------------------------------------------------------------------------
def lcel_streaming(tour: Tour) -> None:
    need("langchain_core", extra="langchain")
    from langchain_core.callbacks import get_usage_metadata_callback
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_foundry_agents import ChatFoundryAgent

    prompt = ChatPromptTemplate.from_messages([
        ("system", "You are a concise assistant."),
        ("human", "Say hello to {name} from the {place}."),
    ])
    llm = ChatFoundryAgent("echo", **tour.connection)
    tour.closers.callback(llm.foundry_agent.close)
    chain = prompt | llm | StrOutputParser()
    tour.say("chain: ChatPromptTemplate | ChatFoundryAgent('echo') | StrOutputParser()")
    tour.say("streamed: ", end="")
    with get_usage_metadata_callback() as usage:
        for token in chain.stream({"name": "Ada", "place": "LCEL chain"}):
            tour.write(token)
    tour.write("\n")
    for model, counts in usage.usage_metadata.items():
        tour.tokens(from_langchain(counts), f"tokens ({model})")


# -- 2. versions ---------------------------------------------------------------------------------
def versions(tour: Tour) -> None:
    tour.say("the same question to a pinned version and to the latest (core FoundryAgent):")
    for reference in ("echo:1", "echo"):
        response = tour.agent(reference).respond([Message("user", "Which version are you?")])
        tour.say(f"{reference:<7} answered by {response.agent}: {response.output_text}")
        tour.tokens(response.usage)


# -- 3. conversation -----------------------------------------------------------------------------
def conversation(tour: Tour) -> None:
    need("langchain_core", extra="langchain")
    from langchain_core.messages import BaseMessage, HumanMessage

    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent("grounded", **tour.connection)
    tour.closers.callback(llm.foundry_agent.close)
    tour.say("'grounded' answers only from what it has been told; each reply's AIMessage.id is its")
    tour.say("response id, so passing the history back sends only the new turn (previous_response_id).")
    history: list[BaseMessage] = []
    for text in ("My locker code is 4417.", "What is my locker code?"):
        history.append(HumanMessage(text))
        reply = llm.invoke(history)
        history.append(reply)
        tour.say(f"you> {text}")
        tour.say(f"grounded> {reply.text}")
        tour.tokens(from_langchain(reply.usage_metadata))
    fresh = llm.invoke([HumanMessage("What is my locker code?")])
    tour.say(f"a new conversation, same question> {fresh.text}")
    tour.tokens(from_langchain(fresh.usage_metadata))


# -- 4. function tool ----------------------------------------------------------------------------
def local_weather(location: str) -> str:
    """The demo's local weather service (deterministic)."""
    forecasts = {"paris": "sunny, 21 C", "oslo": "light snow, -3 C", "lisbon": "clear skies, 24 C"}
    return forecasts.get(location.lower(), "cloudy, 15 C")


def function_tool(tour: Tour) -> None:
    need("langchain_core", extra="langchain")
    from langchain_core.messages import BaseMessage, HumanMessage
    from langchain_core.tools import tool

    from langchain_foundry_agents import ChatFoundryAgent

    @tool
    def get_weather(location: str) -> str:
        """Get the current weather for a location."""
        return local_weather(location)

    llm = ChatFoundryAgent("weather", **tour.connection)
    tour.closers.callback(llm.foundry_agent.close)
    agent = llm.bind_tools([get_weather])  # checked against the agent definition; nothing is sent
    question = "What's the weather in Paris?"
    tour.say("the agent declares get_weather in its definition; LangChain runs it locally.")
    tour.say(f"you> {question}")
    messages: list[BaseMessage] = [HumanMessage(question)]
    reply, calls = agent.invoke(messages), 1
    tour.tokens(from_langchain(reply.usage_metadata))
    while reply.tool_calls and calls < 5:
        messages.append(reply)
        for call in reply.tool_calls:
            result = get_weather.invoke(call)  # a ToolMessage answering this call id
            tour.say(f"[function call] {call['name']}({call['args']}) -> {result.content!r}")
            messages.append(result)
        reply, calls = agent.invoke(messages), calls + 1
        tour.tokens(from_langchain(reply.usage_metadata))
    tour.say(f"weather> {reply.text}   ({calls} agent calls)")


# -- 5. LlamaIndex query engine ------------------------------------------------------------------
def query_engine(tour: Tour) -> None:
    need("llama_index.core", extra="llama-index")
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

    from llama_index_foundry import FoundryAgentLLM
    from llama_index_foundry.embeddings import LocalHashEmbedding

    documents = SimpleDirectoryReader(str(SAMPLE_DOCS), required_exts=[".md", ".txt"]).load_data()
    index = VectorStoreIndex.from_documents(documents, embed_model=LocalHashEmbedding())
    llm = FoundryAgentLLM("grounded", **tour.connection)
    tour.closers.callback(llm.close)
    names = ", ".join(sorted(d.metadata.get("file_name", "?") for d in documents))
    tour.say(f"VectorStoreIndex over {len(documents)} bundled documents ({names}),")
    tour.say("LocalHashEmbedding (hashed words, no embedding service), the 'grounded' agent as the LLM.")
    # A query engine gives its LLM Settings.callback_manager when it is built, so the counter
    # goes there (for this section only); it reads the usage the agent reports.
    counter, previous = TokenCountingHandler(), Settings.callback_manager
    Settings.callback_manager = CallbackManager([counter])
    try:
        engine = index.as_query_engine(llm=llm, similarity_top_k=1)
        for question in ("How long does the Rover battery last?", "What does the warranty cover?"):
            counter.reset_counts()
            answer = engine.query(question)
            source = answer.source_nodes[0]
            tour.say(f"Q: {question}")
            tour.say(f"A: {str(answer).strip()}")
            tour.say(f"   source: {source.node.metadata.get('file_name')} (score {source.score:.2f})")
            prompt, completion = counter.prompt_llm_token_count, counter.completion_llm_token_count
            tour.tokens(Usage(prompt, completion, prompt + completion))
    finally:
        Settings.callback_manager = previous


# -- 6. agent of agents --------------------------------------------------------------------------
def agent_of_agents(tour: Tour) -> None:
    triage, weather, researcher = (tour.agent(n) for n in ("triage", "weather", "researcher"))
    calls: dict[str, tuple[Usage, str]] = {}
    lock = threading.Lock()

    def ask_weather(question: str) -> str:
        result = run_with_tools(weather, question, tools={"get_weather": local_weather})
        inner = ", ".join(f"{c.name}({c.arguments})" for c, _ in result.calls)
        with lock:
            calls["ask_weather"] = (result.usage, f"weather -> {inner or 'no tool'}")
        return result.response.output_text

    def ask_researcher(question: str) -> str:
        response = researcher.respond([Message("user", question)])
        with lock:
            calls["ask_researcher"] = (response.usage or Usage(),
                                       f"researcher -> web search, {len(response.annotations)} citations")
        return response.output_text

    question = "History and weather forecast for Lisbon?"
    tour.say(f"you> {question}")
    with ExitStack() as tracing:
        exporter = tracing.enter_context(collect_spans()) if tour.trace else None
        result = run_with_tools(triage, question, tools={"ask_weather": ask_weather, "ask_researcher": ask_researcher})
    if exporter is not None:
        tour.say("trace (OpenTelemetry GenAI spans):")
        for line in span_tree(exporter.get_finished_spans()):
            tour.say(f"  {line}")
    tour.say(f"triage asked for {len(result.calls)} calls in one turn; they ran in parallel threads:")
    for call, _ in result.calls:
        usage, path = calls[call.name]
        tour.say(f"  triage -> {call.name} -> {path}   [{usage_text(usage)}]")
    tour.say("triage>")
    for line in result.response.output_text.splitlines():
        tour.say(f"  {line}")
    tour.tokens(result.usage, f"tokens (triage, {len(result.responses)} calls)")
    for usage, _ in calls.values():
        tour.usage = tour.usage + usage
    total = sum((usage for usage, _ in calls.values()), result.usage)
    tour.say(f"[tokens (all agents): {usage_text(total)}]")


# -- 7. workflow agent ---------------------------------------------------------------------------
def workflow_agent(tour: Tour) -> None:
    need("langchain_core", extra="langchain")
    from langchain_core.callbacks import BaseCallbackHandler, get_usage_metadata_callback
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_foundry_agents import WORKFLOW_ACTION_EVENT, ChatFoundryAgent
    from langchain_foundry_agents.orchestration import foundry_agent_tool

    class Actions(BaseCallbackHandler):
        def __init__(self, *, show: bool) -> None:
            self.show = show
            self.seen: list[str] = []

        def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
            if name == WORKFLOW_ACTION_EVENT:
                self.seen.append(f"{data.get('action_id')}:{data.get('status')}")
                if self.show:
                    tour.say(f"  [{data.get('status')}] {data.get('action_id')} ({data.get('agent_name') or data.get('kind')})")

    planner = ChatFoundryAgent("trip-planner", **tour.connection)
    tour.closers.callback(planner.foundry_agent.close)
    chain = ChatPromptTemplate.from_messages([("human", "Plan a weekend in {city}")]) | planner | StrOutputParser()
    tour.say("chain: ChatPromptTemplate | ChatFoundryAgent('trip-planner') | StrOutputParser(); its actions:")
    with get_usage_metadata_callback() as usage:
        answer = "".join(chain.stream({"city": "Lisbon"}, config={"callbacks": [Actions(show=True)]}))
        tour.say(f"trip-planner> ...{answer[-70:]}")
        tool = foundry_agent_tool(planner)
        quiet = Actions(show=False)
        tool.invoke({"question": "Plan a weekend in Oslo"}, config={"callbacks": [quiet]})
    tour.say(f"as the sub-agent tool '{tool.name}': {len(quiet.seen)} action updates reached the caller, "
             f"last {quiet.seen[-1] if quiet.seen else 'none'}")
    for counts in usage.usage_metadata.values():  # keyed by model; a workflow agent has none of its own
        tour.tokens(from_langchain(counts), "tokens (both calls)")


# -- 8. files and images ------------------------------------------------------------------------
SALES = [("2025-01", 120, 2400), ("2025-02", 135, 2835), ("2025-03", 160, 3520),
         ("2025-04", 148, 3108), ("2025-05", 171, 3933), ("2025-06", 190, 4560)]


def png_size(data: bytes) -> str:
    """``WxH`` from a PNG's header (``?`` when ``data`` is not a PNG)."""
    if len(data) < 24 or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "?"
    width, height = struct.unpack(">II", data[16:24])
    return f"{width}x{height}"


def files_and_images(tour: Tour) -> None:
    # Kept after the tour, for the user to open; the section prints where.
    folder = Path(tempfile.mkdtemp(prefix="foundry-demo-"))
    sales = folder / "sales.csv"
    sales.write_text("month,units,revenue\n" + "".join(f"{m},{u},{r}\n" for m, u, r in SALES), encoding="utf-8")
    units, revenue = sum(u for _, u, _ in SALES), sum(r for _, _, r in SALES)
    tour.say(f"sales.csv: {len(SALES)} months of units and revenue; summed here: units = {units}, revenue = {revenue}")

    coder, uploads = tour.agent("coder"), UploadedFiles()
    question = Message("user", (TextPart("Sum each numeric column and draw a bar chart of the sums."),
                                FilePart(path=sales, mime_type="text/csv")))
    reply = coder.respond([question], uploads=uploads, include=["code_interpreter_call.outputs"])
    for up in uploads.files:
        tour.say(f"uploaded {up.filename} ({up.bytes} bytes) from its path; deleted after the call: "
                 f"{'yes' if up.file_id in uploads.deleted else 'no'}")
    tour.say(f"coder> {reply.output_text}")
    for call in (i for i in reply.output if isinstance(i, CodeInterpreterCallItem)):
        lines = (call.code or "").strip().splitlines()
        tour.say(f"code interpreter ran {len(lines)} lines of Python in {call.container_id}; "
                 f"logs: {' | '.join(' '.join(line.split()) for line in call.logs.splitlines())}")
    tour.say(f"generated files: {', '.join(f.filename or f.file_id for f in reply.generated_files)}; "
             f"downloaded to {folder}:")
    for generated in reply.generated_files:
        path = coder.client.download_file(generated.file_id, folder, container_id=generated.container_id)
        data = path.read_bytes()
        shown = (f"{png_size(data)} PNG" if path.suffix == ".png"
                 else " | ".join(data.decode("utf-8", "replace").splitlines()[:3]))
        tour.say(f"  {path.name:<11} {len(data):>5} bytes  {shown}")
    tour.tokens(reply.usage)

    painted = tour.agent("painter").respond([Message("user", "Paint a lighthouse at dusk")])
    tour.say(f"painter> {painted.output_text}")
    for number, image in enumerate(painted.images, 1):
        data = image.image_bytes() or b""
        path = folder / f"painter-{number}.{image.output_format or 'png'}"
        path.write_bytes(data)
        tour.say(f"image saved: {path} ({len(data)} bytes, {png_size(data)} {image.mime_type})")
    tour.tokens(painted.usage)


# -- running -----------------------------------------------------------------------------------
SECTIONS: list[tuple[str, Callable[[Tour], None]]] = [
    ("LCEL chain, streamed (LangChain)", lcel_streaming),
    ("Pinned version versus latest (core)", versions),
    ("Multi-turn conversation by automatic chaining (LangChain)", conversation),
    ("Function-tool round trip (LangChain)", function_tool),
    ("Query engine over local documents (LlamaIndex)", query_engine),
    ("Agent of agents: triage -> weather + researcher (core)", agent_of_agents),
    ("Workflow agent in a chain and as a sub-agent (LangChain)", workflow_agent),
    ("Files and images: coder and painter (core)", files_and_images),
]


def tour(t: Tour) -> int:
    """Run every section; 0 when all ran (or were skipped for a missing extra), else 1."""
    failed: list[str] = []
    timings: list[tuple[str, str, float]] = []
    for number, (title, section) in enumerate(SECTIONS, 1):
        heading = f"[{number}/{len(SECTIONS)}] {title} "
        t.write(f"\n{heading}{'-' * max(3, WIDTH - len(heading))}\n")
        started, outcome = time.perf_counter(), "ok"
        try:
            section(t)
        except Skip as exc:
            outcome = "skipped"
            t.say(f"skipped: {exc}")
        except (APIError, FoundryAgentsError) as exc:
            outcome = "failed"
            t.say(f"error: {type(exc).__name__}: {exc}")
        except Exception as exc:  # one broken section must not hide the others
            outcome = "failed"
            t.say(f"error (unexpected): {type(exc).__name__}: {exc}")
        timings.append((f"[{number}] {title.split(' (')[0]}", outcome, time.perf_counter() - started))
        if outcome == "failed":
            failed.append(str(number))
    t.write(f"\n{'=' * WIDTH}\n")
    for title, outcome, seconds in timings:
        t.say(f"{title[:58]:<58} {outcome:<7} {seconds:5.2f} s")
    total = sum(seconds for _, _, seconds in timings)
    t.say(f"tour: {total:.1f} s; tokens: {usage_text(t.usage)}")
    if failed:
        t.say(f"failed sections: {', '.join(failed)}")
    return 1 if failed else 0


@contextmanager
def _emulator() -> Iterator[tuple[str, str]]:
    """The embedded emulator's endpoint and token."""
    try:
        from ..emulator import EMULATOR_TOKEN, run_emulator
    except ImportError as exc:
        raise FoundryConfigError(
            f"the demo needs the 'emulator' extra: pip install 'foundry-agents[emulator]' ({exc})") from exc
    with run_emulator() as emu:
        yield emu.endpoint, EMULATOR_TOKEN


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.endpoint:
        # Bad input exits 2 now; without --api-key the core reads $FOUNDRY_API_KEY.
        auth = ConnectionSettings(args.endpoint, api_key=args.api_key).auth
    out.write("foundry-agents demo: Foundry v2 agents from LangChain, LlamaIndex and the core\n")
    if args.endpoint:
        out.write(f"project: {args.endpoint} ({'static token' if auth == 'api_key' else 'DefaultAzureCredential'})\n")
        with Tour(args.endpoint, args.api_key, out, trace=args.trace) as t:
            return tour(t)
    with _emulator() as (endpoint, token):
        out.write(f"emulator: {endpoint} (in-process; no Azure needed)\n")
        with Tour(endpoint, token, out, trace=args.trace) as t:
            return tour(t)
