"""Ctrl-C and the store's transactions: a transaction commits whole or is rolled back, and the
caller can always tell which.

SIGINT raises KeyboardInterrupt wherever Python happens to be, which may be inside a driver
call: psycopg then leaves its connection mid-command, and the rollback SQLAlchemy tries next
fails with a library error that hides the interrupt. So a transaction cut by an interrupt is
not rolled back over its connection: the connection is discarded, and the database rolls the
transaction back as it loses it (SQLite as the file is closed, PostgreSQL as the session
ends). And the commit itself is never cut: SIGINT is held back while it runs, with whatever
records that it happened, and delivered right after.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sqlalchemy import Connection, RootTransaction

__all__ = ["all_or_nothing", "held_interrupts"]


@contextmanager
def held_interrupts() -> Iterator[None]:
    """SIGINT held back inside, and delivered (to the handler it would have reached) on the
    way out. Only the main thread receives signals: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = signal.getsignal(signal.SIGINT)
    if not callable(handler):  # ignored, or the default: nothing would be raised
        yield
        return
    came: list[tuple[int, FrameType | None]] = []
    signal.signal(signal.SIGINT, lambda number, frame: came.append((number, frame)))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        if came:
            handler(*came[0])


@contextmanager
def all_or_nothing(connection: Connection) -> Iterator[RootTransaction]:
    """A transaction on `connection`, rolled back if the block raises, committed when it ends
    unless the block committed it already (commit inside `held_interrupts()`, with whatever
    records that it did).

    Rolled back even when an interrupt cut a driver call short: the connection is then
    discarded, and the interrupt goes on, never a library's complaint in its place."""
    transaction = connection.begin()
    try:
        yield transaction
    except BaseException as error:
        with held_interrupts():
            _abandon(connection, transaction, interrupted=not isinstance(error, Exception))
        raise
    if transaction.is_active:
        with held_interrupts():
            transaction.commit()


def _abandon(connection: Connection, transaction: RootTransaction, *, interrupted: bool) -> None:
    """Roll back; after an interrupt, or if the rollback fails, by discarding the connection."""
    if not interrupted:
        try:
            transaction.rollback()
            return
        except Exception:  # the error that ended the block is the one to raise
            pass
    connection.invalidate()
    transaction.rollback()  # on a discarded connection: only SQLAlchemy's own state
