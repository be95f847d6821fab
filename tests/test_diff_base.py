"""`--diff-base REV` on real git repositories built here: what a change breaks, anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
ENV.pop("GITHUB_ACTIONS", None)

RC = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata-fc
handler: kata-fc
overhead:
  podFixed:
    cpu: 250m
    memory: 160Mi
"""
CONFIG = """\
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{name}]
  runtime_type = "io.containerd.kata-fc.v2"
  privileged_without_host_devices = true
"""
PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  runtimeClassName: kata-f
  containers:
  - name: c
    image: nginx
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=ENV).stdout


def rclint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rclint", "check", "--isolated", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300, stdin=subprocess.DEVNULL)


def found(proc: subprocess.CompletedProcess):
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["path"], f["line"], f["column"], f["code"]) for f in json.loads(proc.stdout)["findings"])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "node/etc/containerd").mkdir(parents=True)
    (root / "deploy").mkdir()
    (root / "runtimeclass.yaml").write_text(RC)
    (root / "node/etc/containerd/config.toml").write_text(CONFIG.format(name="kata-fc"))
    (root / "deploy/pods.yaml").write_text(PODS)  # a finding that is already there
    (root / "deploy/app.yaml").write_text(PODS.replace("typo", "app").replace("kata-f\n", "kata-fc\n"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    return root


def test_a_node_config_change_that_breaks_an_untouched_runtimeclass_is_reported(repo):
    before = found(rclint(repo, "."))
    assert before == [("deploy/pods.yaml", 6, 21, "RCL101")]
    # rename the runtime in the node config only
    (repo / "node/etc/containerd/config.toml").write_text(CONFIG.format(name="kata-fc2"))
    full = found(rclint(repo, "."))
    assert ("runtimeclass.yaml", 5, 10, "RCL102") in full and ("deploy/pods.yaml", 6, 21, "RCL101") in full
    proc = rclint(repo, "--diff-base", "HEAD", ".")
    assert proc.returncode == 1
    # the untouched RuntimeClass is what broke; the old typo is not new
    assert found(proc) == sorted(t for t in full if t[0] != "deploy/pods.yaml")
    assert ("runtimeclass.yaml", 5, 10, "RCL102") in found(proc)
    assert "diff base HEAD (" in proc.stderr and "1 finding already there not reported" in proc.stderr
    # --changed-only, the cheaper same-file mode, does not see it
    changed = rclint(repo, "--changed-only", "node/etc/containerd/config.toml")
    assert ("runtimeclass.yaml", 5, 10, "RCL102") not in found(changed)


def test_unchanged_findings_are_not_reported_and_a_clean_change_passes(repo):
    (repo / "README.md").write_text("docs only\n")
    proc = rclint(repo, "--diff-base", "HEAD", ".")
    assert (proc.returncode, found(proc)) == (0, [])


def test_committed_changes_against_a_branch_point_and_from_a_subdirectory(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "node/etc/containerd/config.toml").write_text(CONFIG.format(name="kata-fc2"))
    git(repo, "commit", "-qam", "rename the runtime")
    proc = rclint(repo, "--diff-base", "main", ".")
    assert found(proc) == [("runtimeclass.yaml", 5, 10, "RCL102")]
    sub = rclint(repo / "deploy", "--diff-base", "main", "..")
    assert found(sub) == [("../runtimeclass.yaml", 5, 10, "RCL102")]


def test_renames_and_moved_lines_keep_identities(repo):
    (repo / "workloads").mkdir()
    git(repo, "mv", "deploy/pods.yaml", "workloads/pods.yaml")
    moved = "# moved here, with a header\n---\n" + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n" + PODS
    (repo / "workloads/pods.yaml").write_text(moved)
    git(repo, "add", "-A")
    full = found(rclint(repo, "."))
    assert full == [("workloads/pods.yaml", 13, 21, "RCL101")]
    proc = rclint(repo, "--diff-base", "HEAD", ".")
    assert (proc.returncode, found(proc)) == (0, [])
    # a second, new typo in the renamed file is new
    (repo / "workloads/pods.yaml").write_text(moved + "---\n" + PODS.replace("typo", "typo2"))
    assert found(rclint(repo, "--diff-base", "HEAD", ".")) == [("workloads/pods.yaml", 23, 21, "RCL101")]


def test_files_new_since_the_base_and_a_path_that_did_not_exist(repo):
    (repo / "new").mkdir()
    (repo / "new/pods.yaml").write_text(PODS.replace("typo", "other"))
    proc = rclint(repo, "--diff-base", "HEAD", "new")
    assert found(proc) == [("new/pods.yaml", 6, 21, "RCL101")]


def test_symlinks_and_hostile_names_at_the_base_stay_inside_the_temporary_tree(repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(PODS.replace("typo", "secret-name"))
    os.symlink(str(outside), repo / "link.yaml")
    git(repo, "add", "link.yaml")
    git(repo, "commit", "-qm", "a link out of the tree")
    proc = rclint(repo, "--diff-base", "HEAD~1", ".")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_revision_that_does_not_exist_is_a_usage_error(repo, tmp_path):
    proc = rclint(repo, "--diff-base", "no-such-branch", ".")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("rclint: error: --diff-base no-such-branch: no such revision in this repository "
                           "(in CI, fetch it first, e.g. actions/checkout with fetch-depth: 0)\n")
    option = rclint(repo, "--diff-base", "--output=x", ".")
    assert option.returncode == 2 and option.stderr == "rclint: error: --diff-base '--output=x': not a revision\n"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "rc.yaml").write_text(RC)
    outside = rclint(plain, "--diff-base", "HEAD", ".")
    assert (outside.returncode, outside.stderr) == (
        2, "rclint: error: --diff-base works inside a git repository, and this is not one\n")
    stdin = rclint(repo, "--diff-base", "HEAD", "-")
    assert (stdin.returncode, stdin.stderr) == (
        2, "rclint: error: --diff-base lints files in a git repository, not standard input\n")
