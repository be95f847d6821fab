"""Suppressions and baselines, end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rclint.cli import main

from helpers import found, lint, write_files

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\noverhead:\n  podFixed: {memory: 160Mi, cpu: 250m}\n"


def pod(name, rc, extra=""):
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{extra}spec:\n  runtimeClassName: {rc}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_line_comment_on_the_line_and_above(tmp_path):
    write_files(tmp_path, {
        "rc.yaml": RC,
        "a.yaml": pod("a", "x1  # rclint: ignore[RCL101]"),
        "b.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  # rclint: ignore[RCL101, RCL208]\n  runtimeClassName: x2\n",
        "c.yaml": pod("c", "x3"),
    })
    result = lint(tmp_path, select=["RCL101", "RCL208", "RCL006"])
    assert found(result) == [("b.yaml", 5, 3, "RCL006"), ("c.yaml", 6, 21, "RCL101")]
    (unused,) = [f for f in result.findings if f.code == "RCL006"]
    assert unused.message == "the suppression comment for RCL208 matches no finding"
    assert unused.help == "remove RCL208 from it"


def test_object_annotation_and_pod_template_annotation(tmp_path):
    deploy = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
        "    metadata:\n      annotations:\n        rclint.io/ignore: RCL101\n"
        "    spec:\n      runtimeClassName: missing\n"
    )
    write_files(tmp_path, {
        "rc.yaml": RC,
        "pod.yaml": pod("p", "missing", "  annotations:\n    rclint.io/ignore: \"RCL101,RCL109\"\n"),
        "deploy.yaml": deploy,
    })
    result = lint(tmp_path, select=["RCL101", "RCL006"])
    # the pod's RCL109 part is unused: RCL109 is not selected, so it is not reported either
    assert found(result) == []
    result = lint(tmp_path, select=["RCL101", "RCL109", "RCL006"])
    assert found(result) == [("pod.yaml", 6, 23, "RCL006"), ("rc.yaml", 4, 9, "RCL109")]


def test_file_level_comment_in_toml(tmp_path):
    write_files(tmp_path, {
        "node/etc/containerd/config.toml": (
            "# rclint: ignore-file[RCL307]\nversion = 2\n"
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
            '  runtime_type = "io.containerd.runc.v2"\n  privileged_without_host_device = true\n'
        ),
    })
    assert found(lint(tmp_path)) == []
    (tmp_path / "node/etc/containerd/config.toml").write_text(
        "version = 2\n"
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
        '  runtime_type = "io.containerd.runc.v2"\n  privileged_without_host_device = true  # rclint: ignore[RCL307]\n'
    )
    assert found(lint(tmp_path)) == []


def test_baseline_round_trip(project):
    write_files(project, {"rc.yaml": RC, "a.yaml": pod("a", "old-missing")})
    r = invoke("check", "--write-baseline", "baseline.json")
    assert r.exit_code == 0
    assert r.stderr == "rclint: wrote 2 findings to the baseline baseline.json\n"
    data = json.loads((project / "baseline.json").read_text())
    assert [(e["code"], e["path"], e["object"], e["field"]) for e in data["findings"]] == [
        ("RCL101", "a.yaml", "Pod/a", "spec.runtimeClassName"),
        ("RCL109", "rc.yaml", "RuntimeClass/kata", "metadata.name"),
    ]
    # unrelated edits move lines: the baseline still matches
    (project / "a.yaml").write_text("# a comment\n\n" + pod("a", "old-missing"))
    r = invoke("check", "--baseline", "baseline.json")
    assert r.exit_code == 0 and r.stdout == ""
    assert "baseline baseline.json: 2 known findings hidden" in r.stderr
    # a new problem is reported
    write_files(project, {"b.yaml": pod("b", "new-missing")})
    r = invoke("check", "--baseline", "baseline.json")
    assert r.exit_code == 1
    assert r.stdout.startswith("error[RCL101] ") and "\n --> b.yaml:6:21\n" in r.stdout
    # fixing the old problem leaves a stale entry, which is said
    (project / "a.yaml").write_text(pod("a", "kata"))
    r = invoke("check", "--baseline", "baseline.json", "--select", "RCL101")
    assert "1 baseline entry no longer matches anything (rewrite it with --write-baseline)" in r.stderr


def test_bad_baseline_file_is_a_usage_error(project):
    write_files(project, {"rc.yaml": RC, "baseline.json": "[]"})
    r = invoke("check", "--baseline", "baseline.json")
    assert r.exit_code == 2
    assert "not an rclint baseline" in r.stderr


def test_changed_only_reports_only_given_files_with_repo_context(project):
    write_files(project, {"rc.yaml": RC, "a.yaml": pod("a", "missing-a"), "b.yaml": pod("b", "kata")})
    r = invoke("check", "--changed-only", "b.yaml")
    assert r.exit_code == 0  # b.yaml is fine because rc.yaml (not passed) defines kata
    r = invoke("check", "--changed-only", "a.yaml", "b.yaml")
    assert r.exit_code == 1
    assert r.stdout.startswith("error[RCL101] ") and "\n --> a.yaml:6:21\n" in r.stdout
