"""OpenTelemetry traces and metrics with the GenAI semantic conventions (optional: ``[otel]``).

Follows the OpenTelemetry semantic conventions **v1.44.0** for GenAI (``opentelemetry-semantic-conventions``
0.66b2; "Development" status): agent spans, ``execute_tool`` spans and the client metrics.

- Every agent call (:meth:`~foundry_agents.FoundryAgentsClient.create_response` and
  ``stream_response``, sync and async) is one ``invoke_agent {agent name}`` span (kind CLIENT);
  a stream's span covers the whole stream and ends with its final usage, its error, or when the
  consumer stops early.
- :func:`~foundry_agents.tools.run_with_tools` wraps its rounds in one ``invoke_agent`` span
  (kind INTERNAL) and runs each local tool in an ``execute_tool {tool}`` span, so a sub-agent
  called by a tool nests under the orchestrator. The adapters' agent-as-tool wrappers do the same.
- Metrics: ``gen_ai.client.operation.duration`` (s) and ``gen_ai.client.token.usage`` histograms.
- Message content (``gen_ai.input.messages``, ``gen_ai.output.messages``, tool arguments and
  results) is recorded only when ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`` or
  after :func:`capture_content` ``(True)``. Headers, tokens and keys are never recorded.

Without ``opentelemetry-api``, or while no tracer or meter provider is configured, every hook is
one cached check and returns ``None`` (see benchmarks/RESULTS.md, "Telemetry overhead").

The attribute computation below is pure (:func:`request_attributes`, :func:`response_attributes`,
:func:`error_attributes`); :class:`AgentSpan` is the thin span handling both clients share.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ._version import __version__
from .response import FunctionCallItem, McpApprovalRequestItem, ServerToolCallItem

try:  # optional dependency
    from opentelemetry import context as _context
    from opentelemetry import metrics as _metrics
    from opentelemetry import trace as _trace
    from opentelemetry.trace import ProxyTracerProvider as _ProxyTracerProvider
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError:  # pragma: no cover - exercised by the benchmarks' "absent" row
    _trace = None  # type: ignore[assignment]

__all__ = [
    "CONTENT_ENV",
    "PROVIDER_NAME",
    "SEMCONV_VERSION",
    "AgentSpan",
    "capture_content",
    "error_attributes",
    "request_attributes",
    "response_attributes",
    "tool_span",
]

SEMCONV_VERSION = "1.44.0"
#: What Foundry's own traces and Microsoft's SDKs send as ``gen_ai.provider.name``.
PROVIDER_NAME = "microsoft.foundry"
CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
#: Foundry-specific: the service's request id (``x-request-id`` / ``apim-request-id``).
REQUEST_ID = "foundry.request_id"
_SCOPE = "foundry_agents"
_SCHEMA = f"https://opentelemetry.io/schemas/{SEMCONV_VERSION}"

_capture: bool | None = None


def capture_content(enabled: bool | None) -> None:
    """Record message content in spans (``True``), never (``False``), or as the environment says
    (``None``, the default: ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``)."""
    global _capture
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"capture_content takes True, False or None, got {enabled!r}")
    _capture = enabled


def content_enabled() -> bool:
    if _capture is not None:
        return _capture
    return os.environ.get(CONTENT_ENV, "").strip().lower() == "true"


# -- pure: attributes from the request and the answer ------------------------------------------
def request_attributes(body: Mapping[str, Any], url: str, agent_name: str, agent_version: str | None,
                       *, content: bool) -> dict[str, Any]:
    """The ``invoke_agent`` span's request-side attributes (pure; ``body`` is the JSON request)."""
    parts = urlsplit(url)
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": PROVIDER_NAME,
        "gen_ai.agent.name": agent_name,
        "server.address": parts.hostname or "",
        "server.port": parts.port or (443 if parts.scheme == "https" else 80),
    }
    if agent_version is not None:
        attrs["gen_ai.agent.version"] = agent_version
        attrs["gen_ai.agent.id"] = f"{agent_name}:{agent_version}"
    if body.get("stream"):
        attrs["gen_ai.request.stream"] = True
    if type(body.get("max_output_tokens")) is int:
        attrs["gen_ai.request.max_tokens"] = body["max_output_tokens"]
    conversation = body.get("conversation")
    if isinstance(conversation, Mapping):
        conversation = conversation.get("id")
    if isinstance(conversation, str):
        attrs["gen_ai.conversation.id"] = conversation
    if content and "input" in body:
        attrs["gen_ai.input.messages"] = _json(input_messages(body["input"]))
    return attrs


