"""Building a client from CLI arguments."""

from __future__ import annotations

import argparse
import os

from ..client import FoundryAgentsClient


def client_from_args(args: argparse.Namespace, *, framework: str = "cli") -> FoundryAgentsClient:
    api_key = args.api_key or os.environ.get("FOUNDRY_API_KEY")
    return FoundryAgentsClient(args.endpoint, api_key=api_key, user_agent_extra=framework)
