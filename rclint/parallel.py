"""Loading manifest files on every core the run may use, when the input is big enough to pay.

Workers are forked (cheap on Linux, nothing to re-import) and each loads batches of the files
with the same code as a single-process run; results are put back in input order, so the
output is byte-identical. Small runs (a pre-commit hook over a few files) never start a pool:
the fork and the shipping of results would cost more than they save.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

MIN_BYTES = 1_000_000  # below this, one process is as fast (a fork and a pipe cost about 10 ms)
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


BATCHES_PER_PROCESS = 24

_JOB = None  # (batches, work, state), inherited by the forked workers of map_batches


def _take(tokens: int) -> Optional[int]:
    """The next batch nobody has taken (a one-byte read from the shared pipe of batch numbers:
    every batch goes to exactly one process), or None when none is left."""
    got = os.read(tokens, 1)
    return got[0] if got else None


def _remote(tokens: int):
    """In a worker: {batch: result} for the batches it took, and its `state()`."""
    batches, work, state = _JOB
    done = {}
    while True:
        b = _take(tokens)
        if b is None:
            break
        done[b] = work(batches[b])
    return done, state() if state is not None else None


def _serve(work, w: int) -> None:
    """In a forked worker: write the pickled result of `work()` to the pipe `w` as it is
    pickled, then exit without running any of the parent's exit handlers or flushing its
    buffers; any failure is an exit status the parent sees (and then does the work itself)."""
    code = 1
    try:
        import pickle

        result = work()
        with os.fdopen(w, "wb", buffering=1 << 16) as fh:  # streamed: no second copy of the results
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def _fork(serve, *args):
    """(pid, read end of its result pipe) of a forked worker running `serve(*args, w)`, or None
    when no process can be forked."""
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:
        os.close(r)
        serve(*args, w)
    os.close(w)
    return pid, r


def _stop(pid: int, r: int) -> None:
    """Kill and reap a worker whose result is no longer wanted (an interrupted run)."""
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    os.close(r)


def _child(tokens: int, w: int) -> None:
    """In a forked worker: do batches until none is left, then send the results."""
    _serve(lambda: _remote(tokens), w)


def _collect(pid: int, r: int):
    """The result a worker wrote, or None when it failed (the caller does the batches nobody
    delivered itself)."""
    import pickle

    got = None
    with os.fdopen(r, "rb", buffering=1 << 16) as fh:  # unpickled as it comes: no copy of the bytes
        try:
            got = pickle.load(fh)
        except Exception:  # noqa: BLE001 - a worker that died mid-way: its batches are done here
            got = None
        while fh.read(1 << 16):  # whatever follows (nothing, from a sound worker)
            pass
    _pid, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    return got


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def map_batches(batches: list, work, workers: int, meanwhile=None, state=None, merge_state=None) -> list:
    """[work(batch)] in batch order, computed by `workers` processes (at most 255 batches).

    The batch numbers wait in a pipe. Forked workers take them one at a time while the main
    process first calls `meanwhile()` (other work it has to do), then takes them too: whoever
    is busier does less. Workers send their results back pickled through a pipe each, with
    `state()` (what else the parent must learn), given to `merge_state`; a worker that fails
    costs time, not results: the main process does the batches it took."""
    global _JOB
    if len(batches) > 255:
        raise ValueError("at most 255 batches: their numbers travel as single bytes")
    _JOB = (batches, work, state)
    out: list = [None] * len(batches)
    delivered = set()
    children = []  # (pid, read end)
    tokens, fill = os.pipe()
    try:
        os.write(fill, bytes(range(len(batches))))  # at most 255 bytes: written at once
        os.close(fill)
        fill = None
        for _ in range(workers - 1):
            child = _fork(_child, tokens)
            if child is not None:
                children.append(child)
        if meanwhile is not None:
            meanwhile()
        while True:
            b = _take(tokens)
            if b is None:
                break
            out[b] = work(batches[b])
            delivered.add(b)
        while children:
            pid, r = children.pop(0)
            got = _collect(pid, r)
            if got is None:
                continue
            done, child_state = got
            for b, result in done.items():
                out[b] = result
                delivered.add(b)
            if merge_state is not None:
                merge_state(child_state)
        for b, batch in enumerate(batches):  # taken by a worker that failed
            if b not in delivered:
                out[b] = work(batch)
        return out
    finally:
        _JOB = None
        os.close(tokens)
        if fill is not None:
            os.close(fill)
        for pid, r in children:  # interrupted: stop and reap the others
            _stop(pid, r)


def load_in_workers(inputs, settings, policy, workers: Optional[int] = None, meanwhile=None, defer: bool = False):
    """[engine.load_one(input)] in input order, or None when one process should do it (see
    map_batches). Workers also send which files the filesystem policy let them read: the main
    process reads some of them again later, for code frames and positions, under the same rule."""
    from rclint.engine import load_one

    workers = workers or min(usable_cores(), 8)
    if workers < 2 or len(inputs) < MIN_FILES or not can_fork():
        return None
    if any(inp.path is None for inp in inputs):
        return None  # standard input is read by the main process only
    count = min(255, workers * BATCHES_PER_PROCESS)
    if len(inputs) >= COUNT_ONLY_FILES:
        batches = _dealt(len(inputs), count)
    else:
        sizes = _sizes(inputs)
        if sizes is None or sum(sizes) < MIN_BYTES or sum(sizes) < MIN_AVERAGE_BYTES * len(sizes):
            return None
        batches = _batches(sizes, count)

    def load(indices):
        return [load_one(inputs[i], settings, policy, defer=defer) for i in indices]

    def merge(state):
        approved, walked = state
        for path, region in approved.items():
            policy._approved.setdefault(path, region)
        policy._walked.update(walked)

    parts = map_batches(batches, load, workers, meanwhile=meanwhile,
                        state=lambda: (dict(policy._approved), dict(policy._walked)), merge_state=merge)
    out: list = [None] * len(inputs)
    for batch, part in zip(batches, parts):
        for i, result in zip(batch, part):
            out[i] = result
    return out


# ---------------------------------------------------------------------------- checks

# From this many pod specs on, a forked worker runs these checks (the two that find most in a
# tree full of pods) and computes their findings' fixes, while the main process runs the others.
SPLIT_CHECKS_MIN_POD_SPECS = 2000
WORKER_CHECKS = frozenset({"RCL101", "RCL107"})


def _run_checks(ctx, checks, with_fixes: bool = False) -> dict:
    """{code: (findings, notes the check added)} for checks run here, in order; with
    `with_fixes`, the findings carry their fixes already (see `_with_fixes`)."""
    out = {}
    for code, fn in checks:
        before = len(ctx.notes)
        findings = list(fn(ctx))
        if with_fixes:
            findings = _with_fixes(findings, ctx.inventory)
        out[code] = (findings, ctx.notes[before:])
    return out


def _with_fixes(findings: list, inventory) -> list:
    """The findings with the fixes `rclint.fixes.attach_fixes` gives them (it would give the
    same later: a fix depends on its finding and its file only), in their order. A finding whose
    path the engine will escape (a file name that is not UTF-8) is left to it."""
    from rclint.fixes import attach_fixes
    from rclint.textio import escape_surrogates

    todo = sorted((i for i, f in enumerate(findings) if escape_surrogates(f.path) == f.path),
                  key=lambda i: findings[i].path)  # attach_fixes reads one file at a time
    out = list(findings)
    for i, fixed in zip(todo, attach_fixes([findings[i] for i in todo], inventory)):
        out[i] = fixed
    return out


def _checks_child(ctx, checks, w: int) -> None:
    """In a forked worker: run `checks` and attach their findings' fixes, then send them."""
    _serve(lambda: _run_checks(ctx, checks, with_fixes=True), w)


