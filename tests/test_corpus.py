"""rclint over the real-world corpus (../shared/corpus/real): no crash, no false syntax
findings, and the real problems in it found at their exact positions."""

from __future__ import annotations

import pytest

from helpers import found, lint


@pytest.fixture
def real(shared):
    return shared / "corpus" / "real"


def test_no_input_findings_on_valid_files(real):
    result = lint(real)
    assert result.stats.files > 80
    assert [f for f in result.findings if f.code in ("RCL001", "RCL002", "RCL003", "RCL004")] == []
    # the two AKS containerd templates, recognised by the decoded lines before their first
    # placeholder, are reported once each at that placeholder and not linted as values
    assert [(f.path, f.span.line, f.span.column) for f in result.findings if f.code == "RCL005"] == [
        ("containerd/aks-windows-containerd-v1.toml.tmpl", 28, 22),
        ("containerd/aks-windows-containerd2-v3.toml.tmpl", 32, 18),
    ]


@pytest.mark.parametrize("expected", [
    # the operator's placeholder, applied raw, is rejected: name and handler are not DNS names
    ("runtimeclasses/gpu-operator-0200-runtime-class-placeholder.yaml", 2, 10, "RCL202"),
    ("runtimeclasses/gpu-operator-0200-runtime-class-placeholder.yaml", 7, 9, "RCL201"),
    ("runtimeclasses/gpu-operator-0700-kata-manager-placeholder.yaml", 8, 10, "RCL202"),
    # node.k8s.io/v1beta1 is no longer served
    ("runtimeclasses/voor-nvidia-v1beta1.yaml", 1, 13, "RCL206"),
    # pods referencing classes that exist nowhere in the corpus
    ("pods/coco-operator-enclave-cc-pod.yaml", 6, 21, "RCL101"),
    ("pods/kyverno-restrict-runtimeclass-good.yaml", 17, 21, "RCL101"),
    # the fuzzed API fixture: an unknown metadata field, a garbage resource name, bad tolerations
    ("runtimeclasses/k8s-api-testdata-fuzz-node.k8s.io.v1.RuntimeClass.yaml", 7, 3, "RCL209"),
    ("runtimeclasses/k8s-api-testdata-fuzz-node.k8s.io.v1.RuntimeClass.yaml", 36, 5, "RCL203"),
    ("runtimeclasses/k8s-api-testdata-fuzz-node.k8s.io.v1.RuntimeClass.yaml", 41, 13, "RCL205"),
    # three projects ship a different kata-remote: only one can exist in a cluster
    ("runtimeclasses/kata-remote.yaml", 5, 11, "RCL108"),
    # a RuntimeClass whose handler no node config in the corpus defines
    ("runtimeclasses/kyverno-chainsaw-prodclass.yaml", 2, 10, "RCL102"),
])
def test_real_problems_are_found(real, expected):
    assert expected in found(lint(real))


def test_manifests_alone_skip_node_rules_and_say_so(real):
    result = lint(real, paths=["runtimeclasses", "pods"])
    codes = {f.code for f in result.findings}
    assert "RCL102" not in codes
    assert "RCL101" in codes and "RCL206" in codes
    assert any("node-dependent rules (RCL102) were skipped" in n for n in result.stats.notes)


def test_templates_in_the_corpus_are_not_linted_as_values(real):
    on_templates = [f.code for f in lint(real).findings if f.path.endswith(".tmpl")]
    assert on_templates == ["RCL005", "RCL005"]