def response_attributes(response: Any, *, content: bool) -> dict[str, Any]:
    """The attributes an :class:`~foundry_agents.response.AgentResponse` adds (pure)."""
    attrs: dict[str, Any] = {"gen_ai.response.id": response.id}
    if response.model:
        attrs["gen_ai.response.model"] = response.model
    if response.agent is not None:
        attrs["gen_ai.agent.id"] = str(response.agent)
        if response.agent.version is not None:
            attrs["gen_ai.agent.version"] = response.agent.version
    if response.conversation_id:
        attrs["gen_ai.conversation.id"] = response.conversation_id
    if response.request_id:
        attrs[REQUEST_ID] = response.request_id
    usage = response.usage
    if usage is not None:
        attrs["gen_ai.usage.input_tokens"] = usage.input_tokens
        attrs["gen_ai.usage.output_tokens"] = usage.output_tokens
        if usage.cached_tokens:
            attrs["gen_ai.usage.cache_read.input_tokens"] = usage.cached_tokens
        if usage.reasoning_tokens:
            attrs["gen_ai.usage.reasoning.output_tokens"] = usage.reasoning_tokens
    attrs["gen_ai.response.finish_reasons"] = [_finish_reason(response)]
    if content:
        attrs["gen_ai.output.messages"] = _json(output_messages(response.raw.get("output"), attrs["gen_ai.response.finish_reasons"][0]))
    return attrs


def _text(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, Mapping) and isinstance(part.get("text"), str):
            parts.append({"type": "text", "content": part["text"]})
        elif isinstance(part, Mapping):
            parts.append({"type": str(part.get("type", "unknown")), "content": dict(part)})
    return parts


def _part(item: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """One wire item as (role, parts) in the conventions' message shape; unknown items kept whole."""
    kind = item.get("type", "message")
    if kind == "message":
        return str(item.get("role", "user")), _text(item.get("content"))
    if kind == "function_call":
        return "assistant", [{"type": "tool_call", "id": item.get("call_id"), "name": item.get("name"),
                              "arguments": item.get("arguments")}]
    if kind == "function_call_output":
        return "tool", [{"type": "tool_call_response", "id": item.get("call_id"), "response": item.get("output")}]
    return "assistant" if kind != "mcp_approval_response" else "user", [{"type": str(kind), "content": dict(item)}]


def input_messages(value: Any) -> list[dict[str, Any]]:
    """The request's ``input`` as ``gen_ai.input.messages`` (role + parts), in order (pure)."""
    if isinstance(value, str):
        return [{"role": "user", "parts": _text(value)}]
    out: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, Mapping):
            role, parts = _part(item)
            out.append({"role": role, "parts": parts})
    return out


def output_messages(output: Any, finish_reason: str) -> list[dict[str, Any]]:
    """The response's output items as one assistant ``gen_ai.output.messages`` entry (pure)."""
    parts: list[dict[str, Any]] = []
    for item in output if isinstance(output, list) else ():
        if isinstance(item, Mapping):
            parts.extend(_part(item)[1])
    return [{"role": "assistant", "parts": parts, "finish_reason": finish_reason}]


def _finish_reason(response: Any) -> str:
    if response.status == "incomplete":
        return response.incomplete_reason or "incomplete"
    if any(isinstance(item, FunctionCallItem) for item in response.output):
        return "tool_calls"
    return "stop" if response.status == "completed" else str(response.status)


