"""The second pass: files full of pod specs, loaded and checked a batch at a time.

What a pod spec's findings depend on (RuntimeClasses, Nodes, KubeletConfigurations, runtime
configs, node pools) is known only once every file is read, and a pod spec may come first. So
the first pass (rclint.engine.load_inputs) sets aside, unparsed, each manifest file whose
bytes show it may hold a pod spec a rule reads and none of those objects (`worth_deferring`,
`may_hold_context`). Once the inventory is built,
this pass loads those files in batches, runs the checks that read pod specs (POD_CHECKS) over
each batch against the whole inventory, applies the files' own suppressions, gives the
findings their fixes, and keeps only that: the pod specs of a batch are gone before the next is
read, so memory does not grow with the number of pod specs. Batches run on every core the run
may use, and come back in input order: the output is the same as from one pass over all files
(a test compares the two over the real corpus and a generated tree).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from rclint.catalog import rule_severities
from rclint.model import Stats

# A file holding one of these (case-sensitive, as kubectl reads kinds) may hold an object the
# first pass must know: a RuntimeClass, a Node (or a NodeList), a KubeletConfiguration. A
# backslash could spell one of them in an escape ("Runtime\u0043lass"); a file that is not
# ASCII-compatible (UTF-16 or UTF-32 with a BOM, or NUL bytes) is judged after decoding, by the
# first pass. Anything else spells a kind as the characters themselves: YAML folds the lines of
# a scalar with a space, so no kind can be split across lines.
CONTEXT_MARKERS = (b"RuntimeClass", b"Node", b"KubeletConfiguration", b"\\", b"\x00")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Below this many bytes of such files the first pass loads them after all: what they hold is
# small, and a second pass would only cost its own set-up (a pre-commit hook's few files).
MIN_BYTES = 1_000_000
# Files of a batch: enough to make a batch's fixed costs small, few enough to keep memory flat.
BATCH_BYTES = 256 * 1024
MAX_BATCHES = 255  # the batch numbers travel as single bytes (rclint.parallel)


def may_hold_context(data: bytes) -> bool:
    """Whether a manifest file's bytes may hold an object the first pass must know."""
    return data.startswith(_WIDE_BOMS) or any(m in data for m in CONTEXT_MARKERS)


def worth_deferring(data: bytes) -> bool:
    """Whether a file the first pass need not know may hold a pod spec a rule reads (the
    loader parses only documents naming a RuntimeClass or setting an overhead, see
    rclint.loader.INTERESTING): anything else is syntax-checked at once and keeps nothing."""
    return b"untimeClass" in data or b"overhead" in data


@dataclass(frozen=True)
class Deferred:
    """A file the first pass read and set aside: its size and checksum, to notice that it was
    rewritten before the second pass read it again. (A checksum, not a hash that resists a
    forger: whoever can write to the tree during the run could as well write before it; what
    matters is that the two passes never see two different files without saying so.)"""

    size: int
    checksum: int

    @classmethod
    def of(cls, data: bytes) -> "Deferred":
        return cls(len(data), zlib.crc32(data))

    def matches(self, data: bytes) -> bool:
        return len(data) == self.size and zlib.crc32(data) == self.checksum


@dataclass
class Outcome:
    """What the second pass found, in input order."""

    findings: list = field(default_factory=list)  # suppressions applied, fixes attached
    notes: Dict[str, list] = field(default_factory=dict)  # check code -> notes it said
    used: Set[str] = field(default_factory=set)  # RuntimeClass names the pod specs name
    paths: Set[str] = field(default_factory=set)  # the files it linted
    stats: Stats = field(default_factory=Stats)  # what it read, and what suppressions hid

    def add(self, other: "Outcome") -> None:
        self.findings.extend(other.findings)
        for code, notes in other.notes.items():
            mine = self.notes.setdefault(code, [])
            mine.extend(n for n in notes if n not in mine)
        self.used |= other.used
        self.paths |= other.paths
        self.stats.add_counts(other.stats)


