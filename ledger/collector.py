"""The cyclic garbage collector, kept off the write path's long-lived objects.

The write path builds up many objects that live long and form no cycles: validated models,
rows, the streams a transaction has checked and their states. CPython's collector walks every
tracked object on each full collection, and collections come more often the more objects are
made: on a long import they took about a third of the time, and found next to no garbage. So:

- while a batch is validated, checked and appended, the collector waits (`paused`);
- a long write transaction collects once at the end of each chunk, when what the chunk made is
  all young (the database layer's statements do form cycles: none of them outlives its chunk),
  then marks what is left as settled (`gc.freeze()`: later collections no longer walk it);
  everything is unfrozen when the transaction ends.

Both are counted, so that writes on several threads at once restore the collector only when the
last one ends (and only resume it if it was running). Plain reference counting still frees what
the write path drops; only cycles among settled objects wait until the transaction ends.
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
    """Inside `settling()`: collect the cycles made since the last settle (the database layer's
    statements), then take what is alive out of the collector's later walks."""
    with _lock:
        if _settling:
            gc.collect()
            gc.freeze()