def output_events(response: Any, *, content: bool) -> list[tuple[str, dict[str, Any]]]:
    """One span event per tool call the agent made or asked for, and per approval request (pure)."""
    events: list[tuple[str, dict[str, Any]]] = []
    for item in response.output:
        attrs: dict[str, Any]
        if isinstance(item, FunctionCallItem):
            attrs = {"gen_ai.tool.name": item.name, "gen_ai.tool.call.id": item.call_id, "gen_ai.tool.type": "function"}
            if content:
                attrs["gen_ai.tool.call.arguments"] = item.arguments
            events.append(("foundry.tool_call.requested", attrs))
        elif isinstance(item, McpApprovalRequestItem):
            attrs = {"gen_ai.tool.name": f"{item.server_label}/{item.name}", "foundry.approval_request.id": item.id}
            if content and item.arguments is not None:
                attrs["gen_ai.tool.call.arguments"] = item.arguments
            events.append(("foundry.approval_request", attrs))
        elif isinstance(item, ServerToolCallItem):
            attrs = {"gen_ai.tool.type": "extension", "foundry.tool.item_type": item.type}
            if item.id:
                attrs["gen_ai.tool.call.id"] = item.id
            name = item.raw.get("name")
            if isinstance(name, str):
                attrs["gen_ai.tool.name"] = name
            events.append(("foundry.tool_call", attrs))
    return events


def error_attributes(exc: BaseException) -> dict[str, Any]:
    """``error.type`` (the error class) and the request id an error carries (pure)."""
    attrs: dict[str, Any] = {"error.type": type(exc).__qualname__}
    rid = getattr(exc, "request_id", None)
    if isinstance(rid, str) and rid:
        attrs[REQUEST_ID] = rid
    return attrs


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# -- the thin span handling ---------------------------------------------------------------------
_enabled = False


def _active() -> bool:
    """True once a tracer or meter provider is configured (never reset, so cached)."""
    global _enabled
    if _enabled:
        return True
    if _trace is None:
        return False
    if not isinstance(_trace.get_tracer_provider(), _ProxyTracerProvider) or _metrics_set():
        _enabled = True
    return _enabled


def _metrics_set() -> bool:
    return type(_metrics.get_meter_provider()).__name__ != "_ProxyMeterProvider"


class _Instruments:
    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
        self.providers = (tracer_provider, meter_provider)
        self.tracer = tracer_provider.get_tracer(_SCOPE, __version__, schema_url=_SCHEMA)
        meter = meter_provider.get_meter(_SCOPE, __version__, schema_url=_SCHEMA)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s", description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=[0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
                                                 5.12, 10.24, 20.48, 40.96, 81.92])
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}", description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=[1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144,
                                                 1048576, 4194304, 16777216, 67108864])


_instruments: _Instruments | None = None


def _get() -> _Instruments:
    """The tracer and histograms of the current global providers (rebuilt if those change)."""
    global _instruments
    providers = (_trace.get_tracer_provider(), _metrics.get_meter_provider())
    if _instruments is None or _instruments.providers[0] is not providers[0] \
            or _instruments.providers[1] is not providers[1]:
        _instruments = _Instruments(*providers)
    return _instruments


_METRIC_KEYS = ("gen_ai.operation.name", "gen_ai.provider.name", "server.address", "server.port",
                "gen_ai.response.model", "error.type")