def batches(deferred: list) -> List[List[int]]:
    """Runs of consecutive files of about BATCH_BYTES each (more when there are many), never
    more than MAX_BATCHES: a batch is closed only when the next file would take it over the
    limit, so any two batches in a row hold more than the limit, and with the limit at
    2 * total / (MAX_BATCHES - 2) there are fewer than MAX_BATCHES of them."""
    total = sum(d.size for _inp, d in deferred)
    limit = max(BATCH_BYTES, -(-2 * total // (MAX_BATCHES - 2)) + 1)
    out: List[List[int]] = []
    size = 0
    for i, (_inp, d) in enumerate(deferred):
        if not out or size + d.size > limit:
            out.append([])
            size = 0
        out[-1].append(i)
        size += d.size
    return out


class _Job:
    """A run's second pass, shared with forked workers: each batch is `outcome(indices)`."""

    def __init__(self, deferred: list, inventory, settings, checks, enabled: Set[str], known: Set[str], policy):
        self.deferred = deferred
        self.inventory = inventory
        self.settings = settings
        self.checks = [(code, fn) for code, fn in checks if code in _pod_checks()]
        self.enabled = enabled
        self.known = known
        self.policy = policy
        self.memo: dict = {}  # placement work, shared by the batches one process checks
        self.strings: Dict[str, str] = {}
        self.severities = rule_severities()

    def outcome(self, indices: List[int]) -> Outcome:
        from rclint import perf
        from rclint.checks import Context
        from rclint.checks.references import referenced_class
        from rclint.engine import load_one
        from rclint.inventory import build_inventory
        from rclint.parallel import _run_checks, _with_fixes
        from rclint.suppress import apply, object_suppressions, unused

        out = Outcome()
        files = []
        raw = []
        for i in indices:
            inp, deferred = self.deferred[i]
            lf, status = load_one(inp, self.settings, self.policy, again=deferred)
            if status == "none":  # gone since, as a dangling symlink inside the tree: no file
                continue
            out.stats.count_loaded(lf, status)
            out.paths.add(inp.display)
            files.append(lf)
            raw.extend(lf.findings)
        with perf.gc_paused(skip=not perf.FAST):
            inv = self._batch_inventory(build_inventory(files, self.settings.known_runtime_classes))
            self.memo.pop("pods_with_classes", None)  # the only memo about the pod specs themselves
            ctx = Context(inv, self.settings, memo=self.memo, rc_part=False)
            for code, (found, notes) in _run_checks(ctx, self.checks).items():
                raw.extend(found)
                if notes:
                    out.notes[code] = list(notes)
            out.used = {referenced_class(ref) for ref in inv.pod_specs} - {None}
            raw = [f for f in raw if f.code in self.enabled]
            suppressions = list(object_suppressions(inv))
            for lf in files:
                suppressions.extend(lf.suppressions)
            kept = apply(raw, suppressions)
            out.stats.suppressed = len(raw) - len(kept)
            if "RCL006" in self.enabled:
                kept.extend(unused(suppressions, self.known, self.enabled))
            out.findings = [self._settled(f) for f in _with_fixes(kept, inv)]
        return out

    def _settled(self, f):
        """The finding with the severity the engine would give it, and with the strings that
        findings repeat (notes, help, paths, fix descriptions) shared with the findings before
        it: thousands of findings are kept until the report is written."""
        from dataclasses import replace

        sev = self.settings.severity.get(f.code) or f.severity or self.severities[f.code]
        c = self._string
        fix = f.fix
        if fix is not None:
            fix = replace(fix, description=c(fix.description),
                          edits=tuple(replace(e, path=c(e.path), replacement=c(e.replacement)) for e in fix.edits))
        return replace(f, path=c(f.path), field=c(f.field), help=c(f.help), notes=tuple(map(c, f.notes)),
                       related=tuple(replace(r, path=c(r.path), message=c(r.message)) for r in f.related),
                       severity=sev, fix=fix)

    def _string(self, text: str) -> str:
        return self.strings.setdefault(text, text)

    def _batch_inventory(self, inv):
        """The batch's objects and pod specs, and everything else of the whole run."""
        whole = self.inventory
        inv.runtime_classes = whole.runtime_classes
        inv.runtime_class_by_name = whole.runtime_class_by_name
        inv.runtime_configs = whole.runtime_configs
        inv.kubelet_configs = whole.kubelet_configs
        inv.nodes = whole.nodes
        inv.pools = whole.pools
        return inv


def _pod_checks():
    from rclint.checks import POD_CHECKS

    return POD_CHECKS


def check_deferred(deferred: list, inventory, settings, checks, enabled: Set[str], known: Set[str], policy,
                   jobs: Optional[int] = None) -> Outcome:
    """The second pass over `deferred` ([(input, Deferred)] in input order), on every core the
    run may use when there is enough of it to pay for a fork (rclint.parallel.MIN_BYTES)."""
    from rclint import parallel

    job = _Job(deferred, inventory, settings, checks, enabled, known, policy)
    parts = batches(deferred)
    workers = min(jobs or min(parallel.usable_cores(), 8), len(parts))
    if workers >= 2 and parallel.can_fork() and sum(d.size for _inp, d in deferred) >= parallel.MIN_BYTES:
        results = parallel.map_batches(parts, job.outcome, workers)
    else:
        results = map(job.outcome, parts)
    out = Outcome()
    for result in results:
        out.add(result)
    return out
