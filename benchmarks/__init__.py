"""Benchmarks of foundry-agents against the workarounds users already have (issue #7).

Run ``python -m benchmarks`` (or ``python3 dev.py bench``); ``--quick`` for a smoke run. The
harness regenerates ``benchmarks/RESULTS.md`` and its charts. One module per concern:
:mod:`.fixtures` (canned bytes, transports), :mod:`.contenders` (one adapter per library),
:mod:`.percall`, :mod:`.streaming`, :mod:`.concurrency` (+ :mod:`.server`), :mod:`.imports`,
:mod:`.report`.
"""
