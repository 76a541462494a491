"""Reset OpenTelemetry's process-wide providers between tests.

The API lets a process set its tracer and meter providers once; tests that install their own
(tests/telemetry, the docs' console-exporter block) reset them before and after, as
OpenTelemetry's own test utilities do, so no test inherits another's exporter.
"""

from __future__ import annotations


def reset_otel_globals() -> None:
    try:
        from opentelemetry import trace
        from opentelemetry.metrics import _internal as metrics
        from opentelemetry.util._once import Once
    except ImportError:
        return
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    metrics._METER_PROVIDER_SET_ONCE = Once()
    metrics._METER_PROVIDER = None
    metrics._PROXY_METER_PROVIDER = metrics._ProxyMeterProvider()
