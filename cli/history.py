"""`capledger history`: the audit trail of one commitment, rendered.

For a person, one line per event (its short id, effective date, type, recorded instant and
source) with what it says beneath, in full, wrapped to the terminal: corrections as old -> new
values, retracted events marked RETRACTED with the reason. JSON and CSV give every field.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import click

from projections import FieldChange, HistoryEntry
from projections import history as commitment_history

from .amounts import every_digit
from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .render import render

COLUMNS = ("id", "effective", "type", "recorded_at", "source")
_NARROWEST = 40
"""The fewest characters a summary line is wrapped to, however narrow the terminal."""
_BOUNDS = {"up_to": "up to ", "at_least": "at least ", "exact": ""}
_LEFT_OUT = ("note", "source.url")
"""Changed fields the table does not spell out (JSON and CSV do)."""


@click.command()
@click.argument("commitment")
@output_format
@pass_settings
def history(settings: Settings, commitment: str, fmt: str) -> None:
    """The audit trail of one commitment.

    Every event of COMMITMENT with its position, effective date, source date, recorded instant,
    actor, source and hash, and what later corrections and retractions did to it. The table
    names each event by a short id, which a correction or retraction may give as its target.
    """
    ledger = settings.open()
    entries = commitment_history(ledger, commitment)
    if not entries:
        refuse_unknown_names(ledger, commitment=commitment)
    if fmt == "table":
        click.echo(history_table(entries, terminal_width()))
    else:
        click.echo(render([entry.as_dict() for entry in entries], fmt))


def terminal_width() -> int | None:
    """The width to wrap to: COLUMNS if set, else the terminal's; None (no wrapping) when
    writing to a pipe or a file, so that each summary stays on one line for grep."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def history_table(entries: Sequence[HistoryEntry], width: int | None) -> str:
    """One line of columns per event, and its summary beneath, indented, wrapped to `width`."""
    by_id = {entry.event_id: entry for entry in entries}
    cells = [
        (
            entry.short_id,
            entry.effective.isoformat() if entry.effective else "",
            entry.type,
            instant_text(entry.recorded_at),
            source_text(entry.source),
        )
        for entry in entries
    ]
    widths = [max(len(column), *(len(row[i]) for row in cells)) for i, column in enumerate(COLUMNS)]
    indent = " " * (widths[0] + 2)
    lines = [_joined(COLUMNS, widths), _joined(["-" * w for w in widths], widths)]
    for entry, row in zip(entries, cells, strict=True):
        lines.append(_joined(row, widths))
        text = summary(entry, by_id)
        if width is None:
            lines.append(indent + text)
        else:
            lines.extend(
                textwrap.wrap(
                    text,
                    max(width, len(indent) + _NARROWEST),
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return "\n".join(lines)


def _joined(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def instant_text(instant: datetime) -> str:
    """An instant as the flags take it: ISO 8601, UTC, to the microsecond, with Z."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def source_text(source: Mapping[str, Any] | None) -> str:
    """The source's publisher and date."""
    if not source:
        return ""
    return ", ".join(str(source[key]) for key in ("publisher", "date") if source.get(key))


def amount_text(resource: str, amount: Any) -> str:
    """An amount with its unit, every digit kept: the one place this command formats amounts."""
    return every_digit(resource, Decimal(str(amount)))


def summary(entry: HistoryEntry, by_id: Mapping[Any, HistoryEntry]) -> str:
    """What the event says, and what later events did to it."""
    said = _said(entry, by_id)
    if entry.retracted_by is not None:
        fix = next((e for e in by_id.values() if e.position == entry.retracted_by), None)
        reason = fix.fields.get("reason") if fix is not None else None
        by = f" by {fix.short_id}" if fix is not None else ""
        return f"RETRACTED{by}" + (f" ({reason})" if reason else "") + f": {said}"
    if entry.corrected_by:
        shorts = ", ".join(by_id[event_id].short_id for _, event_id in entry.corrected_by)
        return f"CORRECTED by {shorts}: {said}"
    return said


def _said(entry: HistoryEntry, by_id: Mapping[Any, HistoryEntry]) -> str:
    fields = entry.fields
    if entry.target is not None:
        target = by_id.get(entry.target)
        named = f"{target.short_id} ({target.type})" if target else str(entry.target)
        if entry.type == "EventCorrected":
            return f"corrects {named}: {_changes(entry.changes)}"
        reason = fields.get("reason")
        return f"retracts {named}" + (f": {reason}" if reason else "")
    return described(entry.type, fields)


def described(type_name: str, fields: Mapping[str, Any]) -> str:
    """One event's own fields (not the shared ones) in words."""
    amounts = _amounts(fields.get("amounts") or {}, fields.get("bound") or "exact")
    tranche = fields.get("tranche")
    if type_name == "CommitmentMade":
        parts = [f"{fields['provider']} -> {fields['holder']}", fields["kind"], amounts]
    elif type_name == "CommitmentAmended":
        parts = [f"now {amounts}" if amounts else "", _bound(fields.get("bound"))]
    elif type_name == "TrancheScheduled":
        due = f"due {fields['due']}" if fields.get("due") else "no due date"
        condition = fields.get("condition")
        parts = [f"tranche {tranche}: {amounts}", due, f"if {condition}" if condition else ""]
    elif type_name == "TrancheCancelled":
        parts = [f"tranche {tranche} cancelled"]
    elif type_name == "DeliveryRecorded":
        parts = [amounts, f"on tranche {tranche}" if tranche else "", _site(fields.get("site"))]
    else:
        reason = fields.get("reason")
        parts = ["commitment cancelled" + (f": {reason}" if reason else "")]
    term = _term(fields.get("term_start"), fields.get("term_end"))
    return ", ".join(part for part in (*parts, term) if part)


def _amounts(amounts: Mapping[str, Any], bound: str) -> str:
    if not amounts:
        return ""
    figures = " + ".join(amount_text(resource, value) for resource, value in amounts.items())
    return _BOUNDS.get(bound, "") + figures


def _bound(bound: str | None) -> str:
    return f"bound {bound}" if bound else ""


def _site(site: str | None) -> str:
    return f"at {site}" if site else ""


def _term(start: str | None, end: str | None) -> str:
    if start and end:
        return f"term {start} to {end}"
    return f"term from {start}" if start else f"term to {end}" if end else ""


def _changes(changes: Sequence[FieldChange]) -> str:
    """old -> new per changed field, amounts with their units."""
    shown = [change for change in changes if change.field not in _LEFT_OUT]
    if not shown:
        return "no figure changed" + (" (note or source only)" if changes else "")
    return "; ".join(_change(change) for change in shown)


def _change(change: FieldChange) -> str:
    old, new = change.old, change.new
    if change.field.startswith("amounts."):
        resource = change.field.removeprefix("amounts.")
        old_text = amount_text(resource, old) if old is not None else None
        new_text = amount_text(resource, new) if new is not None else None
        if old_text != new_text:  # else rounding hides the change: the exact figures show it
            old, new = old_text, new_text
    return f"{change.field} {old if old is not None else '(none)'} -> " + (
        new if new is not None else "(none)"
    )


COMMANDS = [history]
