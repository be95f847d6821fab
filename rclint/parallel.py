"""Loading manifest files on every core the run may use, when the input is big enough to pay.

Workers are forked (cheap on Linux, nothing to re-import) and each loads a share of the files
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


_JOB = None  # (inputs, settings, policy), inherited by the forked workers


def _load_batch(indices):
    from rclint.engine import load_one

    inputs, settings, policy = _JOB
    return [load_one(inputs[i], settings, policy) for i in indices]


def _load_batch_remote(indices):
    """In a worker: the batch, and which files the filesystem policy let it read (the main
    process reads some of them again later, for code frames, under the same rule)."""
    _inputs, _settings, policy = _JOB
    return _load_batch(indices), dict(policy._approved), dict(policy._walked)


def _child(indices, w: int) -> None:
    """In a forked worker: load the batch, write the pickled result to the pipe, exit without
    running any of the parent's exit handlers or flushing its buffers."""
    code = 1
    try:
        import pickle

        data = pickle.dumps(_load_batch_remote(indices), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
        code = 0
    except BaseException:  # noqa: BLE001 - the parent loads this share itself
        code = 1
    finally:
        os._exit(code)


def _collect(pid: int, r: int):
    """The result a worker wrote, or None when it failed (the caller loads that share itself)."""
    import pickle

    parts = []
    try:
        while True:
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            parts.append(chunk)
    finally:
        os.close(r)
    _pid, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return pickle.loads(b"".join(parts))
    except Exception:  # noqa: BLE001
        return None


def load_in_workers(inputs, settings, policy, workers: Optional[int] = None):
    """[engine.load_one(input)] in input order, or None when one process should do it.

    The inputs are split into one share per process; the main process loads the first share
    while forked workers load the others and send their results back pickled through a pipe
    (a worker that fails costs time, not results: the main process then loads its share)."""
    global _JOB
    workers = workers or min(usable_cores(), 8)
    if workers < 2 or len(inputs) < MIN_FILES or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return None
    if any(inp.path is None for inp in inputs):
        return None  # standard input is read by the main process only
    if len(inputs) >= COUNT_ONLY_FILES:
        shares = _dealt(len(inputs), workers)
    else:
        sizes = _sizes(inputs)
        if sizes is None or sum(sizes) < MIN_BYTES or sum(sizes) < MIN_AVERAGE_BYTES * len(sizes):
            return None
        shares = _batches(sizes, workers)
    _JOB = (inputs, settings, policy)
    out: list = [None] * len(inputs)
    children = []  # (pid, read end, share)
    try:
        for share in shares[1:]:
            r, w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(r)
                os.close(w)
                children.append((None, None, share))
                continue
            if pid == 0:
                os.close(r)
                _child(share, w)
            os.close(w)
            children.append((pid, r, share))
        for i, result in zip(shares[0], _load_batch(shares[0])):
            out[i] = result
        while children:
            pid, r, share = children.pop(0)
            got = _collect(pid, r) if pid is not None else None
            if got is None:
                got = (_load_batch(share), {}, {})
            part, approved, walked = got
            for i, result in zip(share, part):
                out[i] = result
            for path, region in approved.items():
                policy._approved.setdefault(path, region)
            policy._walked.update(walked)
        return out
    finally:
        _JOB = None
        for pid, r, _share in children:  # interrupted: stop and reap the others
            if pid is not None:
                import signal

                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                os.close(r)
