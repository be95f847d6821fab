"""Kustomize directories: rendered with kubectl under restrictions, or one info finding."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from rclint import kustomize
from rclint.cli import main

from helpers import write_files

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\noverhead:\n  podFixed: {memory: 160Mi, cpu: 250m}\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata-qemu\n"
       "  containers: [{name: c, image: busybox}]\n")
TREE = {
    "base/pod.yaml": POD,
    "base/kustomization.yaml": "resources:\n- pod.yaml\n",
    "overlays/prod/kustomization.yaml": "resources:\n- ../../base\nnamePrefix: prod-\n",
    "cluster/rc.yaml": RC,
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, TREE)
    return tmp_path


def run(*args):
    r = CliRunner().invoke(main, ["check", "-f", "json", *args], catch_exceptions=False)
    return r, json.loads(r.stdout)


def need_kubectl():
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed (.ci/run installs it)")


def test_kustomization_is_rendered_and_findings_name_the_source(project):
    need_kubectl()
    r, doc = run()
    found = [(f["path"], f["line"], f["column"], f["code"]) for f in doc["findings"]]
    # the base is rendered as part of the overlay, not on its own; its files are not linted one by one
    assert [x for x in found if x[3] == "RCL101"] == [("overlays/prod/<kustomize build>", 12, 21, "RCL101")]
    (f,) = [f for f in doc["findings"] if f["code"] == "RCL101"]
    assert f["object"]["name"] == "prod-p"  # the rendered object
    # the source file, at the object's name there (kustomize added the prefix)
    assert f["related"][-1] == {"path": "base/pod.yaml", "line": 4, "column": 9, "message": "rendered from this file"}
    text = CliRunner().invoke(main, ["check", "-f", "full", "--select", "RCL101"]).stdout
    assert "  --> overlays/prod/<kustomize build>:12:21\n" in text
    assert "12 |   runtimeClassName: kata-qemu\n" in text
    assert " 4 |   name: p\n" in text  # the source's frame


def test_a_kustomization_passed_directly_is_rendered(project):
    need_kubectl()
    r, doc = run("base", "cluster")
    assert [(f["path"], f["code"]) for f in doc["findings"] if f["code"] == "RCL101"] == [
        ("base/<kustomize build>", "RCL101")]


@pytest.mark.parametrize("resource, why", [
    ("https://github.com/example/repo//deploy?ref=main", "remote resource"),
    ("github.com/example/repo/deploy", "remote resource"),
    ("../../../outside", "outside the linted tree"),
])
def test_remote_and_outside_references_are_refused(project, tmp_path, resource, why):
    (tmp_path.parent / "outside").mkdir(exist_ok=True)
    (tmp_path.parent / "outside" / "kustomization.yaml").write_text("resources: []\n")
    write_files(project, {"overlays/prod/kustomization.yaml": f"resources:\n- ../../base\n- {resource}\n"})
    r, doc = run()
    (f,) = [f for f in doc["findings"] if f["code"] == "RCL005"]
    assert f["path"] == "overlays/prod/kustomization.yaml" and f["severity"] == "info"
    assert f["message"] == "Kustomize directory overlays/prod was not rendered"
    assert f["notes"][0].startswith("rendering refused: ") and why in f["notes"][0]
    assert f["help"] == "kubectl kustomize overlays/prod | rclint check --stdin-filename overlays/prod/<kustomize build> -"


def test_a_symlink_out_of_the_tree_is_refused(project, tmp_path):
    secret = tmp_path.parent / "secret.yaml"
    secret.write_text(POD)
    (project / "base" / "leak.yaml").symlink_to(secret)
    assert "symlink" in (kustomize.refusal(str(project / "overlays" / "prod"), str(project)) or "")


def test_without_kubectl_one_info_finding_says_how_to_pipe_it(project, monkeypatch):
    monkeypatch.setattr(kustomize, "kubectl", lambda: None)
    r, doc = run()
    (f,) = [f for f in doc["findings"] if f["code"] == "RCL005"]
    assert f["message"] == "Kustomize directory overlays/prod was not rendered"
    assert f["notes"][0] == "kubectl is not installed"
    assert f["line"] == 1 and f["severity"] == "info"
    assert "kubectl kustomize overlays/prod | rclint check" in f["help"]
    assert not [f for f in doc["findings"] if f["code"] == "RCL101"]  # nothing silently linted raw either


def test_a_failing_render_is_reported(project):
    need_kubectl()
    write_files(project, {"overlays/prod/kustomization.yaml": "resources:\n- missing.yaml\n- ../../base\n"})
    r, doc = run()
    (f,) = [f for f in doc["findings"] if f["code"] == "RCL005"]
    assert "kubectl kustomize failed" in f["message"] + " ".join(f["notes"])


def test_a_kustomization_that_mentions_nothing_a_rule_reads_is_not_rendered(project, monkeypatch):
    """No RuntimeClass, runtimeClassName, overhead or Node in any file the render could read:
    its output cannot matter, so kubectl is not run (the large corpus has such directories)."""
    import subprocess

    write_files(project, {
        "web/deploy.yaml": POD.replace("kata-qemu", "x").replace("runtimeClassName: x\n", ""),
        "web/kustomization.yaml": "resources:\n- deploy.yaml\n- ../shared\nnamePrefix: web-\n",
        "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        "shared/kustomization.yaml": "resources:\n- cm.yaml\n",
    })
    assert kustomize.could_matter(str(project / "web"), str(project)) is False
    assert kustomize.could_matter(str(project / "overlays/prod"), str(project)) is True  # its base has a pod
    cm_mentioning = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {note: runtimeClassName}\n"
    (project / "shared/cm.yaml").write_text(cm_mentioning)
    assert kustomize.could_matter(str(project / "web"), str(project)) is False  # no rule reads a ConfigMap
    (project / "shared/cm.yaml").write_text(cm_mentioning.replace("ConfigMap", "Deployment"))
    assert kustomize.could_matter(str(project / "web"), str(project)) is True  # a local base mentions one
    (project / "shared/cm.yaml").write_text(cm_mentioning.replace("kind: ConfigMap\n", ""))
    assert kustomize.could_matter(str(project / "web"), str(project)) is True  # kind unknown: it may matter
    (project / "shared/cm.yaml").write_text(cm_mentioning)
    # a replacement or a plugin configuration can write runtimeClassName into any object: as text
    for key, entry in (("replacements", "- path: r.yaml"), ("transformers", "- r.yaml")):
        write_files(project, {
            "shared/kustomization.yaml": f"resources:\n- cm.yaml\n{key}:\n{entry}\n",
            "shared/r.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: t}\n"
                             "patch: '[{op: add, path: /spec/template/spec/runtimeClassName, value: kata}]'\n",
        })
        assert kustomize.could_matter(str(project / "web"), str(project)) is True, key
    write_files(project, {"shared/kustomization.yaml": "resources:\n- cm.yaml\n"})
    (project / "shared/r.yaml").unlink()
    (project / "shared/cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    calls = []
    real_popen = subprocess.Popen

    def recording(argv, *a, **k):
        calls.append(list(argv))
        return real_popen(argv, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", recording)
    r, doc = run()
    assert [f["path"] for f in doc["findings"] if f["code"] == "RCL101"] == ["overlays/prod/<kustomize build>"]
    assert not [f for f in doc["findings"] if f["path"].startswith(("web/", "shared/"))]
    assert sum("kustomize" in argv for argv in calls) == 1  # overlays/prod only


def test_a_refused_kustomization_alone_is_reported_not_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"o/kustomization.yaml": 'resources:\n- "a\\0b"\n'})
    r, doc = run()
    assert r.exit_code == 0
    (f,) = doc["findings"]
    assert f["code"] == "RCL005" and f["notes"][0] == "rendering refused: it references 'a\\x00b', outside the linted tree"


def test_locate_finds_the_object_in_its_source():
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: p\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: 'p'\n"
    span = kustomize.locate(text, "Pod", "prod-p")
    assert (span.line, span.column, span.end_column) == (9, 10, 11)
    assert kustomize.locate(text, "Deployment", "p") is None


@pytest.mark.parametrize("script, why", [
    ("#!/bin/sh\nexec sleep 30\n", "kubectl kustomize did not finish within 1 s"),
    ("#!/bin/sh\necho 'Error: no such thing' >&2\nexit 1\n", "kubectl kustomize failed: Error: no such thing"),
])
def test_a_render_that_hangs_or_fails_is_one_info_finding(project, monkeypatch, script, why):
    import time

    fake = project.parent / "fake-kubectl"
    fake.write_text(script)
    fake.chmod(0o755)
    monkeypatch.setattr(kustomize, "kubectl", lambda: str(fake))
    monkeypatch.setattr(kustomize, "TIMEOUT", 1)
    started = time.monotonic()
    _r, doc = run()
    assert time.monotonic() - started < 20  # the hanging render was stopped, not waited for
    found = [(f["path"], f["code"], f["notes"][0]) for f in doc["findings"] if f["code"] == "RCL005"]
    assert found == [("overlays/prod/kustomization.yaml", "RCL005", why)]
