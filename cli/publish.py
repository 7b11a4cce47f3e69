"""`capledger publish`: the log, fed to a NATS JetStream stream, in order, exactly once."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from .context import Settings, pass_settings

if TYPE_CHECKING:  # the relay (and nats-py) are imported when the command runs
    from relay import Progress

STREAM_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
STOPPED = {signal.SIGINT: 130, signal.SIGTERM: 143}
"""The exit status of a run without --follow stopped before it reached the head: 128 + the
signal, as a shell reports a command the signal ended."""


def _url(_context: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.match(r"^nats://[^/\s]+$", value):
        raise click.BadParameter(f"{value!r}: give the server as nats://HOST:PORT")
    return value


def _stream(_context: click.Context, _param: click.Parameter, value: str) -> str:
    if not STREAM_NAME.match(value):
        raise click.BadParameter(f"{value!r}: letters, digits, - and _ only")
    return value


def _prefix(_context: click.Context, _param: click.Parameter, value: str) -> str:
    from relay import valid_prefix

    if not valid_prefix(value):
        raise click.BadParameter(f"{value!r}: dot-separated tokens of letters, digits, - and _")
    return value


@click.command()
@click.option(
    "--to",
    "url",
    required=True,
    metavar="nats://HOST:PORT",
    callback=_url,
    help="The NATS server, with JetStream enabled.",
)
@click.option(
    "--stream",
    default="CAPLEDGER",
    show_default=True,
    callback=_stream,
    help="The JetStream stream: made if absent (subjects PREFIX.>, file storage), else "
    "checked to fit and to hold only this ledger's events.",
)
@click.option(
    "--subject-prefix",
    "prefix",
    default="capledger",
    show_default=True,
    callback=_prefix,
    help="Each event goes to subject PREFIX.<commitment>.",
)
@click.option(
    "--follow",
    is_flag=True,
    help="Keep publishing events as they are recorded, until Ctrl-C or SIGTERM.",
)
@click.option(
    "--give-up-after",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Exit 1 once the broker has acknowledged nothing for this long (it is retried with "
    "back-off meanwhile, one line on stderr each time).",
)
@pass_settings
def publish(
    settings: Settings, url: str, stream: str, prefix: str, follow: bool, give_up_after: float
) -> None:
    """Publish the log to a NATS JetStream stream, in order, exactly once.

    Each event goes to PREFIX.<commitment>, its body the event's JSON as `log` gives it, with
    the headers Nats-Msg-Id (the event id), Capledger-Seq (its position), Capledger-Type and
    Capledger-Recorded-At. Only events the broker acknowledged move the checkpoint, kept in
    the store per destination; a restart resumes after the later of the checkpoint and the
    stream's last message. Exit status: 0 done, or --follow stopped by Ctrl-C or SIGTERM; 1
    refused, or the broker unreachable for --give-up-after; 130 or 143 a run without --follow
    stopped by Ctrl-C or SIGTERM before it reached the head (the checkpoint is consistent
    either way).
    """
    from relay import Relay, RelayOptions, nats_sink

    ledger = settings.open()
    sink = nats_sink(url, stream=stream, prefix=prefix)
    line = ProgressLine(enabled=sys.stderr.isatty())
    options = RelayOptions(follow=follow, give_up_after=give_up_after)

    async def run() -> tuple[Progress, signal.Signals | None]:
        stop = asyncio.Event()
        caught: list[signal.Signals] = []
        loop = asyncio.get_running_loop()
        for signum in STOPPED:
            loop.add_signal_handler(signum, _stopper(stop, caught, signum))
        relay = Relay(ledger, sink, prefix, options, stop=stop, on_progress=line, say=line.say)
        try:
            return await relay.run(), (caught[0] if caught else None)
        finally:
            for signum in STOPPED:
                loop.remove_signal_handler(signum)

    progress, caught = asyncio.run(run())
    line.finish()
    click.echo(
        f"published {progress.published} events to {sink.destination} "
        f"(up to position {progress.position})"
    )
    if caught is not None and not follow and progress.lag:
        raise click.exceptions.Exit(STOPPED[caught])


def _stopper(
    stop: asyncio.Event, caught: list[signal.Signals], signum: signal.Signals
) -> Callable[[], None]:
    def handler() -> None:
        caught.append(signum)
        stop.set()

    return handler


class ProgressLine:
    """The relay's progress on one line of stderr, redrawn (a terminal only): published
    count, rate and lag; the relay's retry messages on lines of their own."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.drawn = False
        self.last = (0, 0.0)

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        published, seconds = self.last
        elapsed = progress.seconds - seconds
        rate = (progress.published - published) / elapsed if elapsed > 0 else 0.0
        self.last = (progress.published, progress.seconds)
        click.echo(f"\r{describe(progress, rate)}\x1b[K", err=True, nl=False)
        self.drawn = True

    def say(self, text: str) -> None:
        self.finish()
        click.echo(text, err=True)

    def finish(self) -> None:
        if self.drawn:
            click.echo("", err=True)
            self.drawn = False


def describe(progress: Progress, rate: float) -> str:
    """`published N events, R/s, lag L ...`: a relay's Progress, and its rate since the last."""
    return (
        f"published {progress.published:,} events, {rate:,.0f}/s, "
        f"lag {progress.lag:,} (position {progress.position:,} of {progress.head:,})"
    )


COMMANDS = [publish]
