"""Keeping the read models current: inside every append, by catch-up, or rebuilt from zero.

- `projection`: what a projection is (`Projection`), and `Progress`;
- `append_hooks`: `register`, the hooks that feed projections inside an append transaction;
- `put_off`: the later batches of a long import, written once before its commit;
- `feed_from_log`: every event after each checkpoint, page by page; `checkpoints`;
- `fill`, `replay`, `parallel_replay`, `index_builds`: filling empty tables from the whole log;
- `rebuild_from_zero`: rebuild; `built_in`: the built-in read models attached, caught up, rebuilt.

See docs/design.md, "Read models".
"""

from .append_hooks import hook_for, register, registered
from .built_in import BUILTINS, attach, ensure_current, project
from .feed_from_log import advance, catch_up, catch_up_all, write_transaction
from .projection import Progress, Projection
from .rebuild_from_zero import rebuild, rebuild_all

__all__ = [
    "BUILTINS",
    "Progress",
    "Projection",
    "advance",
    "attach",
    "catch_up",
    "catch_up_all",
    "ensure_current",
    "hook_for",
    "project",
    "rebuild",
    "rebuild_all",
    "register",
    "registered",
    "write_transaction",
]
