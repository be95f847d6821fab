"""The switch for rclint's fast paths (memoised placement work, lazily recovered positions,
the result cache, worker processes).

Every fast path must give byte-identical output: a test runs the engine with `FAST` off and
on over the real corpus and a generated heavy tree and compares the JSON reports.
"""

from __future__ import annotations

FAST = True


def memo(ctx, name: str) -> dict:
    """A memo table shared by the checks of one run (a fresh, throwaway one when FAST is off)."""
    if not FAST:
        return {}
    return ctx.memo.setdefault(name, {})