class AgentSpan:
    """One ``invoke_agent`` call's span and metrics; both clients and both stream shells use it.

    :meth:`start` returns ``None`` when telemetry is off, so callers pay one check.
    """

    __slots__ = ("_attrs", "_content", "_ended", "_inst", "_span", "_start")

    def __init__(self, span: Any, attrs: dict[str, Any], content: bool, inst: _Instruments) -> None:
        self._span, self._attrs, self._content, self._inst = span, attrs, content, inst
        self._start = time.perf_counter()
        self._ended = False

    @classmethod
    def start(cls, call: Any) -> AgentSpan | None:
        """For a Responses call that runs an agent (``call.agent`` set); else ``None``."""
        if not _active() or call.agent is None or not isinstance(call.body, Mapping):
            return None
        content = content_enabled()
        attrs = request_attributes(call.body, call.url, call.agent.name, call.agent.version, content=content)
        inst = _get()
        span = inst.tracer.start_span(f"invoke_agent {call.agent.name}", kind=SpanKind.CLIENT, attributes=attrs)
        return cls(span, attrs, content, inst)

    @contextmanager
    def current(self, *, end: bool = True) -> Iterator[AgentSpan]:
        """Make the span current while sending; record an error and end the span on one.

        ``end=False`` (opening a stream) leaves the span open on success: the stream ends it.
        """
        token = _context.attach(_trace.set_span_in_context(self._span))
        try:
            yield self
        except BaseException as exc:
            self.fail(exc)
            self.end()
            raise
        finally:
            _context.detach(token)
        if end:
            self.end()

    def done(self, response: Any) -> Any:
        """Record the answer (usage, ids, tool calls); returns ``response``."""
        attrs = response_attributes(response, content=self._content)
        self._attrs.update(attrs)
        span = self._span
        span.set_attributes(attrs)
        for name, event in output_events(response, content=self._content):
            span.add_event(name, event)
        return response

    def fail(self, exc: BaseException) -> None:
        if isinstance(exc, GeneratorExit):
            self._span.set_attribute("foundry.stream.closed_early", True)
            return
        attrs = error_attributes(exc)
        self._attrs.update(attrs)
        self._span.set_attributes(attrs)
        self._span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:500]))
        partial = getattr(exc, "partial_response", None)
        if partial is not None and getattr(partial, "usage", None) is not None:
            self.done(partial)

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        self._span.end()
        attrs = self._attrs
        metric = {k: attrs[k] for k in _METRIC_KEYS if k in attrs}
        inst = self._inst
        inst.duration.record(time.perf_counter() - self._start, metric)
        for kind, key in (("input", "gen_ai.usage.input_tokens"), ("output", "gen_ai.usage.output_tokens")):
            if key in attrs:
                inst.tokens.record(attrs[key], {**metric, "gen_ai.token.type": kind})

    def end_stream(self, final: Any, exc: BaseException | None) -> None:
        """The stream shells' ``finally``: the final answer, the error, or an early stop."""
        if self._ended:
            return
        if final is not None:
            self.done(final)
        elif exc is not None:
            self.fail(exc)
        else:
            self._span.set_attribute("foundry.stream.closed_early", True)
        self.end()


@contextmanager
def agent_loop_span(agent_name: str, agent_version: str | None) -> Iterator[Any]:
    """An INTERNAL ``invoke_agent`` span around a client-side tool loop (``None`` when off)."""
    if not _active():
        yield None
        return
    attrs: dict[str, Any] = {"gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": PROVIDER_NAME,
                             "gen_ai.agent.name": agent_name}
    if agent_version is not None:
        attrs["gen_ai.agent.version"] = agent_version
        attrs["gen_ai.agent.id"] = f"{agent_name}:{agent_version}"
    with _get().tracer.start_as_current_span(f"invoke_agent {agent_name}", kind=SpanKind.INTERNAL,
                                             attributes=attrs, record_exception=False,
                                             set_status_on_exception=False) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attributes(error_attributes(exc))
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:500]))
            raise


def _same(value: Any) -> Any:
    return value


@contextmanager
def tool_span(name: str, *, call_id: str | None = None, arguments: Any = None,
              description: str | None = None) -> Iterator[Any]:
    """An ``execute_tool {name}`` span (kind INTERNAL) around running one tool locally.

    Yields a callback taking the tool's result and returning it (recorded only with content
    capture on; the identity when telemetry is off). A tool that raises sets ``error.type`` and the error status;
    a result starting with ``"error: "`` (a reported tool error) sets ``error.type`` too.
    """
    if not _active():
        yield _same
        return
    attrs: dict[str, Any] = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name,
                             "gen_ai.tool.type": "function"}
    if call_id:
        attrs["gen_ai.tool.call.id"] = call_id
    if description:
        attrs["gen_ai.tool.description"] = description
    content = content_enabled()
    if content and arguments is not None:
        attrs["gen_ai.tool.call.arguments"] = arguments if isinstance(arguments, str) else _json(arguments)
    with _get().tracer.start_as_current_span(f"execute_tool {name}", kind=SpanKind.INTERNAL, attributes=attrs,
                                             record_exception=False, set_status_on_exception=False) as span:

        def result(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("error: "):
                span.set_attribute("error.type", "ToolError")
                span.set_status(Status(StatusCode.ERROR, value[:500]))
            if content:
                span.set_attribute("gen_ai.tool.call.result", value if isinstance(value, str) else _json(value))
            return value

        try:
            yield result
        except BaseException as exc:
            span.set_attributes(error_attributes(exc))
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:500]))
            raise
