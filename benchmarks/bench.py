#!/usr/bin/env python3
"""Time `rclint check` as a whole process on the large real corpus and on a generated one.

    python benchmarks/bench.py                      # both corpora, 5 runs each
    python benchmarks/bench.py --large-only -n 3
    python benchmarks/bench.py --generated-files 5000

Prints files, documents, MB and MB/s (input bytes / median wall time, start-up included).
The large corpus is ../shared/corpus/large/kyverno-policies-yaml.tar.gz, unpacked to a
temporary directory; pass --large-tar to point elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TAR = REPO.parent / "shared" / "corpus" / "large" / "kyverno-policies-yaml.tar.gz"


def rclint_cmd() -> list:
    exe = shutil.which("rclint")
    return [exe] if exe else [sys.executable, "-m", "rclint"]


def corpus_bytes(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".yaml", ".yml", ".json", ".toml", ".conf")):
                total += os.path.getsize(os.path.join(dirpath, name))
    return total


def time_runs(root: Path, runs: int, extra: list) -> tuple:
    cmd = rclint_cmd() + ["check", str(root), "--format", "json", "--exit-zero", *extra]
    times = []
    summary = None
    for i in range(runs + 1):  # the first run warms the file cache and is not counted
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"rclint failed ({proc.returncode}): {proc.stderr.strip()}")
        summary = json.loads(proc.stdout)["summary"]
        if i:
            times.append(elapsed)
    return times, summary


def report(label: str, root: Path, runs: int, extra: list) -> None:
    size = corpus_bytes(root)
    times, summary = time_runs(root, runs, extra)
    med = statistics.median(times)
    mb = size / 1e6
    print(f"{label}: {summary['files']} files, {summary['documents']} documents, {mb:.1f} MB, "
          f"{summary['findings']} findings")
    print(f"  wall s: median {med:.3f} (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
          f"  ->  {mb / med:.1f} MB/s")


POD = """apiVersion: v1
kind: Pod
metadata:
  name: pod-{i}
  namespace: ns-{ns}
  labels: {{app: app-{i}, tier: backend}}
spec:
{rc}  containers:
    - name: main
      image: registry.example.com/app-{i}:1.{i}
      args: ["--port", "8080", "--verbose"]
      resources:
        requests: {{cpu: 100m, memory: 128Mi}}
        limits: {{cpu: 500m, memory: 256Mi}}
      env:
{env}
"""
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
{rc}      containers:
        - name: web
          image: nginx:1.{i}
          ports: [{{containerPort: 80}}]
"""
OTHER = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg-{i}
data:
{data}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
spec:
  selector: {{app: web-{i}}}
  ports:
    - port: 80
      targetPort: 8080
"""
RC = """apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: {name}
handler: {name}
"""


def generate(root: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    classes = ["kata", "gvisor", "kata-qemu", "nvidia", "wasmtime"]
    (root / "runtimeclasses.yaml").write_text("---\n".join(RC.format(name=c) for c in classes))
    for i in range(n):
        docs = []
        for _ in range(rnd.randint(1, 4)):
            r = rnd.random()
            rc = f"  runtimeClassName: {rnd.choice(classes + ['kata-qmeu'])}\n" if rnd.random() < 0.2 else ""
            if r < 0.35:
                env = "\n".join(f"        - {{name: VAR_{k}, value: \"{rnd.random()}\"}}" for k in range(rnd.randint(1, 30)))
                docs.append(POD.format(i=i, ns=i % 7, rc=rc, env=env))
            elif r < 0.65:
                docs.append(DEPLOY.format(i=i, rc=rc.replace("  ", "      ", 1)))
            else:
                data = "\n".join(f"  key{k}: value-{rnd.randint(0, 10**9)}" for k in range(rnd.randint(1, 80)))
                docs.append(OTHER.format(i=i, data=data))
        sub = root / f"app{i % 50:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"manifest-{i}.yaml").write_text("---\n".join(docs))


NODE = """apiVersion: v1
kind: Node
metadata:
  name: node-{i}
  labels: {{kubernetes.io/os: linux, pool: p{i}, katacontainers.io/kata-runtime: "{kata}"}}
spec:
  taints: [{{key: dedicated, value: p{i}, effect: {effect}}}]
status:
  runtimeHandlers:
    - {{name: "", features: {{recursiveReadOnlyMounts: true, userNamespaces: true}}}}
    - {{name: runc, features: {{recursiveReadOnlyMounts: true, userNamespaces: true}}}}
{extra}"""
CONTAINERD = """version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
{extra}"""


def add_pools(root: Path, n: int) -> None:
    """A node inventory: n//2 Node objects and the rest containerd configs in mirrored node trees."""
    root.mkdir(parents=True, exist_ok=True)
    nodes = n // 2
    docs = []
    for i in range(nodes):
        kata = i % 3 == 0
        extra = "    - {name: kata-qemu, features: {recursiveReadOnlyMounts: true, userNamespaces: false}}\n" if kata else ""
        docs.append(NODE.format(i=i, kata=str(kata).lower(), effect="NoSchedule" if i % 4 == 0 else "PreferNoSchedule",
                                extra=extra))
    (root / "nodes.yaml").write_text("---\n".join(docs))
    for i in range(n - nodes):
        cfg = root / f"pool{i}" / "etc" / "containerd" / "config.toml"
        cfg.parent.mkdir(parents=True)
        extra = ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]\n'
                 '  runtime_type = "io.containerd.kata-qemu.v2"\n') if i % 2 else ""
        cfg.write_text(CONTAINERD.format(extra=extra))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("--large-tar", type=Path, default=DEFAULT_TAR)
    ap.add_argument("--large-only", action="store_true")
    ap.add_argument("--generated-only", action="store_true")
    ap.add_argument("--generated-files", type=int, default=5000)
    ap.add_argument("--pools", type=int, default=0,
                    help="add a node inventory of N pools (half Node objects, half containerd configs)")
    ap.add_argument("rclint_args", nargs="*", help="extra arguments for rclint check (after --)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rclint-bench-") as tmp:
        tmp = Path(tmp)
        if not args.generated_only:
            if not args.large_tar.is_file():
                sys.exit(f"large corpus not found: {args.large_tar}")
            large = tmp / "large"
            large.mkdir()
            with tarfile.open(args.large_tar) as tar:
                tar.extractall(large)
            if args.pools:
                add_pools(large / "nodes", args.pools)
            label = "large corpus (kyverno/policies)" + (f" + {args.pools} node pools" if args.pools else "")
            report(label, large, args.runs, args.rclint_args)
        if not args.large_only:
            gen = tmp / "generated"
            gen.mkdir()
            generate(gen, args.generated_files)
            if args.pools:
                add_pools(gen / "nodes", args.pools)
            label = f"generated corpus ({args.generated_files} files)" + (f" + {args.pools} node pools" if args.pools else "")
            report(label, gen, args.runs, args.rclint_args)


if __name__ == "__main__":
    main()
