"""The built-in read models as projections: attach them, bring them current, rebuild them."""

from __future__ import annotations

from ledger import Ledger

from ..read_models import PositionPostings, TrancheSchedule
from .append_hooks import register, registered
from .feed_from_log import catch_up_all
from .projection import Progress, Projection
from .rebuild_from_zero import rebuild_all

__all__ = ["BUILTINS", "attach", "ensure_current", "project"]

BUILTINS: tuple[Projection, ...] = (PositionPostings(), TrancheSchedule())


def attach(ledger: Ledger, *, progress: Progress | None = None) -> None:
    """Keep the built-in read models current inside every append of this Ledger; `progress`
    is told as an import fills them (a new store's first) or writes what its later chunks
    changed, before it commits."""
    for projection in BUILTINS:
        register(ledger, projection, progress=progress)


def ensure_current(ledger: Ledger) -> None:
    """Catch the built-in read models up if events were appended without their hooks."""
    catch_up_all(ledger.engine, BUILTINS)


def project(
    ledger: Ledger, *, rebuild: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Bring the built-in and registered projections current (or rebuild them from zero).

    Returns how many events each one processed; `progress` is told as pages are processed.
    """
    chosen = {projection.name: projection for projection in (*BUILTINS, *registered(ledger))}
    if rebuild:
        return rebuild_all(ledger, list(chosen.values()), progress=progress)
    return catch_up_all(ledger.engine, list(chosen.values()), progress=progress)