def _split_checks(ctx, checks, theirs):
    """Results of every check, `theirs` run by a forked worker; None when no worker starts."""
    child = _fork(_checks_child, ctx, theirs)
    if child is None:
        return None
    pid, r = child
    collected = False
    try:
        results = _run_checks(ctx, [c for c in checks if c[0] not in WORKER_CHECKS])
        got = _collect(pid, r)
        collected = True
    finally:
        if not collected:  # interrupted: stop and reap the worker
            _stop(pid, r)
    if got is None or set(got) != {code for code, _fn in theirs}:
        got = _run_checks(ctx, theirs)  # the worker failed: its share costs time, not findings
        # (their fixes are attached later, by the engine, as in one process)
    results.update(got)
    return results


def run_checks(ctx, checks, jobs: int = 0, more_notes=None) -> list:
    """The findings of `checks` ([(code, check)] in code order), in that order, and the notes
    they say added to `ctx` in that order too: the same whether one process runs them or, for
    big inputs, a forked worker runs the WORKER_CHECKS beside the main process (and attaches
    their fixes, which the engine then does not compute again)."""
    from rclint import fixes

    theirs = [(code, fn) for code, fn in checks if code in WORKER_CHECKS]
    results = None
    if (theirs and len(theirs) < len(checks) and jobs != 1 and (jobs or usable_cores()) >= 2
            and len(ctx.inventory.pod_specs) >= SPLIT_CHECKS_MIN_POD_SPECS and fixes._ACTIVE is None
            and can_fork()):
        results = _split_checks(ctx, checks, theirs)
    if results is None:
        results = _run_checks(ctx, checks)
    ctx.notes[:] = []
    out = []
    for code, _fn in checks:
        findings, notes = results[code]
        for note in list(notes) + list((more_notes or {}).get(code, ())):  # the second pass's (rclint.stream)
            ctx.note(note)
        out.extend(findings)
    return out
