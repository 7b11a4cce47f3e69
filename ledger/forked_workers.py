"""Forked worker processes over a store: when they can help, how they start, and how they end.

Work that reads the log in independent ranges (verify, a rebuild's fold) can be spread over
the machine's cores. The workers are forked, so that they start with this process's engine and
arguments as they are; each opens connections of its own (SQLAlchemy's recipe for a fork) and
takes the next range not yet taken from a shared counter, so that a worker slowed by other work
takes fewer. Whatever they send comes back through one pipe each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine

from .backends import private_to_its_connection

if TYPE_CHECKING:
    from multiprocessing.connection import Connection as Pipe

# multiprocessing is imported where workers start, not here: most commands never start any,
# and importing it costs every command's start-up more than the query it then runs.

__all__ = ["Taken", "detach", "messages", "started", "take", "worker_count"]

Taken = Any
"""A counter shared by the workers: how many ranges they have taken, in order."""


def worker_count(engine: Engine, forced: int | None = None) -> int:
    """How many workers to use: `forced`, or one per CPU; 0 where workers cannot help (one
    CPU, no fork on this platform, a store other processes cannot reach)."""
    import multiprocessing

    count = forced if forced is not None else os.cpu_count()
    if not count or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if private_to_its_connection(engine.url):
        return 0
    return count


@contextmanager
def started(
    target: Callable[..., None], args: Sequence[Any], workers: int
) -> Iterator[tuple[list[Pipe], Taken]]:
    """Start `workers` forked processes running `target(*args, taken, sender)`; yield the
    readers of their pipes and the shared counter. On the way out, workers still running
    (after an error here) are stopped, and all are waited for."""
    import multiprocessing

    context = multiprocessing.get_context("fork")  # the workers start with this engine as it is
    taken = context.Value("i", 0)
    pipes = [context.Pipe(duplex=False) for _ in range(workers)]
    processes = [
        context.Process(target=_deaf_to_interrupts, args=(target, *args, taken, sender))
        for _, sender in pipes
    ]
    try:
        with _interrupts_blocked():  # until each worker has made itself deaf to them
            for process in processes:
                process.start()
        for _, sender in pipes:
            sender.close()  # the workers' end: once they have all closed it, nothing more comes
        yield [reader for reader, _ in pipes], taken
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            if process.pid is not None:  # started
                process.join()
        for reader, _ in pipes:
            reader.close()


def _deaf_to_interrupts(target: Callable[..., None], *args: Any) -> None:
    """A worker runs `target(*args)` with Ctrl-C ignored: the terminal sends SIGINT to every
    process of the command, and the parent answers it, stopping the workers on its way out
    (each would otherwise print its own traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    target(*args)


@contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """SIGINT kept pending in this thread inside (a forked worker starts with it blocked, and
    unblocks it once it ignores it); one that came meanwhile is delivered on the way out."""
    import signal

    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def messages(readers: list[Pipe]) -> Iterator[Any]:
    """Every message the workers send, as it comes, until all of them have closed their end."""
    from multiprocessing.connection import wait

    open_readers = list(readers)
    while open_readers:
        for ready in wait(open_readers):
            reader = cast("Pipe", ready)
            try:
                yield reader.recv()
            except EOFError:
                open_readers.remove(reader)


def detach(engine: Engine) -> None:
    """In a worker: set the parent's connections aside, so that the engine opens its own.

    The parent's pool (and any transaction it holds) is kept, never used nor closed: if it
    were garbage-collected here, closing its connections would close the parent's too."""
    _parents.append(engine.pool)
    engine.dispose(close=False)


def take(taken: Taken, ranges: int) -> int | None:
    """In a worker: the index of the next range not yet taken, or None when none is left."""
    with taken.get_lock():
        index = int(taken.value)
        taken.value += 1
    return index if index < ranges else None


_parents: list[Any] = []  # in a worker: the parent's pool, neither used nor closed
