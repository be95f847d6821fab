"""Loading manifest files on every core the run may use, when the input is big enough to pay.

Workers are forked (cheap on Linux, nothing to re-import) and each loads batches of files
with the same code as a single-process run; results are put back in input order, so the
output is byte-identical. Small runs (a pre-commit hook over a few files) never start a pool:
the fork and the shipping of results would cost more than they save.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

MIN_BYTES = 4_000_000  # below this, one process is as fast
MIN_FILES = 64
# From this many files on, the input is split without measuring it: a stat per file would cost
# more than the imbalance it avoids (files are dealt out in turn, so a folder of big files is
# shared too).
COUNT_ONLY_FILES = 1000
MIN_AVERAGE_BYTES = 0  # kept for tests that force a pool on tiny inputs
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


def _batches(sizes: List[int], count: int) -> List[List[int]]:
    """Index lists of about equal bytes, each file dealt to the batch holding the fewest bytes
    so far, biggest first."""
    import heapq

    heap = [(0, b) for b in range(count)]
    out: List[List[int]] = [[] for _ in range(count)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        total, b = heapq.heappop(heap)
        out[b].append(i)
        heapq.heappush(heap, (total + sizes[i], b))
    return [sorted(b) for b in out if b]


def _dealt(n: int, count: int) -> List[List[int]]:
    """Index lists of about equal counts, files dealt out in turn."""
    return [list(range(b, n, count)) for b in range(min(count, n))]


_JOB = None  # (inputs, settings, policy, batches, claims), inherited by the forked workers


def _claim(b: int) -> bool:
    """Take batch `b` unless a process took it already (each batch is loaded exactly once)."""
    claims = _JOB[4]
    with claims.get_lock():
        if claims[b]:
            return False
        claims[b] = 1
        return True


def _load_batch(indices):
    from rclint.engine import load_one

    inputs, settings, policy = _JOB[:3]
    return [load_one(inputs[i], settings, policy) for i in indices]


def _load_batch_remote(b: int):
    """In a worker: batch `b` unless the main process took it, and which files the filesystem
    policy let it read (the main process reads some of them again later, for code frames and
    positions, under the same rule)."""
    if not _claim(b):
        return None
    policy = _JOB[2]
    return _load_batch(_JOB[3][b]), dict(policy._approved), dict(policy._walked)


def load_in_workers(inputs, settings, policy, workers: Optional[int] = None, meanwhile=None):
    """[engine.load_one(input)] in input order, or None when one process should do it.

    `workers - 1` forked processes take batches from the last one down while the main process
    first calls `meanwhile()` (other loading it has to do; only when a pool runs), then takes
    batches from the first one up, until they meet: whoever is slower loads less. The workers'
    results are pickled back; the main process's are not."""
    global _JOB
    workers = workers or min(usable_cores(), 8)
    if workers < 2 or len(inputs) < MIN_FILES or not sys.platform.startswith("linux"):
        return None
    if any(inp.path is None for inp in inputs):
        return None  # standard input is read by the main process only
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    count = workers * BATCHES_PER_WORKER
    if len(inputs) >= COUNT_ONLY_FILES:
        batches = _dealt(len(inputs), count)
    else:
        sizes = _sizes(inputs)
        if sizes is None or sum(sizes) < MIN_BYTES or sum(sizes) < MIN_AVERAGE_BYTES * len(sizes):
            return None
        batches = _batches(sizes, count)
    _JOB = (inputs, settings, policy, batches, ctx.Array("b", len(batches)))
    out: list = [None] * len(inputs)
    try:
        with ctx.Pool(workers - 1) as pool:
            order = list(range(len(batches) - 1, -1, -1))
            theirs = pool.map_async(_load_batch_remote, order, chunksize=1)
            if meanwhile is not None:
                meanwhile()
            for b, batch in enumerate(batches):
                if _claim(b):
                    for i, result in zip(batch, _load_batch(batch)):
                        out[i] = result
            for b, got in sorted(zip(order, theirs.get()), key=lambda t: t[0]):
                if got is None:
                    continue  # the main process loaded it
                part, approved, walked = got
                for i, result in zip(batches[b], part):
                    out[i] = result
                for path, region in approved.items():
                    policy._approved.setdefault(path, region)
                policy._walked.update(walked)
            return out
    finally:
        _JOB = None
