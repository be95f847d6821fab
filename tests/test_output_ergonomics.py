"""Everyday surfaces: rule names where codes go, gitignore-style exclusion, baselines in the tree,
stdin with the repository as context, statistics, colour and the summary line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rclint.cli import main

from helpers import write_files

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\noverhead:\n  podFixed: {memory: 160Mi, cpu: 250m}\n"
POD_BAD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata-qemu\n"
POD_OK = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  runtimeClassName: kata\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / ".git").mkdir()
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def codes(r) -> list:
    return sorted((f["path"], f["code"]) for f in json.loads(r.stdout)["findings"])


# ----------------------------------------------------------------------------- rule names


def test_select_and_ignore_accept_rule_names(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    assert codes(invoke("check", "-f", "json", "--select", "unknown-runtime-class")) == [("pod.yaml", "RCL101")]
    assert codes(invoke("check", "-f", "json", "--ignore", "unknown-runtime-class,RCL109")) == []
    r = invoke("check", "--select", "unknown-runtime-clas")
    assert r.exit_code == 2
    assert "did you mean RCL101 unknown-runtime-class?" in r.stderr


def test_config_selectors_and_severity_accept_names(project):
    write_files(project, {".rclint.toml": 'ignore = ["unused-runtime-class"]\n[severity]\nunknown-runtime-class = "warning"\n',
                          "rc.yaml": RC, "pod.yaml": POD_BAD})
    doc = json.loads(invoke("check", "-f", "json").stdout)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("RCL101", "warning")]


def test_suppression_comments_and_annotations_accept_names(project):
    pod = POD_BAD.replace("runtimeClassName: kata-qemu", "runtimeClassName: kata-qemu  # rclint: ignore[unknown-runtime-class]")
    annotated = ("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: other\n"
                 "  annotations: {rclint.io/ignore: \"unused-runtime-class\"}\nhandler: other\n")
    write_files(project, {"rc.yaml": RC + "---\n" + POD_OK, "pod.yaml": pod, "other.yaml": annotated})
    r = invoke("check", "-f", "json")
    assert codes(r) == []
    doc = json.loads(r.stdout)
    assert doc["summary"]["suppressed"] == 2
    # an unknown name is reported (RCL006) with the closest code
    write_files(project, {"pod.yaml": POD_BAD.replace("kata-qemu", "kata-qemu  # rclint: ignore[unknown-runtime-clas]")})
    doc = json.loads(invoke("check", "-f", "json").stdout)
    rcl006 = [f for f in doc["findings"] if f["code"] == "RCL006"]
    assert len(rcl006) == 1 and "did you mean RCL101?" in rcl006[0]["message"]


def test_rule_command_takes_names_and_prints_examples():
    r = invoke("rule", "unknown-handler")
    assert r.exit_code == 0
    assert r.stdout.startswith("RCL102 unknown-handler [error]\n")
    assert "Example that is flagged:" in r.stdout and "Example that passes:" in r.stdout
    assert "# expect:" not in r.stdout  # test markers are not part of the example
    doc = json.loads(invoke("rule", "unknown-handler", "-f", "json").stdout)
    assert doc["code"] == "RCL102" and doc["examples"]
    r = invoke("rule", "unknown-handlr")
    assert r.exit_code == 2
    assert "did you mean RCL102 unknown-handler?" in r.stderr
    r = invoke("rule", "RCL1O1")
    assert "did you mean RCL101 unknown-runtime-class?" in r.stderr


# ----------------------------------------------------------------------------- exclusion


def lint_paths(project, config: str, *extra) -> list:
    if config:
        (project / ".rclint.toml").write_text(config, encoding="utf-8")
    doc = json.loads(invoke("check", "-f", "json", "--select", "RCL101", *extra).stdout)
    return sorted({f["path"] for f in doc["findings"]})


def test_exclude_uses_gitignore_patterns(project):
    files = {"rc.yaml": RC, ".github/x/pod.yaml": POD_BAD, ".github/y/pod.yaml": POD_BAD,
             "templates/pod.yaml": POD_BAD, "charts/a/templates/pod.yaml": POD_BAD,
             "deploy/templates.yaml": POD_BAD, "deploy/keep/pod.yaml": POD_BAD, "deploy/drop/pod.yaml": POD_BAD,
             "nested/deploy/drop/pod.yaml": POD_BAD}
    write_files(project, files)
    everything = lint_paths(project, "")
    assert everything == sorted(p for p in files if p != "rc.yaml")
    # a path with a slash is anchored at the configuration's directory
    assert ".github/x/pod.yaml" not in lint_paths(project, 'exclude = [".github/x"]\n')
    assert ".github/y/pod.yaml" in lint_paths(project, 'exclude = [".github/x"]\n')
    # **/templates matches a top-level templates/ too, and only directories named so with a trailing /
    got = lint_paths(project, 'exclude = ["**/templates/"]\n')
    assert "templates/pod.yaml" not in got and "charts/a/templates/pod.yaml" not in got
    assert "deploy/templates.yaml" in got
    # a leading / anchors; without it the name matches at any depth
    got = lint_paths(project, 'exclude = ["/deploy/drop"]\n')
    assert "deploy/drop/pod.yaml" not in got and "nested/deploy/drop/pod.yaml" in got
    got = lint_paths(project, 'exclude = ["drop"]\n')
    assert "deploy/drop/pod.yaml" not in got and "nested/deploy/drop/pod.yaml" not in got
    # negation re-includes a file a wider pattern excluded
    got = lint_paths(project, 'exclude = ["deploy/*/pod.yaml", "!deploy/keep/pod.yaml"]\n')
    assert "deploy/keep/pod.yaml" in got and "deploy/drop/pod.yaml" not in got
    # extend-exclude adds to exclude; --extend-exclude to both
    got = lint_paths(project, 'exclude = ["templates"]\nextend-exclude = [".github"]\n', "--extend-exclude", "nested")
    assert got == ["deploy/drop/pod.yaml", "deploy/keep/pod.yaml", "deploy/templates.yaml"]


def test_respect_gitignore(project):
    write_files(project, {"rc.yaml": RC, ".gitignore": "build/\n*.rendered.yaml\n!keep.rendered.yaml\n",
                          "build/pod.yaml": POD_BAD, "out.rendered.yaml": POD_BAD, "keep.rendered.yaml": POD_BAD,
                          "sub/.gitignore": "local.yaml\n", "sub/local.yaml": POD_BAD, "local.yaml": POD_BAD})
    assert lint_paths(project, "") == ["keep.rendered.yaml", "local.yaml"]
    assert lint_paths(project, "", "--no-respect-gitignore") == [
        "build/pod.yaml", "keep.rendered.yaml", "local.yaml", "out.rendered.yaml", "sub/local.yaml"]
    assert lint_paths(project, "respect-gitignore = false\n") == [
        "build/pod.yaml", "keep.rendered.yaml", "local.yaml", "out.rendered.yaml", "sub/local.yaml"]
    # a file named on the command line is linted even when ignored
    doc = json.loads(invoke("check", "-f", "json", "--select", "RCL101", "build/pod.yaml", "rc.yaml").stdout)
    assert [f["path"] for f in doc["findings"]] == ["build/pod.yaml"]


# ----------------------------------------------------------------------------- baselines, stdin


def test_a_baseline_in_the_tree_is_never_linted(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    assert invoke("check", "--write-baseline", "rclint-baseline.json").exit_code == 0
    r = invoke("check", "-f", "json", "--baseline", "rclint-baseline.json")
    doc = json.loads(r.stdout)
    assert doc["findings"] == [] and doc["summary"]["baselined"] == 2
    assert doc["summary"]["files"] == 2  # the baseline is not counted as an input
    # also when it is not the --baseline of this run (under another name, too)
    (project / "old-baseline.json").write_text((project / "rclint-baseline.json").read_text())
    doc = json.loads(invoke("check", "-f", "json").stdout)
    assert {f["path"] for f in doc["findings"]} == {"pod.yaml", "rc.yaml"}
    assert doc["summary"]["files"] == 2
    r = invoke("check", "--baseline", "rclint-baseline.json")
    assert "2 in the baseline" in r.stderr


def test_stdin_in_a_repository_uses_it_as_context(project):
    write_files(project, {"deploy/rc.yaml": RC, "deploy/other.yaml": POD_BAD})
    r = invoke("check", "-", "-f", "json", input=POD_OK)
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["findings"] == []  # kata is defined in the repository; its RCL101 is not reported
    r = invoke("check", "-", "-f", "json", input=POD_BAD)
    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)["findings"]] == [("<stdin>", "RCL101")]
    # --stdin-filename naming a file of the repository: the stream stands for that file
    r = invoke("check", "-", "--stdin-filename", "deploy/other.yaml", "-f", "json", input=POD_OK.replace("ok", "p"))
    assert json.loads(r.stdout)["findings"] == []


def test_stdin_outside_a_repository_is_linted_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {"rc.yaml": RC})
    r = invoke("check", "-", "-f", "json", input=POD_OK)
    assert [f["code"] for f in json.loads(r.stdout)["findings"]] == ["RCL101"]


# ----------------------------------------------------------------------------- text output


def test_statistics_counts_per_rule(project):
    write_files(project, {"rc.yaml": RC, "a.yaml": POD_BAD, "b.yaml": POD_BAD.replace("name: p", "name: q")})
    r = invoke("check", "--statistics")
    assert r.exit_code == 1
    assert r.stdout == "2  RCL101  unknown-runtime-class  error\n1  RCL109  unused-runtime-class   info\n"


def test_colour_follows_the_flag_then_no_color_then_force_color(project, monkeypatch):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    assert "\x1b[" not in invoke("check").stdout  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31m" in invoke("check").stdout
    assert "\x1b[" not in invoke("check", "--no-color").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in invoke("check").stdout
    assert "\x1b[" in invoke("check", "--color").stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    assert "\x1b[" in invoke("check", "-f", "concise").stdout
    monkeypatch.setenv("CLICOLOR_FORCE", "0")
    assert "\x1b[" not in invoke("check").stdout


def test_input_text_in_the_text_output_is_made_visible(project):
    evil = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\\u001b[2J\\u202e\"\nspec:\n"
            "  runtimeClassName: kata-qemu\n")
    write_files(project, {"rc.yaml": RC, "dir\x1b[31m/pod.yaml": evil})
    for fmt in ("full", "concise"):
        out = invoke("check", "-f", fmt, "--no-color").stdout
        assert "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[2J" in out and "\\u202e" in out and "dir\\x1b[31m/pod.yaml" in out


def test_code_frame_caret_sits_under_the_span_after_escapes(project):
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName:\tkata-qemu\n"
    write_files(project, {"rc.yaml": RC, "pod.yaml": pod})
    out = invoke("check", "-f", "full", "--select", "RCL101").stdout.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("6 | "))
    assert out[i] == "6 |   runtimeClassName:\\tkata-qemu"
    assert out[i + 1] == "  |                      ^^^^^^^^^"


def test_statistics_needs_a_text_format(project):
    write_files(project, {"rc.yaml": RC})
    r = invoke("check", "--statistics", "-f", "json")
    assert r.exit_code == 2 and "--statistics replaces the text report" in r.stderr


def test_gitlab_paths_are_relative_to_the_repository_root(project, monkeypatch):
    write_files(project, {"deploy/rc.yaml": RC, "deploy/pod.yaml": POD_BAD})
    monkeypatch.chdir(project / "deploy")
    issues = json.loads(invoke("check", ".", "-f", "gitlab").stdout)
    assert sorted(i["location"]["path"] for i in issues) == ["deploy/pod.yaml", "deploy/rc.yaml"]
