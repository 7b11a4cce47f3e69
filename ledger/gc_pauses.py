"""The cyclic garbage collector, kept off the write path's long-lived objects.

The write path builds up many objects that live long and form no cycles: validated models,
rows, the streams a transaction has checked and their states. CPython's collector walks every
tracked object on each full collection, and collections come more often the more objects are
made: on a long import they took about a third of the time, and found next to no garbage. So:

- while a batch is validated, checked and appended, the collector waits (`paused`): the write
  path makes no cyclic garbage (its SQL statements take their values as named parameters: a
  statement made per call with its values bound in does make cycles, see `ledger.backends.among`);
- a long write transaction marks what it keeps as settled at the end of each chunk
  (`gc.freeze()`: collections no longer walk it), and everything is unfrozen when it ends.

Both are counted, so that writes on several threads at once restore the collector only when the
last one ends (and only resume it if it was running). Plain reference counting still frees what
the write path drops; cycles that a hook makes during an import (a user's projection, say) wait
until the transaction ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausing = 0
_resume = False
_settling = 0


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside (the write path's batches make no cycles)."""
    global _pausing, _resume
    with _lock:
        if _pausing == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _resume:
                gc.enable()


@contextmanager
def settling() -> Iterator[None]:
    """A scope in which `settle()` takes what is alive out of the collector's walks."""
    global _settling
    with _lock:
        _settling += 1
    try:
        yield
    finally:
        with _lock:
            _settling -= 1
            if _settling == 0:
                gc.unfreeze()


def settle() -> None:
    """Inside `settling()`: what is alive now is long-lived; collections stop walking it."""
    with _lock:
        if _settling:
            gc.freeze()
