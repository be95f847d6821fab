"""Loading manifest files on every core the run may use, when the input is big enough to pay.

Workers are forked (cheap on Linux, nothing to re-import) and each loads a contiguous batch of
files with the same code as a single-process run; results come back in input order, so the
output is byte-identical. Small runs (a pre-commit hook over a few files) never start a pool:
the fork and the shipping of results would cost more than they save.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

MIN_BYTES = 4_000_000  # below this, one process is as fast
MIN_FILES = 64
# Many small files (the real 6,172-file corpus averages 1.7 KB) cost mostly a read, a split and a
# syntax pass each, and shipping their results back costs about what a worker saves: measured
# slower. Files of tens of KB full of pod specs (the heavy tree: 39 KB) gain.
MIN_AVERAGE_BYTES = 8192
BATCHES_PER_WORKER = 6


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _sizes(inputs) -> Optional[List[int]]:
    sizes = []
    for inp in inputs:
        if inp.path is None:
            return None  # standard input is read by the main process only
        try:
            sizes.append(os.stat(inp.path).st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _batches(sizes: List[int], count: int) -> List[range]:
    """Contiguous index ranges of about equal bytes."""
    total = sum(sizes) or 1
    target = total / count
    out, start, acc = [], 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if acc >= target and i + 1 < len(sizes):
            out.append(range(start, i + 1))
            start, acc = i + 1, 0
    out.append(range(start, len(sizes)))
    return [r for r in out if len(r)]


_JOB = None  # (inputs, settings, policy), inherited by the forked workers


def _load_batch(indices: range):
    from rclint.engine import load_one

    inputs, settings, policy = _JOB
    return [load_one(inputs[i], settings, policy) for i in indices]


def _load_batch_remote(indices: range):
    """In a worker: the batch, and which files the filesystem policy let it read (the main
    process reads some of them again later, for code frames, under the same rule)."""
    _inputs, _settings, policy = _JOB
    return _load_batch(indices), dict(policy._approved), dict(policy._walked)


def load_in_workers(inputs, settings, policy, workers: Optional[int] = None):
    """[engine.load_one(input)] in input order, or None when one process should do it.

    The main process loads the first share of the files itself while `workers - 1` forked
    processes load the rest (their results are pickled back: the main process's share is not)."""
    global _JOB
    workers = workers or min(usable_cores(), 8)
    if workers < 2 or len(inputs) < MIN_FILES or not sys.platform.startswith("linux"):
        return None
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    sizes = _sizes(inputs)
    if sizes is None or sum(sizes) < MIN_BYTES or sum(sizes) < MIN_AVERAGE_BYTES * len(sizes):
        return None
    batches = _batches(sizes, workers * BATCHES_PER_WORKER)
    mine = len(batches) // workers  # the main process's share: the first batches
    _JOB = (inputs, settings, policy)
    try:
        with ctx.Pool(workers - 1) as pool:
            theirs = pool.map_async(_load_batch_remote, batches[mine:], chunksize=1)
            out = []
            for batch in batches[:mine]:
                out.extend(_load_batch(batch))
            for part, approved, walked in theirs.get():
                out.extend(part)
                for path, region in approved.items():
                    policy._approved.setdefault(path, region)
                policy._walked.update(walked)
            return out
    finally:
        _JOB = None
