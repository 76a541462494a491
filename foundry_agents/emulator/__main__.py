"""``python -m foundry_agents.emulator``."""

from .cli import main

raise SystemExit(main())
