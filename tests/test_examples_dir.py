"""The bundled example the README's first command lints: exactly these findings."""

from __future__ import annotations

from pathlib import Path

from helpers import found

REPO = Path(__file__).resolve().parents[1]


def test_bundled_example_findings(monkeypatch):
    from rclint.engine import run
    from rclint.settings import load_settings

    monkeypatch.chdir(REPO)
    result = run(load_settings(["examples/"]))
    assert found(result) == [
        ("examples/nodes/kata/etc/containerd/config.toml", 13, 3, "RCL307"),
        ("examples/runtimeclasses.yaml", 15, 13, "RCL206"),
        ("examples/runtimeclasses.yaml", 18, 9, "RCL109"),
        ("examples/runtimeclasses.yaml", 19, 10, "RCL102"),
        ("examples/runtimeclasses.yaml", 21, 3, "RCL104"),
        ("examples/runtimeclasses.yaml", 22, 5, "RCL207"),
        ("examples/workloads.yaml", 14, 25, "RCL101"),
        ("examples/workloads.yaml", 25, 21, "RCL101"),
        ("examples/workloads.yaml", 37, 16, "RCL401"),
        ("examples/workloads.yaml", 39, 37, "RCL106"),
    ]
    readme = (REPO / "README.md").read_text()
    for f in result.findings:
        if f.code in ("RCL307", "RCL102"):
            assert f"{f.path}:{f.span.line}:{f.span.column}: {f.code} [{f.severity.label}] {f.message}" in readme
