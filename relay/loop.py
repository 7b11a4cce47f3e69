"""The relay: the log, read from the checkpoint, published in order, each batch acknowledged
before the checkpoint moves (the outbox pattern; docs/feed.md).

It knows the broker only as a `Sink`. A broker that fails is retried with capped back-off
from where the destination stands; after `give_up_after` seconds without an acknowledgement
the relay gives up (GaveUp). A stop (Ctrl-C, SIGTERM) is taken between batches, so the
checkpoint is never behind a batch the broker acknowledged.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from events import LedgerError
from ledger import Ledger, event_log

from .backoff import Backoff, pause
from .checkpoints import Checkpoint, read_checkpoint, save_checkpoint
from .messages import message_of
from .resume import resume_point
from .sink import Sink, SinkUnavailable

__all__ = ["GaveUp", "Progress", "Relay", "RelayOptions"]


class GaveUp(LedgerError):
    """The destination stayed unreachable for longer than the relay was told to wait."""


@dataclass(frozen=True)
class RelayOptions:
    """How the relay runs: once to the head, or following the log; its batches and waits."""

    follow: bool = False
    give_up_after: float = 60.0
    batch: int = 1_000
    idle_poll: tuple[float, float] = (0.005, 0.25)
    """The first and the longest wait between reads of an idle log (--follow)."""
    retry: tuple[float, float] = (0.25, 5.0)
    """The first and the longest wait before trying a broker that failed again."""
    progress_every: float = 0.5
    checkpoint_every: float = 0.25
    """Seconds between checkpoint writes (each is also written when the relay stops). A write
    takes the store's write lock, which a busy writer holds most of the time, so it is done in
    the background; a checkpoint behind the destination is safe, since the relay resumes after
    the later of the two."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the relay stands: what it published this run, where it is and where the log ends."""

    published: int
    position: int
    head: int
    seconds: float

    @property
    def lag(self) -> int:
        """Events recorded and not yet acknowledged."""
        return max(self.head - self.position, 0)


Say = Callable[[str], None]


class Relay:
    """Publishes a ledger's log to one sink, in position order, exactly once."""

    def __init__(
        self,
        ledger: Ledger,
        sink: Sink,
        prefix: str,
        options: RelayOptions,
        *,
        stop: asyncio.Event,
        on_progress: Callable[[Progress], None] | None = None,
        say: Say | None = None,
    ) -> None:
        self.ledger, self.sink, self.prefix, self.options = ledger, sink, prefix, options
        self.stop = stop
        self.on_progress = on_progress
        self.say: Say = say or (lambda _line: None)
        self.published = 0
        self.position = 0
        self.started = time.monotonic()
        self._acknowledged = self.started
        self._reported = 0.0
        self._unsaved: Checkpoint | None = None
        self._saved = 0.0
        self._saving: asyncio.Future[None] | None = None

    async def run(self) -> Progress:
        """Publish to the head (and on, following the log) until done or stopped."""
        retry = Backoff(*self.options.retry)
        while True:
            try:
                await self._session()
                return self._progress()
            except SinkUnavailable as error:
                self._acknowledge(*error.acknowledged)
                await self._save(force=True)
                waited = time.monotonic() - self._acknowledged
                if waited >= self.options.give_up_after:
                    raise GaveUp(
                        f"{self.sink.destination}: {error}; gave up after {waited:.0f} s "
                        f"without an acknowledgement (--give-up-after); published {self.published}"
                    ) from None
                delay = retry.next()
                self.say(f"{self.sink.destination}: {error}; retrying in {delay:.1f} s")
                await pause(self.stop, delay)
                if self.stop.is_set():
                    return self._progress()
            finally:
                await self._save(force=True)
                await self.sink.close()

    async def _session(self) -> None:
        """One connection: open, find where to resume, publish batches until done or stopped."""
        await self.sink.open()
        published = await self.sink.last_published()
        checkpoint = read_checkpoint(self.ledger.engine, self.sink.destination)
        resume = resume_point(
            self.ledger, self.sink.destination, published, checkpoint, self.prefix
        )
        if resume.note:
            self.say(resume.note)
        self.position, sequence = resume.position, published.last_sequence
        idle = Backoff(*self.options.idle_poll)
        while not self.stop.is_set():
            batch = list(self.ledger.read_all(after=self.position, limit=self.options.batch))
            if not batch:
                await self._save()  # in the background: a writer may hold the lock
                self._report(force=not self.options.follow)
                if not self.options.follow:
                    return
                await pause(self.stop, idle.next())
                continue
            idle.reset()
            messages = [message_of(stored, self.prefix) for stored in batch]
            sequence = await self.sink.publish_batch(messages, sequence)
            self.published += len(batch)
            self._acknowledge(batch[-1].position, sequence)
            await self._save()
            self._report()

    def _acknowledge(self, position: int, sequence: int) -> None:
        """The broker acknowledged everything up to `position`: the checkpoint may move there."""
        if position == 0:
            return
        self._acknowledged = time.monotonic()
        self.position = max(self.position, position)
        self._unsaved = Checkpoint(position, sequence)

    async def _save(self, *, force: bool = False) -> None:
        """Write the acknowledged checkpoint, if it moved: in a thread, so that a wait for the
        store's write lock never holds up publishing; one write at a time, so never out of
        order; unless forced (caught up, stopping), not more often than checkpoint_every."""
        if self._saving is not None and (force or self._saving.done()):
            saving, self._saving = self._saving, None
            await saving  # its errors are the relay's
        now = time.monotonic()
        if self._unsaved is None or self._saving is not None:
            return
        if not force and now - self._saved < self.options.checkpoint_every:
            return
        checkpoint, self._unsaved, self._saved = self._unsaved, None, now
        write = asyncio.to_thread(
            save_checkpoint,
            self.ledger.engine,
            self.sink.destination,
            checkpoint,
            self.ledger.clock(),
        )
        if force:
            await write
        else:
            self._saving = asyncio.ensure_future(write)

    def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.on_progress is None:
            return
        if now - self._reported < self.options.progress_every and not force:
            return
        self._reported = now
        self.on_progress(self._progress())

    def _progress(self) -> Progress:
        with self.ledger.engine.connect() as connection:
            query = select(func.coalesce(func.max(event_log.c.position), 0))
            head = int(connection.execute(query).scalar_one())
        seconds = time.monotonic() - self.started
        return Progress(self.published, self.position, head, seconds)
