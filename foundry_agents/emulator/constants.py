"""Names that need no web stack: importing them does not load starlette or uvicorn."""

EMULATOR_PROJECT = "emulator"
EMULATOR_TOKEN = "emulator-token"  # any non-empty bearer token is accepted
