"""Never crash on input: every field of real RuntimeClasses, pods, Nodes and runtime configs
replaced by values of the wrong type, and hostile files, still give findings, not tracebacks."""

from __future__ import annotations

import json
import random

import pytest

from rclint.yamlsource import Chunk, parse_chunk

from helpers import lint, write_files

WRONG = ([], {}, 7, None, "x", True, [{"a": 1}])

RC = """apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: kata-qemu, labels: {a: b}}
handler: kata-qemu
overhead: {podFixed: {cpu: 250m, memory: 160Mi}}
scheduling:
  nodeSelector: {katacontainers.io/kata-runtime: "true"}
  tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}]
"""
POD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, annotations: {rclint.io/ignore: RCL109}}
spec:
  template:
    metadata: {annotations: {rclint.io/ignore: RCL105}}
    spec:
      runtimeClassName: kata-qemu
      nodeName: n1
      nodeSelector: {katacontainers.io/kata-runtime: "true", disk: ssd}
      hostNetwork: true
      hostPID: true
      hostUsers: false
      os: {name: linux}
      overhead: {cpu: 250m, memory: 160Mi}
      tolerations: [{key: k, operator: Exists}]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{key: disk, operator: In, values: [ssd]}]
                matchFields: [{key: metadata.name, operator: In, values: [n1]}]
      containers:
        - name: c
          image: busybox
          securityContext: {privileged: true}
          volumeMounts: [{name: v, mountPath: /v, recursiveReadOnly: Enabled}]
"""
NODE = """apiVersion: v1
kind: Node
metadata: {name: n1, labels: {katacontainers.io/kata-runtime: "true", kubernetes.io/os: linux}}
spec: {taints: [{key: k, value: v, effect: NoSchedule}]}
status:
  runtimeHandlers:
    - {name: "", features: {userNamespaces: true}}
    - {name: kata-qemu, features: {userNamespaces: false, recursiveReadOnlyMounts: false}}
"""
KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"
CONTAINERD = """version = 2
imports = ["/etc/containerd/conf.d/*.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = false
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]
  runtime_type = "io.containerd.kata-qemu.v2"
"""
CRIO = '[crio.runtime]\ndefault_runtime = "crun"\n[crio.runtime.runtimes.crun]\nruntime_path = ""\nruntime_type = "oci"\n'


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _set(value, path, new):
    if not path:
        return new
    value = json.loads(json.dumps(value))
    node = value
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return value


def _mutants(text: str, seed: int):
    (doc,) = list(parse_chunk(Chunk(text, 0, 0), "m"))
    rnd = random.Random(seed)
    for path in list(_paths(doc.value)):
        yield path, json.dumps(_set(doc.value, path, rnd.choice(WRONG)))


@pytest.mark.parametrize("name,text", [("rc", RC), ("pod", POD), ("node", NODE), ("kubelet", KUBELET)])
def test_every_field_with_a_wrong_type(tmp_path, name, text):
    base = {"rc.yaml": RC, "pod.yaml": POD, "node.yaml": NODE, "kubelet.yaml": KUBELET,
            "n/etc/containerd/config.toml": CONTAINERD, "c/crio.conf": CRIO}
    runs = 0
    mutants = list(_mutants(text, seed=len(name)))
    for i, (path, mutant) in enumerate(mutants):
        root = tmp_path / str(i)
        files = dict(base)
        files[f"{name}.yaml"] = mutant
        write_files(root, files)
        result = lint(root)  # must not raise
        assert all(f.span.line >= 1 and f.span.column >= 1 for f in result.findings), path
        runs += 1
    (doc,) = list(parse_chunk(Chunk(text, 0, 0), "m"))
    assert runs == len(list(_paths(doc.value))) >= 4


HOSTILE = {
    "binary.yaml": b"\x00\x01\x02\xff" * 100,
    "latin1.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n".encode("latin-1"),
    "tabs.yaml": b"apiVersion: v1\nkind: RuntimeClass\n\thandler: x\n",
    "huge-line.yaml": b"apiVersion: v1\nkind: RuntimeClass\nmetadata: {name: " + b"a" * 200_000 + b"}\nhandler: x\n",
    "control.yaml": b"apiVersion: v1\nkind: RuntimeClass\nhandler: \x07\n",
    "keys.yaml": b"apiVersion: v1\nkind: RuntimeClass\n? [a, b]\n: c\n{x: y}: z\n1: 2\nnull: 3\n",
    "anchors.yaml": b"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: &m {name: a}\nhandler: *m\n",
    "deep.json": b'{"apiVersion": "v1", "kind": "RuntimeClass", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "list.yaml": b"apiVersion: v1\nkind: List\nitems: [1, null, {kind: Pod}, {apiVersion: v1, kind: PodList, items: 5}]\n",
    "crlf-mixed.yaml": b"apiVersion: v1\r\nkind: Pod\rmetadata:\n  name: p\r\nspec: {runtimeClassName: [x]}\n",
    "n/etc/containerd/config.toml": b"version = 'x'\n[plugins]\n\"io.containerd.grpc.v1.cri\" = 5\n",
    "m/etc/containerd/config.toml": b"version = 3\nimports = [7, '../../../../../../etc/passwd']\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes]\nkata = 'x'\n",
    "c/crio.conf": b"[crio.runtime]\ndefault_runtime = 5\n[crio.runtime.runtimes]\nx = []\n",
    "d/crio.conf.d/10-bad": b"[crio\n",
}


def test_hostile_files_give_findings_not_tracebacks(tmp_path):
    for name, data in HOSTILE.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    result = lint(tmp_path)
    codes = {(f.path, f.code) for f in result.findings}
    assert ("binary.yaml", "RCL003") in codes
    assert not any(path == "latin1.yaml" for path, _code in codes)  # kubectl reads it (as U+FFFD)
    assert ("deep.json", "RCL003") in codes
    assert ("n/etc/containerd/config.toml", "RCL002") not in codes  # valid TOML, wrong types
    assert ("d/crio.conf.d/10-bad", "RCL002") in codes
