"""The one place rows become output: a table for a person, JSON or CSV for a program."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from events import decimal_text

Row = Mapping[str, Any]


def plain(value: Any) -> Any:
    """A JSON-ready value: decimals as exact strings, dates ISO 8601."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def render(
    rows: Sequence[Row],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    human: Mapping[str, Any] | None = None,
) -> str:
    """Rows as text in `fmt`. `human` maps a column to a function that formats it for tables."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return json.dumps([plain(dict(row)) for row in rows], indent=2, ensure_ascii=False)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(plain(row.get(column))) for column in columns])
        return buffer.getvalue().rstrip("\n")
    return table(rows, columns, human or {})


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def table(rows: Sequence[Row], columns: Sequence[str], human: Mapping[str, Any]) -> str:
    """A plain-text table with a header; numbers right-aligned."""
    if not rows:
        return "(no rows)"
    cells = [[_cell(row.get(column), human.get(column), row) for column in columns] for row in rows]
    widths = [
        max(len(column), *(len(line[index]) for line in cells))
        for index, column in enumerate(columns)
    ]
    numeric = [
        all(isinstance(row.get(column), Decimal | int) or row.get(column) is None for row in rows)
        for column in columns
    ]
    lines = [
        "  ".join(
            column.rjust(width) if right else column.ljust(width)
            for column, width, right in zip(columns, widths, numeric, strict=True)
        ).rstrip()
    ]
    lines.append("  ".join("-" * width for width in widths))
    for line in cells:
        lines.append(
            "  ".join(
                cell.rjust(width) if right else cell.ljust(width)
                for cell, width, right in zip(line, widths, numeric, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


def _cell(value: Any, formatter: Any, row: Row) -> str:
    if value is None:
        return ""
    if formatter is not None:
        return str(formatter(value, row))
    plain_value = plain(value)
    if isinstance(plain_value, dict | list):
        return json.dumps(plain_value, ensure_ascii=False, sort_keys=True)
    return str(plain_value)
