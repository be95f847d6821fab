"""A deterministic "heavy" repository: most documents matter to a rule.

    python benchmarks/heavy.py OUT_DIR [--pods 10000] [--nodes 100] [--pools 100]

The default tree holds 10,000 pod specs (Pods and workload templates that name a
RuntimeClass, with nodeSelectors, tolerations, hostUsers, recursive read-only mounts,
privileged containers, overheads and suppression annotations drawn from a handful of
combinations, as real repositories do), 100 Node objects with runtime handlers and taints,
and 100 containerd node configs: about 15 MB. The same arguments always give byte-identical
files (a seeded generator; no clock, no environment).

`generate(root, pods=..., nodes=..., pools=...)` is also imported by the benchmark and by the
tests (a small tree) to compare outputs with and without the fast paths.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CLASSES = [
    # name, handler, scheduling
    ("runc", "runc", ""),
    ("kata", "kata-qemu", "scheduling:\n  nodeSelector:\n    katacontainers.io/kata-runtime: \"true\"\n"
                          "  tolerations:\n    - {key: dedicated, operator: Equal, value: kata, effect: NoSchedule}\n"),
    ("kata-fc", "kata-fc", "overhead:\n  podFixed: {cpu: 250m, memory: 160Mi}\n"),
    ("gvisor", "runsc", "scheduling:\n  nodeSelector:\n    sandbox: gvisor\n"),
    ("wasm", "spin", ""),
]
POD_CLASSES = ["runc", "kata", "kata", "kata-fc", "gvisor", "wasm", "runc", "kata", "runc", "kata", "gvisor",
               "runc", "kata", "runc", "kata", "kata-qmeu"]

RC = """apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: {name}
handler: {handler}
{scheduling}"""

SELECTORS = [
    "",
    "nodeSelector:\n  kubernetes.io/os: linux\n",
    "nodeSelector:\n  pool: p1\n",
    "nodeSelector:\n  katacontainers.io/kata-runtime: \"true\"\n  disktype: ssd\n",
    "nodeSelector:\n  sandbox: gvisor\n",
]
TOLERATIONS = [
    "",
    "tolerations:\n  - {key: dedicated, operator: Exists, effect: NoSchedule}\n",
    "tolerations:\n  - {key: dedicated, operator: Equal, value: p2, effect: NoSchedule}\n"
    "  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n",
]

CONTAINER = """- name: {name}
  image: registry.example.com/team-{team}/{name}:1.{i}.{j}
  imagePullPolicy: IfNotPresent
  args: ["--port", "{port}"]
  ports:
    - {{containerPort: {port}, name: http, protocol: TCP}}
  env:
{env}
  resources:
    requests: {{cpu: {cpu}m, memory: {mem}Mi}}
    limits: {{cpu: {cpu2}m, memory: {mem2}Mi}}
  readinessProbe:
    httpGet: {{path: /healthz, port: {port}}}
  volumeMounts:
    - {{name: config, mountPath: /etc/app, readOnly: true{rro}}}
    - {{name: data, mountPath: /var/lib/app}}
{security}"""


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def _pod_spec(rnd: random.Random, i: int) -> str:
    cls = POD_CLASSES[rnd.randrange(len(POD_CLASSES))]
    lines = [f"runtimeClassName: {cls}\n"]
    lines.append(SELECTORS[rnd.randrange(len(SELECTORS))])
    lines.append(TOLERATIONS[rnd.randrange(len(TOLERATIONS))])
    if rnd.random() < 0.05:
        lines.append("hostUsers: false\n")
    if rnd.random() < 0.04:
        lines.append("hostNetwork: true\n")
    if rnd.random() < 0.03:
        lines.append("overhead: {cpu: 100m, memory: 64Mi}\n")
    if rnd.random() < 0.03:
        lines.append("os: {name: linux}\n")
    lines.append("serviceAccountName: app\n")
    lines.append("containers:\n")
    for j in range(1 if rnd.random() < 0.7 else 2):
        env = "\n".join(f"    - {{name: VAR_{k}, value: \"{rnd.randrange(10**6)}\"}}" for k in range(rnd.randint(1, 5)))
        security = ("  securityContext: {privileged: true}\n" if rnd.random() < 0.03 else
                    "  securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}\n")
        rro = ", recursiveReadOnly: Enabled" if rnd.random() < 0.03 else ""
        port = 8000 + rnd.randrange(1000)
        cpu = 50 * rnd.randint(1, 8)
        mem = 64 * rnd.randint(1, 8)
        lines.append(_indent(CONTAINER.format(name=f"c{j}", team=i % 40, i=i, j=j, port=port, env=env,
                                              cpu=cpu, mem=mem, cpu2=cpu * 2, mem2=mem * 2, rro=rro,
                                              security=security), 2))
    lines.append("volumes:\n  - {name: config, configMap: {name: app-config}}\n  - {name: data, emptyDir: {}}\n")
    return "".join(lines)


def _object(rnd: random.Random, i: int) -> str:
    spec = _pod_spec(rnd, i)
    ignore = "    rclint.io/ignore: RCL401\n" if rnd.random() < 0.02 else ""
    meta = (f"metadata:\n  name: app-{i}\n  namespace: team-{i % 40}\n  labels:\n    app: app-{i}\n"
            f"    team: team-{i % 40}\n  annotations:\n    owner: team-{i % 40}@example.com\n{ignore}")
    r = rnd.random()
    if r < 0.4:
        return f"apiVersion: v1\nkind: Pod\n{meta}spec:\n{_indent(spec, 2)}"
    if r < 0.8:
        return (f"apiVersion: apps/v1\nkind: Deployment\n{meta}spec:\n  replicas: {rnd.randint(1, 5)}\n"
                f"  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n"
                f"      labels: {{app: app-{i}}}\n    spec:\n{_indent(spec, 6)}")
    if r < 0.9:
        return (f"apiVersion: batch/v1\nkind: Job\n{meta}spec:\n  backoffLimit: 2\n  template:\n    spec:\n"
                f"      restartPolicy: Never\n{_indent(spec, 6)}")
    return (f"apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n"
            f"    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n{_indent(spec, 10)}")


NODE = """apiVersion: v1
kind: Node
metadata:
  name: node-{i}
  labels:
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    pool: p{pool}
    disktype: {disk}
    katacontainers.io/kata-runtime: "{kata}"
{extra_labels}spec:
  podCIDR: 10.{a}.{b}.0/24
{taints}status:
  runtimeHandlers:
    - {{name: "", features: {{recursiveReadOnlyMounts: true, userNamespaces: true}}}}
    - {{name: runc, features: {{recursiveReadOnlyMounts: true, userNamespaces: true}}}}
{handlers}"""

CONTAINERD = """version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
{extra}"""
KATA_TABLE = """[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]
  runtime_type = "io.containerd.kata-qemu.v2"
  privileged_without_host_devices = {pwhd}
