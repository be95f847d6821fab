"""The switch for rclint's fast paths (memoised placement work, lazily recovered positions,
the result cache, worker processes).

Every fast path must give byte-identical output: a test runs the engine with `FAST` off and
on over the real corpus and a generated heavy tree and compares the JSON reports.
"""

from __future__ import annotations

import contextlib
import gc

FAST = True


@contextlib.contextmanager
def gc_paused(skip: bool = False):
    """The cyclic garbage collector off while work that creates many long-lived objects and no
    cycles runs (imports, loading: it would only re-traverse the growing heap), then what was
    created frozen out of its sight. Nothing is done with `skip` or when the collector is off."""
    if skip or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def memo(ctx, name: str) -> dict:
    """A memo table shared by the checks of one run (a fresh, throwaway one when FAST is off)."""
    if not FAST:
        return {}
    return ctx.memo.setdefault(name, {})
