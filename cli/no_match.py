"""A filter value that names nothing in the ledger, refused with the nearest names that do.

Checked only once an answer came back empty, so that a filter that matches costs nothing more.
A name the ledger holds that merely matches no row at the date or instant asked about is a
good answer, `(no rows)`; a name it has never held is bad input: exit status 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BadInput

if TYPE_CHECKING:
    from ledger import Ledger


class NoMatch(BadInput):
    """A filter value (a holder, provider, resource or commitment) that the ledger has never
    held. Exit status 2, as for other bad input."""


def refuse_unknown_names(ledger: Ledger, **given: str | None) -> None:
    """Refuse the first of the `given` filter values (by key: holder, provider, resource,
    commitment) that no commitment of the ledger has ever had, naming the nearest that do."""
    from ledger import no_such
    from projections import names

    for key, value in given.items():
        if value is None:
            continue
        known = names(ledger, key)
        if value not in known:
            raise NoMatch(no_such(key, value, known))