"""
GVISOR_TABLE = """[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
  runtime_type = "io.containerd.runsc.v1"
"""


def _nodes(n: int) -> str:
    docs = []
    for i in range(n):
        kata = i % 3 == 0
        gvisor = i % 5 == 1
        taints = ""
        if i % 4 == 0:
            taints = f"  taints:\n    - {{key: dedicated, value: {'kata' if kata else f'p{i % 7}'}, effect: NoSchedule}}\n"
        handlers = ""
        if kata:
            uns = "false" if i % 2 else "true"
            handlers += (f"    - {{name: kata-qemu, features: {{recursiveReadOnlyMounts: {uns}, "
                         f"userNamespaces: {uns}}}}}\n")
        if gvisor:
            handlers += "    - {name: runsc, features: {recursiveReadOnlyMounts: false, userNamespaces: false}}\n"
        extra = "    sandbox: gvisor\n" if gvisor else ""
        docs.append(NODE.format(i=i, pool=i % 7, disk="ssd" if i % 2 else "hdd", kata=str(kata).lower(),
                                extra_labels=extra, a=i // 256, b=i % 256, taints=taints, handlers=handlers))
    return "---\n".join(docs)


def generate(root: Path, pods: int = 10_000, nodes: int = 100, pools: int = 100, per_file: int = 25,
             seed: int = 12) -> None:
    """Write the tree under `root` (created). Same arguments, same bytes."""
    rnd = random.Random(seed)
    root = Path(root)
    (root / "cluster").mkdir(parents=True, exist_ok=True)
    (root / "cluster" / "runtimeclasses.yaml").write_text(
        "---\n".join(RC.format(name=n, handler=h, scheduling=s) for n, h, s in CLASSES))
    if nodes:
        (root / "cluster" / "nodes.yaml").write_text(_nodes(nodes))
    for p in range(pools):
        cfg = root / "nodes" / f"pool{p:04d}" / "etc" / "containerd" / "config.toml"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        extra = ""
        if p % 2:
            extra += KATA_TABLE.format(pwhd="true" if p % 4 == 1 else "false")
        if p % 5 == 2:
            extra += GVISOR_TABLE
        cfg.write_text(CONTAINERD.format(extra=extra))
    i = 0
    f = 0
    while i < pods:
        count = min(per_file, pods - i)
        docs = [_object(rnd, i + k) for k in range(count)]
        sub = root / "apps" / f"team-{f % 40:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"workloads-{f:04d}.yaml").write_text("---\n".join(docs))
        i += count
        f += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--pools", type=int, default=100)
    args = ap.parse_args()
    generate(args.out, pods=args.pods, nodes=args.nodes, pools=args.pools)


if __name__ == "__main__":
    main()
