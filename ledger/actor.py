"""Who is recording: the explicit actor, else CAPLEDGER_ACTOR, else the OS user."""

from __future__ import annotations

import getpass
import os


def resolve_actor(actor: str | None = None) -> str:
    """The name to store in `recorded_by`."""
    if actor:
        return actor
    if from_env := os.environ.get("CAPLEDGER_ACTOR"):
        return from_env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
