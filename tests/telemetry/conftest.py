"""One global SDK tracer and meter provider with in-memory exporters for the telemetry tests.

Each test gets fresh global providers (tests/_otel.py resets OpenTelemetry's set-once globals).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from foundry_agents import telemetry
from tests._otel import reset_otel_globals


def _install() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """Fresh global providers with in-memory exporters."""
    reset_otel_globals()
    exporter = InMemorySpanExporter()
    # Delta temporality: each read returns what was recorded since the last one.
    reader = InMemoryMetricReader(preferred_temporality={Histogram: AggregationTemporality.DELTA})
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return exporter, reader


class Spans:
    """The finished spans, with helpers to find them and walk the tree."""

    def __init__(self, exporter: InMemorySpanExporter, reader: InMemoryMetricReader) -> None:
        self.exporter, self.reader = exporter, reader

    @property
    def all(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.all if s.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"expected one span {name!r}, got {[s.name for s in self.all]}"
        return found[0]

    def parent(self, span: ReadableSpan) -> ReadableSpan | None:
        if span.parent is None:
            return None
        return next((s for s in self.all if s.context.span_id == span.parent.span_id), None)

    def ancestors(self, span: ReadableSpan) -> list[str]:
        names, current = [], self.parent(span)
        while current is not None:
            names.append(current.name)
            current = self.parent(current)
        return names

    def metrics(self) -> dict[str, list[Any]]:
        data = self.reader.get_metrics_data()
        out: dict[str, list[Any]] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    out.setdefault(m.name, []).extend(m.data.data_points)
        return out


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spans]:
    exporter, reader = _install()
    monkeypatch.delenv(telemetry.CONTENT_ENV, raising=False)
    telemetry.capture_content(None)
    yield Spans(exporter, reader)
    telemetry.capture_content(None)
    reset_otel_globals()
