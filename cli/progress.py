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


class Reporter:
    """Draws "label NAME: N events" on stderr, over and over on one line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.drawn = False

    def __call__(self, name: str, count: int) -> None:
        click.echo(f"\r{self.label} {name}: {count:,} events", err=True, nl=False)
        self.drawn = True


def reporter(label: str, *, enabled: bool | None = None) -> Reporter | None:
    """A callback writing "label NAME: N events" to stderr, or None when it is not a terminal."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        return None
    return Reporter(label)


def finish(callback: Callable[[str, int], None] | None) -> None:
    """End the progress line, if one was drawn."""
    if isinstance(callback, Reporter) and callback.drawn:
        click.echo("", err=True)
