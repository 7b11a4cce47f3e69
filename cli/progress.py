"""A progress line on stderr for long work, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import click

T = TypeVar("T")
EVERY = 2_000


def counting(items: Iterable[T], label: str, *, enabled: bool | None = None) -> Iterator[T]:
    """Yield `items`, writing "label: N" to stderr every few thousand when it is a terminal."""
    show = sys.stderr.isatty() if enabled is None else enabled
    count = 0
    for count, item in enumerate(items, start=1):
        if show and count % EVERY == 0:
            click.echo(f"\r{label}: {count:,}", err=True, nl=False)
        yield item
    if show and count >= EVERY:
        click.echo(f"\r{label}: {count:,} done", err=True)


def reporter(label: str, *, enabled: bool | None = None) -> Callable[[str, int], None] | None:
    """A callback writing "label NAME: N events" to stderr, or None when it is not a terminal."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        return None

    def report(name: str, count: int) -> None:
        click.echo(f"\r{label} {name}: {count:,} events", err=True, nl=False)

    return report


def finish(callback: Callable[[str, int], None] | None) -> None:
    """End the progress line, if one was drawn."""
    if callback is not None:
        click.echo("", err=True)
