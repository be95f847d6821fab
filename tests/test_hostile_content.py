"""Hostile content through the real CLI, in every format and `rclint nodes`: names that try to
start CI log lines (`::error`, `::stop-commands`), ESC sequences, bidi overrides, huge integers,
file names that are not UTF-8. rclint must exit 0, 1 or 2 without a traceback, write valid
UTF-8, and no line of its output may start with `::` unless it is rclint's own annotation, nor
hold a raw control character."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

INJECT = "evil\r\n::error file=x,line=1::injected\n::stop-commands::tok\x1b]0;title\x07\u202e\u2028x"
BIG_HEX = "0x" + "f" * 4000
BIG_DEC = "9" * 5000
FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
# C0 (tab allowed), DEL, C1, line/paragraph separators, bidi overrides and isolates
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
OWN_ANNOTATION = re.compile(r"::(error|warning|notice) file=[^\r\n]*?,line=\d+[^:]*::\S")


def _yaml_str(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def hostile_tree(root: Path) -> None:
    (root / "node/etc/containerd").mkdir(parents=True)
    (root / "crio/etc/crio/crio.conf.d").mkdir(parents=True)
    (root / "pods.yaml").write_text(f"""apiVersion: v1
kind: Pod
metadata:
  name: {_yaml_str(INJECT)}
  annotations: {{rclint.io/ignore: {_yaml_str("RCL999" + INJECT)}}}
spec:
  runtimeClassName: {_yaml_str("kata" + INJECT)}
  overhead: {{cpu: {BIG_DEC}, memory: {BIG_HEX}}}
  priority: {BIG_HEX}
  containers: [{{name: c, image: x}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: p2}}
spec:
  runtimeClassName: kata-qemu-typo
  containers: [{{name: c, image: x}}]
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {{name: kata-qemu, labels: {{{_yaml_str("k" + INJECT)}: v}}}}
handler: {_yaml_str(INJECT)}
overhead: {{podFixed: {{cpu: "{BIG_DEC}", memory: {BIG_HEX}}}}}
scheduling:
  nodeSelector: {{{_yaml_str("x" + INJECT)}: {_yaml_str(INJECT)}}}
---
apiVersion: v1
kind: Node
metadata:
  name: {_yaml_str(INJECT)}
  labels: {{{_yaml_str("l" + INJECT)}: {_yaml_str(INJECT)}}}
status:
  runtimeHandlers: [{{name: {_yaml_str(INJECT)}}}]
""", encoding="utf-8")
    toml_inject = json.dumps(INJECT)  # a TOML basic string uses the same escapes
    (root / "node/etc/containerd/config.toml").write_text(f"""version = 2
oom_score = {BIG_HEX}
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = {toml_inject}
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{toml_inject}]
  runtime_type = {toml_inject}
""", encoding="utf-8")
    (root / "crio/etc/crio/crio.conf").write_text(f"""[crio.runtime]
