"""Read events from files: `.json` (an object or an array), `.jsonl` (one a line), `.csv`.

Readers stream: they yield `(event dict, origin)` pairs, origin being `FILE:LINE`, and hold one
event at a time. Numbers are read as Decimal, never float. Anything unreadable raises
InvalidEvent naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import orjson

from events import InvalidEvent

__all__ = ["FORMATS", "Located", "format_of", "read_events", "read_file", "read_stdin"]

Located = tuple[dict[str, Any], str]

FORMATS = ("json", "jsonl", "csv")
SOURCE_COLUMNS = {"source_publisher": "publisher", "source_date": "date", "source_url": "url"}
# Columns that are neither fields of an event nor resources: the resource columns hold amounts.
RESOURCE_PREFIXES = ("chips:",)
RESOURCE_COLUMNS = ("usd", "gw", "mw")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number capledger accepts")


def _has_float(value: Any) -> bool:
    """Whether parsed JSON holds a float anywhere (orjson's reading of decimals and huge ints)."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind is float
    for item in value:
        kind = type(item)
        if kind is not str and (
            kind is float or ((kind is dict or kind is list) and _has_float(item))
        ):
            return True
    return False


def _decimal(text: str) -> Decimal:
    """A JSON number with a fraction or exponent, exactly; one Decimal cannot hold is refused."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the number {text[:40]} is out of range") from None


def _loads(text: str) -> Any:
    # orjson reads strings, ints (up to 64 bits), booleans, null, objects and arrays exactly as
    # json does. What it would read otherwise goes the exact way: a float (a decimal or an int
    # beyond 64 bits, to be read as Decimal or int), and anything orjson refuses (invalid JSON,
    # NaN, lone surrogates, deep nesting), so that refusals keep json's messages.
    try:
        value = orjson.loads(text)
    except ValueError:
        pass
    else:
        if not _has_float(value):
            return value
    try:
        return json.loads(text, parse_float=_decimal, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def format_of(name: str) -> str:
    """The input format a file name implies."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "ndjson":
        return "jsonl"
    raise InvalidEvent(
        field="file",
        rule=f"unknown input format {suffix!r}: use .json, .jsonl or .csv",
        origin=name,
    )


def read_events(stream: IO[str], name: str, fmt: str) -> Iterator[Located]:
    """Events from an open text stream in the given format."""
    readers = {"json": _read_json, "jsonl": _read_jsonl, "csv": _read_csv}
    try:
        yield from readers[fmt](stream, name)
    except UnicodeDecodeError as error:
        raise InvalidEvent(
            field="file", rule=f"not UTF-8 text ({error.reason})", origin=name
        ) from None


def read_file(path: str | Path) -> Iterator[Located]:
    """Events from a file, its format taken from its suffix; a file with none is refused."""
    name = str(path)
    fmt = format_of(name)
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            yield from _not_empty(read_events(stream, name, fmt), name)
    except OSError as error:
        raise InvalidEvent(field="file", rule=error.strerror or str(error), origin=name) from None


def _event_object(value: Any, origin: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidEvent(
            field="event",
            rule=f"expected a JSON object, found {type(value).__name__}",
            origin=origin,
        )
    return value


def _read_jsonl(stream: IO[str], name: str) -> Iterator[Located]:
    for number, line in enumerate(stream, start=1):
        origin = f"{name}:{number}"
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except ValueError as error:
            raise InvalidEvent(field="json", rule=_json_error(error), origin=origin) from None
        yield _event_object(value, origin), origin


def _read_json(stream: IO[str], name: str) -> Iterator[Located]:
    text = stream.read()
    if not text.strip():
        raise InvalidEvent(field="file", rule="empty file: no events", origin=name)
    try:
        value = _loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        raise InvalidEvent(field="json", rule=_json_error(error), origin=f"{name}:{line}") from None
    items = value if isinstance(value, list) else [value]
    lines = _element_lines(text) if isinstance(value, list) else [1]
    for index, item in enumerate(items):
        origin = f"{name}:{lines[index] if index < len(lines) else 1}"
        yield _event_object(item, origin), origin


def _element_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder(parse_float=_decimal)
    lines: list[int] = []
    index = text.index("[") + 1
    line, counted = 1, 0
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return lines
        line += text.count("\n", counted, index)
        counted = index
        lines.append(line)
        _, index = decoder.raw_decode(text, index)


def _json_error(error: ValueError) -> str:
    message = getattr(error, "msg", None) or str(error)
    return f"not valid JSON: {message}"


def _read_csv(stream: IO[str], name: str) -> Iterator[Located]:
    reader = csv.DictReader(stream, restkey="\0extra")
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise InvalidEvent(
            field="row", rule=f"not valid CSV: {error}", origin=f"{name}:1"
        ) from None
    if not fieldnames:
        raise InvalidEvent(field="file", rule="empty file: no header row", origin=name)
    header = [column.strip() for column in fieldnames]
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise InvalidEvent(
            field=repeated[0][:60],
            rule="this column appears more than once in the header",
            origin=f"{name}:1",
        )
    if "type" not in header:
        raise InvalidEvent(field="type", rule="the header has no 'type' column", origin=f"{name}:1")
    reader.fieldnames = header
    for row in _csv_rows(reader, name):
        origin = f"{name}:{reader.line_num}"
        if "\0extra" in row:
            raise InvalidEvent(
                field="row",
                rule=f"{len(header)} columns in the header but more in this row",
                origin=origin,
            )
        if any(value is None for value in row.values()):
            raise InvalidEvent(
                field="row",
                rule=f"fewer columns than the {len(header)} in the header",
                origin=origin,
            )
        if not any((value or "").strip() for value in row.values()):
            continue
        yield _csv_event(row, origin), origin


def _csv_rows(reader: csv.DictReader[str], name: str) -> Iterator[dict[str, Any]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InvalidEvent(
                field="row", rule=f"not valid CSV: {error}", origin=f"{name}:{reader.line_num}"
            ) from None
        yield row


def _is_resource(column: str) -> bool:
    return column in RESOURCE_COLUMNS or column.startswith(RESOURCE_PREFIXES)


def _csv_event(row: dict[str, str], origin: str) -> dict[str, Any]:
    event: dict[str, Any] = {}
    amounts: dict[str, str] = {}
    source: dict[str, str] = {}
    for column, raw in row.items():
        value = raw.strip()
        if not value:
            continue
        if _is_resource(column):
            amounts[column] = value
        elif column in SOURCE_COLUMNS:
            source[SOURCE_COLUMNS[column]] = value
        elif column in ("replacement",):
            try:
                event[column] = _loads(value)
            except ValueError as error:
                raise InvalidEvent(field=column, rule=_json_error(error), origin=origin) from None
        else:
            event[column] = value
    if amounts:
        event["amounts"] = amounts
    if source:
        event["source"] = source
    return event


def read_stdin(stream: IO[str], fmt: str = "jsonl") -> Iterator[Located]:
    """Events from standard input (JSON Lines unless told otherwise); none at all is refused."""
    yield from _not_empty(read_events(stream, "<stdin>", fmt), "<stdin>")


def _not_empty(located: Iterator[Located], name: str) -> Iterator[Located]:
    """Pass events through; an input that holds none is almost surely the wrong file."""
    empty = True
    for item in located:
        empty = False
        yield item
    if empty:
        raise InvalidEvent(field="file", rule="no events in this input", origin=name)
