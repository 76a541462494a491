"""Building a client from CLI arguments."""

from __future__ import annotations

import argparse

from ..client import FoundryAgentsClient


def client_from_args(args: argparse.Namespace, *, framework: str = "cli") -> FoundryAgentsClient:
    # Without --api-key the core reads $FOUNDRY_API_KEY, as every other entry point does.
    return FoundryAgentsClient(args.endpoint, api_key=args.api_key, user_agent_extra=framework)
