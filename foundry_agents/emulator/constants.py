"""Names that need no web stack: importing them does not load starlette or uvicorn."""

EMULATOR_PROJECT = "emulator"
EMULATOR_TOKEN = "emulator-token"  # any non-empty bearer token is accepted

#: What to do when the web stack is missing; the CLI and ``run_emulator()``/``create_app()`` say it.
NEEDS_EXTRA = "the emulator needs the 'emulator' extra: pip install 'foundry-agents[emulator]'"
#: Top-level modules of the ``emulator`` extra.
EXTRA_MODULES = frozenset({"starlette", "uvicorn", "yaml", "python_multipart", "multipart"})
