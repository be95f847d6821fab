"""The command line as users meet it: exit codes, formats, configuration, stdin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rclint.cli import main

from helpers import write_files

REPO = Path(__file__).resolve().parents[1]

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\noverhead:\n  podFixed: {memory: 160Mi, cpu: 250m}\n"
POD_BAD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata-qemu\n"
POD_OK = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the repository root stops the config search
    return tmp_path


def invoke(*args, input=None):
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def test_clean_run_exits_0_and_says_so(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_OK})
    r = invoke("check", ".")
    assert r.exit_code == 0
    assert r.stdout == ""
    assert r.stderr == (
        "rclint: no problems found in 2 files\n"
        "rclint: note: no node runtime config (containerd config.toml, CRI-O crio.conf) in the inputs: "
        "node-dependent rules (RCL102) were skipped; add one with --node-config PATH\n"
    )


def test_finding_exits_1_with_exact_text(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    r = invoke("check")
    assert r.exit_code == 1
    assert r.stdout == (
        'error[RCL101] unknown-runtime-class: Pod p: runtimeClassName "kata-qemu" names no RuntimeClass in the inputs\n'
        ' --> pod.yaml:6:21\n'
        '  |\n'
        '6 |   runtimeClassName: kata-qemu\n'
        '  |                     ^^^^^^^^^\n'
        '  |\n'
        ' ::: rc.yaml:4:9\n'
        '  |\n'
        '4 |   name: kata\n'
        '  |         ---- RuntimeClass "kata" defined here\n'
        '  |\n'
        'help: runtimeClassName: kata\n'
        'note: the API server rejects the pod: pod rejected: RuntimeClass "kata-qemu" not found\n'
        '\n'
        'info[RCL109] unused-runtime-class: RuntimeClass "kata" is not referenced by any Pod or workload template in the inputs\n'
        ' --> rc.yaml:4:9\n'
        '  |\n'
        '4 |   name: kata\n'
        '  |         ^^^^\n'
        '  |\n'
        'help: remove it, or set runtimeClassName: kata in the workloads meant to use it\n'
    )
    assert r.stderr.startswith("rclint: 1 error, 1 info in 2 files\n")
    concise = invoke("check", "--output-format", "concise")
    assert concise.stdout == (
        'pod.yaml:6:21: RCL101 Pod p: runtimeClassName "kata-qemu" names no RuntimeClass in the inputs\n'
        'rc.yaml:4:9: RCL109 RuntimeClass "kata" is not referenced by any Pod or workload template in the inputs\n'
    )
    assert invoke("check", "--format", "text").stdout == r.stdout  # text means the default, full
    assert invoke("check", "-f", "full").stdout == r.stdout


def test_json_format(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD,
                          "node/etc/containerd/config.toml": 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "kata"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n'})
    r = invoke("check", "--format", "json", "--ignore", "RCL109", "--node-config", "node")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == 1
    assert doc["summary"] == {"files": 3, "documents": 2, "findings": 1, "errors": 1, "warnings": 0,
                              "infos": 0, "notes": [], "suppressed": 0, "baselined": 0}
    (f,) = doc["findings"]
    assert f == {
        "code": "RCL101", "severity": "error", "path": "pod.yaml", "line": 6, "column": 21,
        "end_line": 6, "end_column": 30, "message": f["message"],
        "help": "runtimeClassName: kata",
        "notes": ['the API server rejects the pod: pod rejected: RuntimeClass "kata-qemu" not found'],
        "object": {"apiVersion": "v1", "kind": "Pod", "namespace": None, "name": "p"},
        "related": [{"path": "rc.yaml", "line": 4, "column": 9, "message": 'RuntimeClass "kata" defined here'}],
        "fix": {"applicability": "unsafe", "description": 'change runtimeClassName to "kata" ("kata" is the closest '
                                                          'RuntimeClass name)',
                "edits": [{"path": "pod.yaml", "line": 6, "column": 21, "end_line": 6, "end_column": 30,
                           "replacement": "kata"}]},
    }


def test_exit_zero_fail_on_and_min_severity(project):
    write_files(project, {"rc.yaml": RC})  # RCL109 (info): unused
    assert invoke("check").exit_code == 0
    r = invoke("check", "--fail-on", "info")
    assert r.exit_code == 1
    assert "info[RCL109]" in r.stdout
    assert invoke("check", "--fail-on", "info", "--exit-zero").exit_code == 0
    r = invoke("check", "--fail-on", "info", "--min-severity", "warning")
    assert r.exit_code == 0 and r.stdout == ""


def test_select_and_ignore(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    assert invoke("check", "--ignore", "RCL101").exit_code == 0
    assert invoke("check", "--select", "RCL1").exit_code == 1
    r = invoke("check", "--select", "RCL999")
    assert r.exit_code == 2
    assert "'RCL999' matches no rule code" in r.stderr


def test_stdin_and_stdin_filename(project):
    r = invoke("check", "-", "--select", "RCL101", input=RC + "---\n" + POD_BAD)
    assert r.exit_code == 1
    assert r.stdout.startswith("error[RCL101] unknown-runtime-class: ")
    assert "\n  --> <stdin>:14:21\n" in r.stdout
    assert "\n14 |   runtimeClassName: kata-qemu\n" in r.stdout  # the frame shows the stream's line
    r = invoke("check", "-", "--stdin-filename", "rendered/chart.yaml", "-f", "concise", input=POD_BAD)
    assert r.stdout.startswith("rendered/chart.yaml:6:21: RCL101")


def test_no_manifests_is_a_usage_error(project):
    write_files(project, {"values.yaml": "replicaCount: 1\n", "README.md": "# hi\n"})
    r = invoke("check", ".")
    assert r.exit_code == 2
    assert r.stderr == "rclint: error: no Kubernetes manifests or runtime configs found under .\n"


def test_missing_path_is_a_usage_error(project):
    r = invoke("check", "nope/")
    assert r.exit_code == 2
    assert r.stderr == "rclint: error: nope/: no such file or directory\n"


def test_output_file(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    r = invoke("check", "-f", "json", "-o", "report.json")
    assert r.exit_code == 1 and r.stdout == ""
    assert json.loads((project / "report.json").read_text())["summary"]["errors"] == 1


def test_config_in_pyproject_found_walking_up(project):
    write_files(project, {
        "pyproject.toml": '[tool.rclint]\nknown-runtime-classes = ["kata-qemu"]\n',
        "deploy/pod.yaml": POD_BAD,
    })
    os.chdir(project / "deploy")
    assert invoke("check", ".").exit_code == 0
    assert invoke("check", ".", "--isolated").exit_code == 1


def test_rclint_toml_severity_and_fail_on(project):
    write_files(project, {
        ".rclint.toml": 'fail-on = "warning"\n[severity]\nRCL109 = "warning"\n',
        "rc.yaml": RC,
    })
    r = invoke("check")
    assert r.exit_code == 1
    assert "warning[RCL109]" in r.stdout


def test_unknown_config_key_names_it(project):
    write_files(project, {".rclint.toml": 'known-runtime-class = ["x"]\n', "rc.yaml": RC})
    r = invoke("check")
    assert r.exit_code == 2
    assert "unknown configuration key 'known-runtime-class' in .rclint.toml (did you mean 'known-runtime-classes'?)" in r.stderr


def test_exclude_extends_builtin_exclusions(project):
    write_files(project, {
        ".rclint.toml": 'exclude = ["generated"]\n',
        "rc.yaml": RC + "---\n" + POD_OK,
        "generated/pod.yaml": POD_BAD,
        "node_modules/x/pod.yaml": POD_BAD,
        "env/pyvenv.cfg": "home = /usr/bin\n",  # a virtual environment, whatever its name
        "env/lib/site-packages/x/pod.yaml": POD_BAD,
        "pyvenv-like/pyvenv.cfg/pod.yaml": POD_BAD,  # a directory named pyvenv.cfg is no marker
    })
    r = invoke("check", "--format", "concise")
    assert [line.split(":")[0] for line in r.stdout.splitlines() if ": RCL" in line] == \
        ["pyvenv-like/pyvenv.cfg/pod.yaml"]


def test_internal_error_is_one_line_unless_debug(project, monkeypatch):
    write_files(project, {"rc.yaml": RC})
    import rclint.engine

    def boom(settings):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(rclint.engine, "run", boom)
    r = invoke("check")
    assert r.exit_code == 2
    assert r.stderr == "rclint: internal error: ZeroDivisionError: bug (rerun with --debug for the traceback)\n"
    r = invoke("check", "--debug")
    assert r.exit_code == 2
    assert "Traceback (most recent call last)" in r.stderr


def test_output_is_deterministic(project):
    write_files(project, {"b.yaml": POD_BAD, "a.yaml": POD_BAD.replace("kata-qemu", "x"), "rc.yaml": RC})
    first = invoke("check", "-f", "json").stdout
    assert first == invoke("check", "-f", "json").stdout
    paths = [f["path"] for f in json.loads(first)["findings"]]
    assert paths == sorted(paths)


def test_rules_and_rule_commands():
    r = invoke("rules")
    assert r.exit_code == 0
    assert re.search(r"^RCL101  unknown-runtime-class +error ", r.stdout, re.M)
    r = invoke("rule", "RCL101")
    assert r.exit_code == 0
    assert r.stdout.startswith("RCL101 unknown-runtime-class [error]\n")
    assert "pod rejected: RuntimeClass" in r.stdout
    doc = json.loads(invoke("rule", "rcl101", "--format", "json").stdout)
    assert doc["code"] == "RCL101" and doc["severity"] == "error"
    assert invoke("rule", "RCL999").exit_code == 2


def test_python_dash_m_entry_point(project):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--no-color"], capture_output=True, text=True)
    assert proc.returncode == 1
    # not a terminal: the same full format as on one, without colour
    assert proc.stdout.startswith("error[RCL101] unknown-runtime-class: ")
    assert "\x1b" not in proc.stdout


def test_format_output_pairs(project, monkeypatch):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    r = invoke("check", "--format", "concise", "--format", "json", "--output", "r.json", "-f", "sarif", "-o", "r.sarif")
    assert r.exit_code == 1
    assert r.stdout.startswith("pod.yaml:6:21: RCL101 ")
    assert json.loads((project / "r.json").read_text())["summary"]["errors"] == 1
    assert json.loads((project / "r.sarif").read_text())["version"] == "2.1.0"
    r = invoke("check", "-o", "only.json", "-f", "json")
    assert r.exit_code == 1 and r.stdout == "" and (project / "only.json").exists()
    r = invoke("check", "-f", "json", "-f", "sarif")
    assert r.exit_code == 2
    assert "only one --format can write to stdout" in r.stderr


def test_auto_format_is_github_under_actions(project, monkeypatch):
    write_files(project, {"rc.yaml": RC, "pod.yaml": POD_BAD})
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    r = invoke("check")
    assert r.exit_code == 1
    assert r.stdout.startswith("::error file=pod.yaml,line=6,col=21,")
    assert "RCL101" in summary.read_text()
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert invoke("check").stdout.startswith("error[RCL101] ")


@pytest.mark.parametrize("config, handlerless", [
    ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\ndefault_runtime_name = "kata"\n'
     '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\n',
     'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n'),
    ('[crio.runtime]\ndefault_runtime = "kata"\n[crio.runtime.runtimes.kata]\nruntime_path = "/usr/bin/kata"\n',
     '[crio.runtime]\ndefault_runtime = "runc"\n[crio.runtime.runtimes.runc]\nruntime_path = "/usr/bin/runc"\n'),
], ids=["containerd", "crio"])
def test_a_pipe_named_as_node_config_is_read_once(project, config, handlerless):
    """`--node-config <(ssh node cat /etc/containerd/config.toml)`: the pipe is the node's config."""
    import os

    write_files(project, {"rc.yaml": RC})

    def pipe(text):
        r, w = os.pipe()
        os.write(w, text.encode())
        os.close(w)
        return r

    codes = []
    for text in (config, handlerless):
        r = pipe(text)
        try:
            out = invoke("check", "--format", "json", "--no-cache", "--node-config", f"/dev/fd/{r}")
        finally:
            os.close(r)
        codes.append(sorted(f["code"] for f in json.loads(out.stdout)["findings"]))
    assert "RCL102" not in codes[0]  # the pipe's kata handler was read
    assert "RCL102" in codes[1]
