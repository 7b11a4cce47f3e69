"""A name that names nothing, said so, with the nearest names that do (difflib)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

__all__ = ["nearest", "no_such"]

LISTED = 8
"""Up to this many names, the message lists them all when none is near."""


def nearest(name: str, known: Iterable[str], *, most: int = 3) -> list[str]:
    """The known names closest to `name`, closest first (none if none is close)."""
    return get_close_matches(name, list(known), n=most, cutoff=0.6)


def no_such(what: str, name: str, known: Iterable[str]) -> str:
    """`no holder is named 'anthropc'; did you mean anthropic?` (or what the names are)."""
    names = sorted(set(known))
    said = f"no {what} is named {name!r}"
    near = nearest(name, names)
    if near:
        choices = near[0] if len(near) == 1 else f"{', '.join(near[:-1])} or {near[-1]}"
        return f"{said}; did you mean {choices}?"
    if not names:
        return f"{said}; the ledger has no {what}s yet"
    if len(names) <= LISTED:
        return f"{said}; the ledger's {what}s are {', '.join(names)}"
    return f"{said}, nor anything near it (the ledger has {len(names)} {what}s)"
