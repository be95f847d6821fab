"""Did-you-mean picks what a person would pick, or says nothing (rclint.suggest)."""

from __future__ import annotations

import pytest

from rclint.suggest import closest

from helpers import lint, write_files

CASES = [
    # the family's base, not a sibling variant that happens to be fewer edits away
    ("kata-qemu-typo", ["kata-qemu", "kata-qemu-tdx", "kata-clh"], "kata-qemu"),
    ("kata-qemu-tdz", ["kata-qemu", "kata-qemu-tdx"], "kata-qemu-tdx"),  # one typo in the variant
    ("kata-qmeu", ["kata-qemu", "kata", "runc"], "kata-qemu"),  # swapped neighbours
    ("kata-qemu", ["kata", "gvisor"], "kata"),
    ("kata", ["kata-qemu", "runc"], "kata-qemu"),  # the only longer member of the family
    ("kata", ["kata-qemu", "kata-clh"], None),  # two equally good: say nothing
    # never a Linux handler for a Windows one, nor the other way round
    ("runhcs-wcow-process", ["runc", "runhcs-wcow-hypervisor", "crun"], None),
    ("runhcs-wcow-proces", ["runc", "runhcs-wcow-process"], "runhcs-wcow-process"),
    ("runhc", ["runhcs", "runc"], "runc"),
    ("runhcs", ["runc"], None),
    # nothing clearly close
    ("gvisor", ["kata", "runc"], None),
    ("a", ["b"], None),
    ("rc-1", ["rc-2", "rc-3"], None),
    # case, separators, CamelCase parts
    ("systemd_cgroup", ["SystemdCgroup", "BinaryName"], "SystemdCgroup"),
    ("noexecute", ["NoSchedule", "PreferNoSchedule", "NoExecute"], "NoExecute"),
    ("NoScheduleNoAdmit", ["NoSchedule", "PreferNoSchedule", "NoExecute"], "NoSchedule"),
    ("Equals", ["Equal", "Exists"], "Equal"),
    ("known-runtime-class", ["known-runtime-classes", "select", "ignore", "node-config"], "known-runtime-classes"),
    ("runtime_paht", ["runtime_path", "runtime_type", "runtime_root"], "runtime_path"),
]


@pytest.mark.parametrize("word,candidates,expected", CASES)
def test_closest(word, candidates, expected):
    assert closest(word, candidates) == expected


def test_candidate_order_does_not_matter():
    names = ["kata-qemu", "kata-qemu-tdx", "kata-clh", "kata-fc", "runc"]
    for word in ("kata-qemu-typo", "kata-fx", "kata-cl", "kata"):
        assert closest(word, names) == closest(word, list(reversed(names)))


RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: {0}\nhandler: {0}\n"
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: {0}\n  containers: [{{name: c, image: x}}]\n"


def test_unknown_runtime_class_suggests_the_family_base(tmp_path):
    write_files(tmp_path, {"rc.yaml": RC.format("kata-qemu") + "---\n" + RC.format("kata-qemu-tdx"),
                           "pod.yaml": POD.format("kata-qemu-typo")})
    [f] = [f for f in lint(tmp_path).findings if f.code == "RCL101"]
    assert f.help == "runtimeClassName: kata-qemu"
    assert [r.span.line for r in f.related] == [4]


def test_unknown_handler_gets_no_linux_guess_for_windows(tmp_path):
    write_files(tmp_path, {
        "rc.yaml": RC.format("runhcs-wcow-process"),
        "pod.yaml": POD.format("runhcs-wcow-process"),
        "node/etc/containerd/config.toml": 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
                                           '  runtime_type = "io.containerd.runc.v2"\n',
    })
    [f] = [f for f in lint(tmp_path).findings if f.code == "RCL102"]
    assert "did you mean" not in f.help.lower() and "runc" not in f.help and not f.related
