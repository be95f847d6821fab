"""pre-commit hooks (run for real with `pre-commit try-repo`), the GitHub Action, and the
README's copy-paste snippets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rclint.yamlsource import Chunk, parse_chunk

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: {}\n"


def load_yaml(text: str):
    (doc,) = list(parse_chunk(Chunk(text, 0, 0), "snippet"))
    return doc.value


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def make_repo(path: Path, files: dict) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    for name, text in files.items():
        (path / name).write_text(text)
    git(path, "add", ".")
    git(path, "commit", "-qm", "init")
    return path


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, hook: str, *args):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([*PRE_COMMIT, "try-repo", str(REPO), hook, *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hooks_manifest_is_valid_and_as_documented():
    proc = subprocess.run([*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in load_yaml((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["rclint"]["entry"] == "rclint check"
    assert hooks["rclint"]["pass_filenames"] is False and hooks["rclint"]["require_serial"] is True
    assert hooks["rclint-changed"]["entry"] == "rclint check --diff-base HEAD"
    assert hooks["rclint-changed"]["pass_filenames"] is False
    files = re.compile(hooks["rclint"]["files"])
    for name in ("a.yaml", "b.yml", "c.json", "etc/containerd/config.toml", "crio.conf", "etc/crio/crio.conf.d/10-x"):
        assert files.search(name), name
    assert not files.search("main.py")


@pytest.mark.slow
def test_pre_commit_try_repo_both_hooks(tmp_path, pre_commit_home):
    bad = make_repo(tmp_path / "bad", {"rc.yaml": RC, "pod.yaml": POD.format("kata-qemu"), "ok.yaml": POD.format("kata")})
    proc = try_repo(bad, pre_commit_home, "rclint", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # pre-commit's output is no terminal: the same full format as on one (without colour)
    assert 'error[RCL101] unknown-runtime-class: Pod p: runtimeClassName "kata-qemu"' in proc.stdout
    assert " --> pod.yaml:6:21\n" in proc.stdout
    # the new-findings hook: what is already at HEAD passes ...
    proc = try_repo(bad, pre_commit_home, "rclint-changed", "--files", "pod.yaml", "ok.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # ... and a staged change is judged against HEAD, in every file: renaming the RuntimeClass
    # breaks the untouched ok.yaml
    (bad / "rc.yaml").write_text(RC.replace("name: kata", "name: kata-vm"))
    git(bad, "add", "rc.yaml")
    proc = try_repo(bad, pre_commit_home, "rclint-changed", "--files", "rc.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert " --> ok.yaml:6:21\n" in proc.stdout and "pod.yaml:6:21" not in proc.stdout

    clean = make_repo(tmp_path / "clean", {"rc.yaml": RC, "pod.yaml": POD.format("kata")})
    proc = try_repo(clean, pre_commit_home, "rclint", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = try_repo(clean, pre_commit_home, "rclint-changed", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_is_composite_and_passes_inputs_through_env():
    action = load_yaml((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "version", "args", "sarif-file", "category"} <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"step {step['name']!r} interpolates into run:"
    run_step = action["runs"]["steps"][1]["run"]
    assert "--format github" in run_step and "--format sarif --output" in run_step
    assert action["inputs"]["diff-base"]["default"] == ""
    assert 'outputs+=(--diff-base "$RCLINT_DIFF_BASE")' in run_step


def readme_blocks(lang: str):
    return re.findall(rf"```{lang}\n(.*?)```", (REPO / "README.md").read_text(), re.S)


def test_readme_workflows_parse_and_use_the_action():
    workflows = [load_yaml(b) for b in readme_blocks("yaml") if "jobs:" in b]
    assert len(workflows) >= 2
    uses = [step.get("uses", "") for wf in workflows for job in wf["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("rclint/rclint@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    runs = [step.get("run", "") for wf in workflows for job in wf["jobs"].values() for step in job["steps"]]
    assert any("pip install rclint" in r for r in runs)


def test_readme_pre_commit_snippet_validates(tmp_path):
    (snippet,) = [b for b in readme_blocks("yaml") if "repos:" in b]
    cfg = tmp_path / ".pre-commit-config.yaml"
    cfg.write_text(snippet)
    proc = subprocess.run([*PRE_COMMIT, "validate-config", str(cfg)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = [h["id"] for r in load_yaml(snippet)["repos"] for h in r["hooks"]]
    assert "rclint" in hooks
