"""The conversions SQLAlchemy would apply to a column's values (DB-API values in and out),
looked up once and run once per distinct value, for the paths that talk to the driver directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Dialect

Convert = Callable[[Any], Any]

# Distinct values remembered per converter, at most: dates and instants repeat a lot.
_MEMO_LIMIT = 100_000


def bind_processor(column: Column[Any], dialect: Dialect) -> Convert | None:
    """What SQLAlchemy does to a value of this column before it reaches the driver, if anything."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def result_processor(column: Column[Any], dialect: Dialect) -> Convert:
    """What SQLAlchemy does to this column's raw driver value when it reads a row."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def memoised(convert: Convert) -> Convert:
    """`convert`, run once per distinct (hashable) value."""
    seen: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = convert(value)
            if len(seen) < _MEMO_LIMIT:
                seen[value] = result
            return result
        except TypeError:  # unhashable: convert every time
            return convert(value)

    return once
