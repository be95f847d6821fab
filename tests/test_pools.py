"""Node pools merged from Node objects, declared pools and runtime configs."""

from __future__ import annotations

import json

from click.testing import CliRunner

from rclint.cli import main

from helpers import found, lint, write_files

NODES = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Node
    metadata: {name: kata-1, labels: {katacontainers.io/kata-runtime: "true"}}
    spec: {taints: [{key: runtime, value: kata, effect: NoSchedule}]}
    status:
      runtimeHandlers:
        - {name: "", features: {userNamespaces: true}}
        - {name: kata-qemu, features: {userNamespaces: false}}
  - apiVersion: v1
    kind: Node
    metadata: {name: old-1, labels: {kubernetes.io/os: linux}}
    status: {runtimeHandlers: []}
"""
CONTAINERD = ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
              '  runtime_type = "io.containerd.runc.v2"\n')
RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: gpu}\nhandler: runc\nscheduling:\n  nodeSelector: {gpu: \"true\"}\n"


def test_nodes_from_a_list_with_known_and_unknown_handlers(tmp_path, monkeypatch):
    write_files(tmp_path, {"nodes.yaml": NODES})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["nodes", "--isolated", "--format", "json"], catch_exceptions=False)
    pools = json.loads(r.stdout)["pools"]
    assert [(p["name"], p["source"], p["runtime"], p["default_handler"]) for p in pools] == [
        ("node/kata-1", "node", "node", ""), ("node/old-1", "node", "node", None)]
    assert pools[0]["handlers"] == [{"name": "kata-qemu", "kind": "vm", "runtime_type": None, "runtime_path": None,
                                     "path": "nodes.yaml", "line": 11, "features": {"userNamespaces": False}}]
    assert pools[0]["taints"] == [{"key": "runtime", "value": "kata", "effect": "NoSchedule"}]
    assert pools[1]["handlers"] is None  # an empty runtimeHandlers list is unknown, not "none"


def test_selector_matching_no_labelled_pool_is_unknown_while_a_pool_has_unknown_labels(tmp_path):
    write_files(tmp_path, {"nodes.yaml": NODES, "rc.yaml": RC})
    assert found(lint(tmp_path, select=["RCL104"])) == [("rc.yaml", 6, 3, "RCL104")]
    write_files(tmp_path, {"other/etc/containerd/config.toml": CONTAINERD})
    assert found(lint(tmp_path, select=["RCL104"])) == []


def test_declared_pool_claims_its_runtime_config(tmp_path):
    write_files(tmp_path, {"rc.yaml": RC, "n/etc/containerd/config.toml": CONTAINERD})
    config = {"node-pool": [{"name": "general", "labels": {"gpu": "false"}, "runtime-config": ["n/etc/containerd/config.toml"]}]}
    result = lint(tmp_path, select=["RCL104"], config=config)
    assert found(result) == [("rc.yaml", 6, 3, "RCL104")]
    (f,) = result.findings
    assert f.message.endswith("matches none of the 1 known node pool")
    assert "pools: pool general" in f.full_text()
    assert [(r.path, r.span.line) for r in f.related] == [(".rclint.toml", 1)]
    pools = result.inventory.pools
    assert [(p.name, p.source, sorted(p.handlers)) for p in pools] == [("general", "config", ["runc"])]
