"""``foundry-agents demo --trace``: collect the spans of a block and print them as a tree.

Needs ``opentelemetry-sdk``. Spans go to an in-memory exporter added to the global SDK tracer
provider (one is installed if none is configured yet).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import FoundryConfigError

__all__ = ["collect_spans", "span_tree"]


@contextmanager
def collect_spans() -> Iterator[Any]:
    """Yield an ``InMemorySpanExporter`` receiving every span ended inside the block."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    except ImportError as exc:
        raise FoundryConfigError(
            f"--trace needs OpenTelemetry's SDK: pip install 'foundry-agents[otel]' opentelemetry-sdk ({exc})"
        ) from exc
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    try:
        yield exporter
    finally:
        processor.shutdown()  # stop collecting; the provider keeps serving others


def _label(span: Any) -> str:
    a = span.attributes or {}
    ms = (span.end_time - span.start_time) / 1e6 if span.end_time else 0.0
    bits = [span.name, f"[{span.kind.name.lower()}]", f"{ms:.0f} ms"]
    if "gen_ai.usage.input_tokens" in a:
        bits.append(f"tokens {a['gen_ai.usage.input_tokens']} in / {a.get('gen_ai.usage.output_tokens', 0)} out")
    if "gen_ai.response.id" in a:
        bits.append(str(a["gen_ai.response.id"])[:16] + "...")
    if "error.type" in a:
        bits.append(f"error {a['error.type']}")
    return "  ".join(bits)


def span_tree(spans: Sequence[Any]) -> list[str]:
    """The spans as indented tree lines, children in start order (pure)."""
    ids = {s.context.span_id for s in spans}
    children: dict[int | None, list[Any]] = {}
    for s in spans:
        parent = s.parent.span_id if s.parent is not None and s.parent.span_id in ids else None
        children.setdefault(parent, []).append(s)
    lines: list[str] = []

    def ordered(parent: int | None) -> list[Any]:
        return sorted(children.get(parent, []), key=lambda s: s.start_time or 0)

    def walk(span: Any, prefix: str, last: bool | None) -> None:
        if last is None:  # a root
            lines.append(_label(span))
            inner = ""
        else:
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{_label(span)}")
            inner = prefix + ("   " if last else "│  ")
        kids = ordered(span.context.span_id)
        for i, kid in enumerate(kids):
            walk(kid, inner, i == len(kids) - 1)

    for root in ordered(None):
        walk(root, "", None)
    return lines
