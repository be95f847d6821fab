#!/usr/bin/env python3
"""Time and measure `rclint check` as a whole process, beside yardsticks measured in the same run.

    python benchmarks/bench.py --compare                 # every case, markdown table
    python benchmarks/bench.py --compare --case heavy -n 3
    python benchmarks/bench.py --case pools --case pods  # the scaling series only

Cases:
  large    the real 6,172-file corpus (../shared/corpus/large/*.tar.gz, unpacked to a temp dir)
  heavy    the generated heavy tree (benchmarks/heavy.py): 10,000 pod specs, 100 Node objects,
           100 containerd pools, ~15 MB; most documents matter to a rule
  pools    the heavy tree's pods against 1 and 1,000 node pools (pods x pools must stay linear)
  pods     2,500 / 5,000 / 10,000 pod specs (time per MB must stay flat; peak memory within 2x
           the compose yardstick's peak on the same tree)
  warm     the heavy tree re-checked with a warm cache against a cold run
  startup  one RuntimeClass and one Pod (what a pre-commit hook pays)

Every figure is a whole process (start-up included): wall seconds and peak RSS of the child
(os.wait4), the median over RUNS runs after one warm-up run. Each command is started by a small
launcher process, not by this one: Linux carries a process's peak RSS across exec, so a command
started straight from the benchmark would report at least the benchmark's own size (about
20 MiB, more than a bare compose needs). With --compare each rclint run is
paired with a yardstick run (A B A B ...) and the ratio is the median of the per-pair ratios,
which keeps it meaningful on a machine whose speed drifts. Yardsticks: a bare libyaml compose of
every document of the same files (PyYAML C, `benchmarks/compose.py`; PyYAML is a benchmark-only
dependency: `pip install -e '.[bench]'`) and `kubectl patch --local -R` decoding the same files
when kubectl is installed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_TAR_DIR = REPO.parent / "shared" / "corpus" / "large"
sys.path.insert(0, str(HERE))

import heavy  # noqa: E402  (benchmarks/heavy.py)

CASES = ("large", "heavy", "pools", "pods", "warm", "startup")


def rclint_cmd() -> list:
    return [sys.executable, "-m", "rclint"]


def check_cmd(root: Path, *extra: str) -> list:
    return rclint_cmd() + ["check", str(root), "--format", "json", "--exit-zero", "--output", os.devnull,
                           "--no-color", *extra]


def compose_cmd(root: Path) -> list:
    return [sys.executable, str(HERE / "compose.py"), str(root)]


def kubectl_cmd(root: Path):
    exe = shutil.which("kubectl")
    if exe is None:
        return None
    return [exe, "patch", "--local", "-R", "-f", str(root), "--type", "merge", "-p", "{}", "-o", "json"]


# The measured commands cache bytecode as a user's Python does: with PYTHONDONTWRITEBYTECODE set
# (some CI and container images set it) an editable or source checkout has no bytecode, and
# every run would compile rclint's modules from source (~80 ms, more than the run itself).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# Starts the command with its output discarded, waits, and prints its wall seconds, CPU
# seconds and peak RSS (KiB). Its own peak (a bare interpreter without site) is the floor every
# figure inherits, below any command measured here.
LAUNCHER = """
import os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
t0 = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
_pid, _status, ru = os.wait4(pid, 0)
print(time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)
"""


def run_once(cmd: list, cwd=None) -> tuple:
    """(wall s, cpu s, peak MiB) of one whole process; its output is discarded."""
    out = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, *cmd], capture_output=True, text=True,
                         cwd=cwd, env=CHILD_ENV, check=True).stdout
    wall, cpu, peak = out.split()
    return float(wall), float(cpu), int(peak) / 1024


class Measure:
    def __init__(self, runs):
        self.wall, self.cpu, self.peak = [], [], []

    def add(self, sample):
        w, c, p = sample
        self.wall.append(w)
        self.cpu.append(c)
        self.peak.append(p)

    @property
    def med(self):
        return statistics.median(self.wall)

    def text(self):
        return (f"{statistics.median(self.wall):.3f} s ({min(self.wall):.3f}-{max(self.wall):.3f}), "
                f"cpu {statistics.median(self.cpu):.3f} s, {statistics.median(self.peak):.0f} MiB")


def paired(a: list, b, runs: int, before_a=None, before_b=None, cwd=None) -> tuple:
    """Run A and B in turn; returns (Measure A, Measure B or None, per-pair ratios)."""
    ma, mb, ratios = Measure(runs), Measure(runs) if b else None, []
    for i in range(runs + 1):
        if before_a:
            before_a()
        sa = run_once(a, cwd)
        sb = None
        if b:
            if before_b:
                before_b()
            sb = run_once(b, cwd)
        if i == 0:
            continue  # warm-up: fills the page cache
        ma.add(sa)
        if b:
            mb.add(sb)
            ratios.append(sa[0] / sb[0])
    return ma, mb, ratios


def tree_bytes(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return total


ROWS = []


def row(case, inp, rclint, yard_name, yard, ratio, goal, met):
    ROWS.append((case, inp, rclint, yard_name, yard, ratio, goal, met))
    print(f"  {case}: rclint {rclint} | {yard_name}: {yard} | ratio {ratio} | goal {goal}: {met}", flush=True)


def verdict(ok) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def compare_case(case: str, root: Path, runs: int, goal_ratio=None, goal_mib=None, compare=True, extra=()):
    size = tree_bytes(root) / 1e6
    a = check_cmd(root, "--no-cache", *extra) if supports_cache() else check_cmd(root, *extra)
    b = compose_cmd(root) if compare else None
    ma, mb, ratios = paired(a, b, runs)
    ratio = statistics.median(ratios) if ratios else None
    ok = ratio <= goal_ratio if goal_ratio is not None and ratio is not None else None
    row(case, f"{size:.1f} MB", ma.text(), "libyaml compose (PyYAML C)", mb.text() if mb else "-",
        f"{ratio:.2f}x" if ratio is not None else "-",
        f"wall <= {goal_ratio:.2f}x compose" if goal_ratio is not None else "-", verdict(ok))
    if goal_mib is not None:
        peak = statistics.median(ma.peak)
        row(case + ", memory", f"{size:.1f} MB", f"peak {peak:.0f} MiB", "-", "-", "-", f"peak <= {goal_mib} MiB",
            verdict(peak <= goal_mib))
    if compare:
        k = kubectl_cmd(root)
        if k is not None:
            mk, _none, _r = paired(k, None, max(1, runs // 2))
            row(case, f"{size:.1f} MB", "-", "kubectl decode", mk.text(), f"{ma.med / mk.med:.2f}x (unpaired)",
                "-", "n/a")
    return ma


_CACHE_SUPPORT = None


def supports_cache() -> bool:
    global _CACHE_SUPPORT
    if _CACHE_SUPPORT is None:
        out = subprocess.run(rclint_cmd() + ["check", "--help"], capture_output=True, text=True).stdout
        _CACHE_SUPPORT = "--cache-dir" in out
    return _CACHE_SUPPORT


def case_large(tmp: Path, args):
    tars = sorted(args.large_dir.glob("*.tar.gz")) if args.large_dir.is_dir() else []
    if not tars:
        print(f"  large: no corpus under {args.large_dir}; skipped")
        return
    root = tmp / "large"
    root.mkdir()
    with tarfile.open(tars[0]) as tar:
        tar.extractall(root)
    compare_case("real corpus (6,172 files)", root, args.runs, goal_ratio=0.40, compare=args.compare)


def heavy_tree(tmp: Path, name="heavy", **kw) -> Path:
    root = tmp / name
    if not root.exists():
        heavy.generate(root, **kw)
    return root


def case_heavy(tmp: Path, args):
    root = heavy_tree(tmp)
    compare_case("heavy tree (10,000 pod specs, 200 pools)", root, args.runs, goal_ratio=1.0, goal_mib=200,
                 compare=args.compare)


def case_pools(tmp: Path, args):
    one = heavy_tree(tmp, "pools-1", nodes=1, pools=0)
    many = heavy_tree(tmp, "pools-1000", nodes=500, pools=500)
    extra = ("--no-cache",) if supports_cache() else ()
    ma, mb, ratios = paired(check_cmd(many, *extra), check_cmd(one, *extra), args.runs)
    ratio = statistics.median(ratios)
    row("10,000 pods x 1,000 pools vs x 1 pool", f"{tree_bytes(many) / 1e6:.1f} MB", ma.text(), "same pods, 1 pool",
        mb.text(), f"{ratio:.2f}x", "<= 1.30x", verdict(ratio <= 1.30))


def case_pods(tmp: Path, args):
    """Time per MB must stay flat; memory must stay within 2x of composing the same tree one
    document at a time (the compose yardstick keeps nothing, so its peak is flat): rclint may
    not keep per-document data it does not need."""
    per_mb = []
    for pods in (2_500, 5_000, 10_000):
        root = heavy_tree(tmp, f"pods-{pods}", pods=pods)
        size = tree_bytes(root) / 1e6
        extra = ("--no-cache",) if supports_cache() else ()
        ma, mb, _r = paired(check_cmd(root, *extra), compose_cmd(root), max(1, args.runs // 2))
        peak, yard_peak = statistics.median(ma.peak), statistics.median(mb.peak)
        per_mb.append((pods, ma.med / size, peak))
        row(f"{pods:,} pod specs", f"{size:.1f} MB", ma.text(), "-", "-", f"{ma.med / size:.3f} s/MB", "-", "n/a")
        ratio = peak / yard_peak
        row(f"{pods:,} pod specs, memory", f"{size:.1f} MB", f"peak {peak:.0f} MiB", "libyaml compose (PyYAML C)",
            f"peak {yard_peak:.0f} MiB", f"{ratio:.2f}x", "<= 2x compose's peak", verdict(ratio <= 2.0))
    growth = per_mb[-1][1] / per_mb[0][1]
    row("pods series: s/MB at 10,000 vs 2,500 pods", "-", f"{growth:.2f}x", "-", "-", "-", "<= 1.30x (linear)",
        verdict(growth <= 1.30))
    # what is left when there is nothing to grow: the same Nodes and pools, no pod spec
    root = heavy_tree(tmp, "pods-0", pods=0)
    extra = ("--no-cache",) if supports_cache() else ()
    ma, mb, _r = paired(check_cmd(root, *extra), compose_cmd(root), max(1, args.runs // 2))
    base, yard_base = statistics.median(ma.peak), statistics.median(mb.peak)
    row("0 pod specs (the same Nodes and pools), memory", f"{tree_bytes(root) / 1e6:.1f} MB", f"peak {base:.0f} MiB",
        "libyaml compose (PyYAML C)", f"peak {yard_base:.0f} MiB", f"{base / yard_base:.2f}x", "-", "n/a")
    per_k = (per_mb[-1][2] - per_mb[0][2]) / 7.5
    row("pods series: peak growth per 1,000 pod specs", "-", f"{per_k:.2f} MiB", "-", "-", "-", "-", "n/a")


def case_warm(tmp: Path, args):
    root = heavy_tree(tmp)
    if not supports_cache():
        row("warm re-run (heavy tree)", "-", "no --cache-dir in this rclint", "-", "-", "-", "<= 0.30x cold", "n/a")
        return
    cache = tmp / "cache"

    def clear():
        shutil.rmtree(cache, ignore_errors=True)

    cold = check_cmd(root, "--cache-dir", str(cache))
    warm = check_cmd(root, "--cache-dir", str(tmp / "cache-warm"))
    run_once(warm)  # fill the warm cache
    mw, mc, ratios = paired(warm, cold, args.runs, before_b=clear)
    ratio = statistics.median(ratios)
    row("warm re-run (heavy tree)", f"{tree_bytes(root) / 1e6:.1f} MB", mw.text(), "cold run (empty cache)",
        mc.text(), f"{ratio:.2f}x", "<= 0.30x cold", verdict(ratio <= 0.30))


STARTUP_RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
STARTUP_POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata\n"
               "  containers:\n    - name: c\n      image: nginx\n")


def case_startup(tmp: Path, args):
    root = tmp / "startup"
    root.mkdir()
    (root / "rc.yaml").write_text(STARTUP_RC)
    (root / "pod.yaml").write_text(STARTUP_POD)
    runs = max(10, args.runs * 4)
    extra = ("--no-cache",) if supports_cache() else ()
    # run inside the folder, as a pre-commit hook does (not in this checkout, whose pyproject.toml
    # would be read as rclint's configuration)
    ma, mb, _r = paired(check_cmd(Path("."), *extra), [sys.executable, "-c", "pass"], runs, cwd=root)
    row("start-up: one RuntimeClass + one Pod", "2 files", ma.text(), "bare `python -c pass`", mb.text(),
        f"+{(ma.med - mb.med) * 1000:.0f} ms", "<= 80 ms", verdict(ma.med <= 0.080))


def print_table():
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    cores = os.cpu_count()
    print()
    print(f"Measured {today} on {platform.system()} {platform.machine()}, {cores} cores, "
          f"Python {platform.python_version()}; whole processes, medians (min-max), ratios paired in the same run.")
    print()
    print("| case | input | rclint (wall, cpu, peak) | yardstick | yardstick (wall, cpu, peak) | ratio | goal | |")
    print("|---|---|---|---|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(r) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("--compare", action="store_true", help="pair every figure with the yardsticks; print a table")
    ap.add_argument("--case", action="append", choices=CASES, help="run only these cases (repeatable)")
    ap.add_argument("--large-dir", type=Path, default=DEFAULT_TAR_DIR, help="folder holding the large corpus tar")
    args = ap.parse_args()
    cases = args.case or list(CASES)
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        print("note: PYTHONDONTWRITEBYTECODE is not passed on: the measured commands cache bytecode as a "
              "user's Python does (the warm-up run writes it)", flush=True)
    with tempfile.TemporaryDirectory(prefix="rclint-bench-") as tmp:
        tmp = Path(tmp)
        for case in CASES:
            if case in cases:
                print(f"{case} ...", flush=True)
                globals()[f"case_{case}"](tmp, args)
    print_table()


if __name__ == "__main__":
    main()
