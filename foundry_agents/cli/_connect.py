"""Building a client from CLI arguments."""

from __future__ import annotations

import argparse
import os

from ..client import FoundryAgentsClient
from ..endpoints import ENDPOINT_ENV_VARS, EXPECTED_SHAPE
from ..errors import InvalidEndpointError

NO_ENDPOINT = (f"no project endpoint: pass --endpoint URL or set FOUNDRY_PROJECT_ENDPOINT to {EXPECTED_SHAPE}; "
               "to try things offline, run `foundry-agents emulator` and use the endpoint it prints")


def client_from_args(args: argparse.Namespace, *, framework: str = "cli") -> FoundryAgentsClient:
    if not args.endpoint and not any(os.environ.get(var) for var in ENDPOINT_ENV_VARS):
        raise InvalidEndpointError(NO_ENDPOINT)  # in CLI words, not the Python API's project_endpoint=
    # Without --api-key the core reads $FOUNDRY_API_KEY, as every other entry point does.
    return FoundryAgentsClient(args.endpoint, api_key=args.api_key, user_agent_extra=framework)