default_runtime = {toml_inject}
[crio.runtime.runtimes.{toml_inject}]
runtime_path = {toml_inject}
""", encoding="utf-8")
    (root / "crio/etc/crio/crio.conf.d/10-big.conf").write_text(f"[crio.runtime]\npids_limit = {BIG_DEC}\n")
    # file names that are not UTF-8, with an ESC sequence and a newline in them
    bad_dir = os.fsencode(root) + b"/bad\xff\x1b[2J\ndir"
    os.mkdir(bad_dir)
    with open(bad_dir + b"/pod\xfe.yaml", "wb") as fh:
        fh.write(b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  runtimeClassName: nope\n"
                 b"  containers: [{name: c, image: x}]\n")


def run_cli(args, cwd, env=None):
    e = dict(os.environ, **(env or {}))
    e.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([sys.executable, "-m", "rclint", *args], cwd=cwd, capture_output=True, env=e, timeout=120)


def assert_clean(data: bytes, what: str, annotations: bool = False) -> str:
    text = data.decode("utf-8")  # valid UTF-8, or this raises
    assert "Traceback" not in text, what
    for line in text.split("\n"):
        assert not RAW_CONTROL.search(line), f"{what}: raw control character in {line[:200]!r}"
        if line.startswith("::"):
            assert annotations and OWN_ANNOTATION.match(line), f"{what}: a line starts with '::': {line[:200]!r}"
    return text


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    hostile_tree(root)
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_on_hostile_content(tree, fmt):
    proc = run_cli(["check", "--isolated", "--format", fmt, "."], tree)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert proc.returncode == 1, proc.stderr  # the tree has errors, and rclint reported them
    out = assert_clean(proc.stdout, f"{fmt} stdout", annotations=(fmt == "github"))
    assert_clean(proc.stderr, f"{fmt} stderr")
    # the undecodable bytes are shown as escapes (JSON-escaped in JSON, percent-encoded in SARIF's URIs)
    shown = {"sarif": "bad%5Cxff%1B%5B2J%0Adir", "json": r"bad\\xff", "gitlab": r"bad\\xff"}
    assert shown.get(fmt, r"bad\xff\x1b[2J\ndir") in out
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out)
    if fmt == "junit":
        ET.fromstring(proc.stdout)
    if fmt == "text":
        assert "RCL003" not in out  # every file was read
        assert "help: runtimeClassName: kata-qemu\n" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_to_a_file(tree, tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    proc = run_cli(["check", "--isolated", "--format", fmt, "--output", str(target), "."], tree)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == b""
    assert_clean(target.read_bytes(), f"{fmt} -o file", annotations=(fmt == "github"))
    assert_clean(proc.stderr, f"{fmt} stderr")


def test_github_format_under_actions_and_step_summary(tree, tmp_path):
    summary = tmp_path / "summary.md"
    proc = run_cli(["check", "--isolated", "."], tree,
                   env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1, proc.stderr
    out = assert_clean(proc.stdout, "github auto", annotations=True)
    assert out.startswith("::error file=")
    e = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--isolated", "-f", "github", "."],
                          cwd=tree, capture_output=True, env=e, timeout=120)
    assert proc.returncode == 1
    assert_clean(summary.read_bytes(), "step summary")


@pytest.mark.parametrize("fmt", ("text", "json"))
def test_nodes_on_hostile_content(tree, fmt):
    proc = run_cli(["nodes", "--isolated", "--format", fmt, "."], tree)
    assert proc.returncode == 0, proc.stderr
    out = assert_clean(proc.stdout, f"nodes {fmt}")
    assert_clean(proc.stderr, f"nodes {fmt} stderr")
    if fmt == "json":
        json.loads(out)
    else:
        assert r"evil\r\n::error file=x" in out  # shown, escaped, on the same line


def test_error_lines_are_sanitised(tree):
    proc = run_cli(["check", "--isolated", "--node-config", "no\x1b[31msuch\n::error::x", "."], tree)
    assert proc.returncode == 2
    err = assert_clean(proc.stderr, "usage error")
    assert err.count("\n") == 1 and r"no\x1b[31msuch\n::error::x" in err


def test_huge_integers_in_rclint_config_are_a_config_error(tmp_path):
    (tmp_path / "rc.yaml").write_text("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: a}\nhandler: a\n")
    for text in (f"max-file-size = {BIG_DEC}\n", f"[severity]\nRCL101 = {BIG_HEX}\n"):
        (tmp_path / ".rclint.toml").write_text(text)
        proc = run_cli(["check", "."], tmp_path)
        assert proc.returncode == 2
        err = assert_clean(proc.stderr, "config")
        assert err.count("\n") == 1 and "integer does not fit in 64 bits" in err


def test_closed_stdin_is_reported(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--isolated", "--output-format", "concise", "-"],
                          cwd=tmp_path,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.decode() == "<stdin>:1:1: RCL003 file not read: it is closed (standard input)\n"
    assert b"Traceback" not in proc.stderr


def _big_tree(root: Path, n: int = 3000) -> None:
    docs = [f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  runtimeClassName: r{i}\n"
            f"  containers: [{{name: c, image: x}}]\n" for i in range(n)]
    (root / "pods.yaml").write_text("---\n".join(docs))


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    _big_tree(tmp_path, 100_000)  # about 8 MB: many seconds of work, interrupted after one
    proc = subprocess.Popen([sys.executable, "-m", "rclint", "check", "--isolated", "."], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)  # well inside the run (importing, then loading 100,000 documents)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == b"rclint: interrupted\n"


def test_closed_stdout_ends_quietly(tmp_path):
    _big_tree(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "rclint", "check", "--isolated", "--output-format", "concise", "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(b"pods.yaml:5:21: RCL101")
    assert proc.returncode in (0, 1), err
    assert b"Traceback" not in err and b"error" not in err.replace(b"errors", b""), err
