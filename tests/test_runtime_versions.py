"""Scenarios for runtime versions and true outcomes: each builds a small tree, runs the engine and
asserts exact codes, positions and the parts of the finding (message, help, notes)."""

from __future__ import annotations

import pytest

from helpers import found, lint, write_files

from rclint.settings import ConfigError

V2 = 'plugins."io.containerd.grpc.v1.cri"'
V3 = 'plugins."io.containerd.cri.v1.runtime"'
OWN = ("RCL102", "RCL103", "RCL105", "RCL110", "RCL301", "RCL303", "RCL315", "RCL316")


def kata_config(version=3):
    base = V3 if version >= 3 else V2
    return (f'version = {version}\n[{base}.containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n')


RUNC_ONLY = f'version = 3\n[{V3}.containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
KATA_CLASS = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
TAINT = {"key": "runtime", "value": "kata", "effect": "NoSchedule"}


def pools(*entries):
    return {"node-pool": list(entries)}


def kata_pool(**extra):
    return {"name": "kata", "labels": {"pool": "kata"}, "taints": [TAINT],
            "runtime-config": ["nodes/kata/etc/containerd/config.toml"], **extra}


def general_pool(**extra):
    return {"name": "general", "labels": {"pool": "general", "zone": "b"},
            "runtime-config": ["nodes/general/etc/containerd/config.toml"], **extra}


def tree(tmp_path, extra=None):
    files = {"kata.yaml": KATA_CLASS, "nodes/kata/etc/containerd/config.toml": kata_config(),
             "nodes/general/etc/containerd/config.toml": RUNC_ONLY}
    files.update(extra or {})
    write_files(tmp_path, files)


def by_code(result, code):
    return [f for f in result.findings if f.code == code]


def test_own_messages_fit_on_one_line(tmp_path):
    """Every message of the rules this file covers is one line of at most 120 characters."""
    tree(tmp_path)
    result = lint(tmp_path, config=pools(kata_pool(), general_pool()))
    assert result.findings
    for f in result.findings:
        if f.code in OWN:
            assert len(f.message) <= 120 and "\n" not in f.message, f.message


# --------------------------------------------------------------------------- true outcomes


def test_handler_only_on_tainted_nodes_sends_pods_to_nodes_without_it(tmp_path):
    """The scheduler does not look at handlers: with an untainted pool that lacks the handler, the
    pods are bound there and sit in ContainerCreating, they do not stay Pending. RCL103 reports the
    class although no pod uses it, and the fix selects the kata nodes as well as tolerating them."""
    tree(tmp_path)
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("kata.yaml", 5, 10, "RCL103"), ("kata.yaml", 5, 10, "RCL105")]
    [rcl105] = by_code(result, "RCL105")
    assert rcl105.message == ('RuntimeClass "kata": every node with handler "kata" has an untolerated taint; '
                              'pods go to 1 node pool without it')
    assert rcl105.help == ('Add to RuntimeClass "kata": scheduling: {nodeSelector: {"pool": "kata"}; '
                           'tolerations: [{key: runtime, operator: Equal, value: "kata", effect: NoSchedule}]}')
    assert any("ContainerCreating" in n and 'no runtime for "kata" is configured' in n for n in rcl105.notes)
    [rcl103] = by_code(result, "RCL103")
    assert rcl103.message == 'RuntimeClass "kata": its pods can be bound to 1 node pool without handler "kata"'
    assert rcl103.help == rcl105.help


def test_handler_only_on_tainted_nodes_and_no_other_feasible_node_stays_pending(tmp_path):
    tree(tmp_path)
    general = general_pool(taints=[{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}])
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general))
    assert found(result) == [("kata.yaml", 5, 10, "RCL105")]
    [f] = result.findings
    assert f.message.endswith("has an untolerated taint; pods stay Pending")
    assert f.help == ('Add to RuntimeClass "kata": scheduling: {tolerations: [{key: runtime, operator: Equal, '
                      'value: "kata", effect: NoSchedule}]}')
    assert any("FailedScheduling" in n for n in f.notes)


def test_toleration_alone_still_lets_pods_land_on_general_nodes(tmp_path):
    """With the toleration but no nodeSelector, the pods may land on either pool: RCL103."""
    tolerating = KATA_CLASS + ("scheduling:\n  tolerations:\n"
                               "    - {key: runtime, operator: Equal, value: kata, effect: NoSchedule}\n")
    tree(tmp_path, {"kata.yaml": tolerating})
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("kata.yaml", 6, 1, "RCL103")]
    assert result.findings[0].help == 'Add to RuntimeClass "kata": scheduling: {nodeSelector: {"pool": "kata"}}'
    fixed = tolerating + "  nodeSelector: {pool: kata}\n"
    write_files(tmp_path, {"kata.yaml": fixed})
    assert found(lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))) == []


POD_ZONE_B = """\
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
spec:
  runtimeClassName: kata
  nodeSelector: {zone: b}
  tolerations:
    - {key: runtime, operator: Exists}
  containers: [{name: app, image: busybox}]
"""


def test_pod_placement_outside_the_handler_nodes_binds_it_to_a_node_without_it(tmp_path):
    tree(tmp_path, {"pod.yaml": POD_ZONE_B})
    result = lint(tmp_path, select=["RCL110"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("pod.yaml", 6, 21, "RCL110")]
    [f] = result.findings
    assert f.message == ('Pod sandboxed: its placement rules out every node with handler "kata"; '
                         'it goes to 1 node pool without the handler')
    assert any("ContainerCreating" in n for n in f.notes)
    # without the general pool no node is feasible: Pending
    result = lint(tmp_path, select=["RCL110"], config=pools(kata_pool()))
    assert [f.message.rsplit("; ", 1)[1] for f in result.findings] == ["it stays Pending"]
