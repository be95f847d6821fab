"""Fixes: each fixable rule's bad examples become exactly their `fixed:` text, the edits touch
nothing else (comments, quoting, CRLF, a BOM, other documents), and writing is careful."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from rclint.catalog import load_catalog
from rclint.cli import main
from rclint.fixers import FIXERS
from rclint.fixes import WriteRefused, fix_loop, write_fixed
from rclint.yamlsource import Chunk, parse_chunk

from helpers import lint, write_files

REPO = Path(__file__).resolve().parents[1]
EXPECT = re.compile(r"[ \t]*# expect:.*")

FIXABLE = [r for r in load_catalog().values() if r.fix != "none"]
CASES = [
    pytest.param(rule, ex, id=f"{rule.id}-{i}")
    for rule in FIXABLE
    for i, ex in enumerate(rule.examples)
    if ex.kind == "bad"
]


def strip_markers(files):
    return {name: EXPECT.sub("", text) for name, text in files.items()}


def test_fixers_and_rule_files_agree():
    assert sorted(FIXERS) == sorted(r.id for r in FIXABLE)
    assert {"RCL006", "RCL101", "RCL107", "RCL204", "RCL205", "RCL206", "RCL207", "RCL208", "RCL307",
            "RCL403"} <= set(FIXERS)
    assert {r.id: r.fix for r in FIXABLE if r.fix == "unsafe"} == {"RCL101": "unsafe", "RCL403": "unsafe"}
    for rule in FIXABLE:
        for ex in rule.examples:
            if ex.kind == "bad":
                assert ex.fixed is not None, f"{rule.id} bad example {ex.name!r} needs its fixed form (fixed:)"
            else:
                assert ex.fixed is None, f"{rule.id} good example {ex.name!r} has a fixed form"
        assert any(ex.fixed for ex in rule.examples), f"{rule.id}: no example shows the fix at work"


def test_rule_files_match_their_schema():
    schema = json.loads((REPO / "schemas" / "rule-file.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((REPO / "rules").glob("RCL*.yaml")):
        (doc,) = parse_chunk(Chunk(path.read_text(encoding="utf-8"), 0, 0), path.name)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc.value)]
        assert not errors, f"{path.name}: {errors}"
    broken = {"id": "RCL999", "name": "x", "title": "t", "severity": "error", "rationale": "r", "remediation": "r",
              "references": [], "fix": "safe", "examples": [{"name": "a", "kind": "bad", "files": {"a": ""}},
                                                             {"name": "b", "kind": "good", "files": {"b": ""}}]}
    assert [e.message for e in validator.iter_errors(broken)] == ["'fix_summary' is a required property"]
    assert not validator.is_valid(dict(broken, fix="sometimes", fix_summary="s"))


def toml_value(value) -> str:
    """A configuration value as TOML (inline tables and arrays only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"


def run_fix_cli(root: Path, rule, example, monkeypatch):
    monkeypatch.chdir(root)
    args = ["check", "--select", rule.id, "--fix"] + (["--unsafe-fixes"] if rule.fix == "unsafe" else [])
    return CliRunner().invoke(main, args + (list(example.args) or ["."]), catch_exceptions=False)


@pytest.mark.parametrize("rule,example", CASES)
def test_fix_turns_bad_example_into_fixed_form(tmp_path, monkeypatch, rule, example):
    files = strip_markers(example.files)
    write_files(tmp_path, files)
    (tmp_path / ".git").mkdir()
    if example.config:
        (tmp_path / ".rclint.toml").write_text("".join(f"{json.dumps(k)} = {toml_value(v)}\n"
                                                       for k, v in example.config.items()))
    before = lint(tmp_path, select=[rule.id], config=example.config, paths=list(example.args) or ["."]).findings
    allowed = {"safe"} if rule.fix == "safe" else {"safe", "unsafe"}
    unfixable = [f for f in before if f.code == rule.id and (f.fix is None or f.fix.applicability not in allowed)]
    r = run_fix_cli(tmp_path, rule, example, monkeypatch)
    assert r.exit_code in (0, 1), r.stderr
    now = {name: (tmp_path / name).read_text(encoding="utf-8") for name in files}
    assert {name: text for name, text in now.items() if text != files[name]} == example.fixed
    fixed = len([f for f in before if f.code == rule.id]) - len(unfixable)
    assert bool(example.fixed) == (fixed > 0)
    if fixed:
        assert f"rclint: fixed {fixed} problem" in r.stderr
    # the fixed text is clean for this rule, apart from the findings that had no fix
    after = lint(tmp_path, select=[rule.id], config=example.config, paths=list(example.args) or ["."]).findings
    assert [(f.message, f.field) for f in after] == [(f.message, f.field) for f in unfixable]
    # a second --fix changes nothing
    r = run_fix_cli(tmp_path, rule, example, monkeypatch)
    assert "rclint: fixed 0 problems" in r.stderr
    assert {name: (tmp_path / name).read_text(encoding="utf-8") for name in files} == now


def test_fix_kinds_follow_the_rule_files(tmp_path):
    for rule in FIXABLE:
        for i, ex in enumerate(rule.examples):
            if ex.kind != "bad" or not ex.fixed:
                continue
            root = tmp_path / f"{rule.id}-{i}"
            write_files(root, strip_markers(ex.files))
            result = lint(root, select=[rule.id], config=ex.config, paths=list(ex.args) or ["."])
            kinds = {f.fix.applicability for f in result.findings if f.fix is not None}
            # a safe rule may offer an unsafe fix where a choice is involved; an unsafe rule never a safe one
            assert rule.fix in kinds and kinds <= ({"safe", "unsafe"} if rule.fix == "safe" else {"unsafe"}), \
                (rule.id, ex.name, kinds)


# --------------------------------------------------------------------------- byte fidelity

RC_BETA = ("# the sandbox class\r\n"
           "apiVersion: 'node.k8s.io/v1beta1'   # keep this comment\r\n"
           "kind: RuntimeClass\r\n"
           "metadata: {name: gvisor}   # flow style stays\r\n"
           "handler: runsc\r\n"
           "---\r\n"
           "# a second document, untouched: apiVersion: node.k8s.io/v1beta1 in a comment\r\n"
           "apiVersion: v1\r\n"
           "kind: ConfigMap\r\n"
           "metadata:\r\n"
           "  name: \"x\"\r\n")


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")])
def test_edits_keep_every_other_byte(tmp_path, encoding, bom):
    (tmp_path / "rc.yaml").write_bytes(bom + RC_BETA.encode(encoding))
    out = fix_loop(lambda: lint(tmp_path, select=["RCL206"]), False)
    (_real, old, new) = out.changed["rc.yaml"]
    assert old == bom + RC_BETA.encode(encoding)
    assert new == bom + RC_BETA.replace("'node.k8s.io/v1beta1'", "'node.k8s.io/v1'", 1).encode(encoding)
    assert out.result.findings == []


def test_v1alpha1_rewrite_keeps_comments_and_crlf(tmp_path):
    text = ("apiVersion: node.k8s.io/v1alpha1\r\n"
            "kind: RuntimeClass\r\n"
            "metadata:\r\n"
            "    name: kata   # four-space indentation\r\n"
            "spec:\r\n"
            "    # the handler\r\n"
            "    runtimeHandler: \"kata\"\r\n"
            "\r\n"
            "    overhead:\r\n"
            "        podFixed: {memory: 160Mi, cpu: 250m}\r\n"
            "# trailing comment\r\n")
    (tmp_path / "rc.yaml").write_bytes(text.encode())
    out = fix_loop(lambda: lint(tmp_path, select=["RCL206"]), False)
    assert out.changed["rc.yaml"][2].decode() == (
        "apiVersion: node.k8s.io/v1\r\n"
        "kind: RuntimeClass\r\n"
        "metadata:\r\n"
        "    name: kata   # four-space indentation\r\n"
        "# the handler\r\n"
        "handler: \"kata\"\r\n"
        "\r\n"
        "overhead:\r\n"
        "    podFixed: {memory: 160Mi, cpu: 250m}\r\n"
        "# trailing comment\r\n")


def test_rcl403_inserts_with_the_files_indentation_and_line_ends(tmp_path):
    text = "apiVersion: node.k8s.io/v1\r\nkind: RuntimeClass\r\nmetadata:\r\n    name: k\r\nhandler: kata-clh"
    (tmp_path / "rc.yaml").write_bytes(text.encode())
    out = fix_loop(lambda: lint(tmp_path, select=["RCL403"]), True)
    assert out.changed["rc.yaml"][2].decode() == text + (
        "\r\noverhead:\r\n    podFixed:\r\n        memory: 130Mi\r\n        cpu: 250m")
    assert fix_loop(lambda: lint(tmp_path, select=["RCL403"]), False).changed == {}  # unsafe: not without the flag


def test_rcl006_removes_one_code_of_several_and_annotations(tmp_path):
    write_files(tmp_path, {"pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    rclint.io/ignore: 'RCL101, RCL999'\n    team: a\n"
        "spec:\n  runtimeClassName: nope  # rclint: ignore[RCL101,RCL998] why not\n  containers: []\n")})
    out = fix_loop(lambda: lint(tmp_path, select=["RCL006", "RCL101"]), False)
    assert out.changed["pod.yaml"][2].decode() == (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    rclint.io/ignore: 'RCL101'\n    team: a\n"
        "spec:\n  runtimeClassName: nope  # rclint: ignore[RCL101] why not\n  containers: []\n")


def test_comment_lookalike_inside_a_string_is_left_alone(tmp_path):
    write_files(tmp_path, {"pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: b}\n"
        "spec:\n  runtimeClassName: kata\n  containers:\n    - name: c\n      image: busybox\n"
        "      args: [\"echo # rclint: ignore[RCL998]\"]\n")})
    result = lint(tmp_path, select=["RCL006"])
    assert [(f.code, f.fix) for f in result.findings] == [("RCL006", None)]


def test_fixes_in_toml_keep_quoting(tmp_path):
    write_files(tmp_path, {"etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
        '  runtime_type = "io.containerd.kata.v2"\n  "privileged_without_host_device" = true # was\n')})
    out = fix_loop(lambda: lint(tmp_path, select=["RCL307"]), False)
    assert out.changed["etc/containerd/config.toml"][2].decode().endswith(
        '  "privileged_without_host_devices" = true # was\n')


def test_rcl307_offers_no_rename_onto_an_existing_key(tmp_path):
    write_files(tmp_path, {"etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
        '  runtime_type = "io.containerd.kata.v2"\n  privileged_without_host_devices = true\n'
        '  privileged_without_host_device = true\n')})
    result = lint(tmp_path, select=["RCL307"])
    assert [(f.code, f.fix) for f in result.findings] == [("RCL307", None)]


# --------------------------------------------------------------------------- the command line

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata-qmeu\n  containers: []\n"
RC_OLD = "apiVersion: node.k8s.io/v1beta1  # old\nkind: RuntimeClass\nmetadata:\n  name: kata-qemu\nhandler: kata-qemu\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"pod.yaml": POD, "rc.yaml": RC_OLD})
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(main, ["check", "--isolated", "--select", "RCL101,RCL206", *args], input=input,
                              catch_exceptions=False)


def test_text_marks_fixable_findings_and_counts_fixes(project):
    r = invoke("--format", "concise")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith('pod.yaml:6:21: RCL101 Pod p: runtimeClassName "kata-qmeu"')
    assert lines[-1].startswith("rc.yaml:1:13: RCL206 [*] RuntimeClass ")
    full = invoke().stdout
    assert 'error[RCL101] unknown-runtime-class: Pod p: runtimeClassName "kata-qmeu"' in full
    assert 'error[RCL206] removed-api-version: [*] RuntimeClass "kata-qemu" uses' in full
    assert r.stderr.endswith("rclint: [*] 1 fixable with --fix; 1 more fix available with --fix --unsafe-fixes\n")


def test_fix_writes_safe_fixes_and_reports_what_remains(project):
    os.chmod("rc.yaml", 0o640)
    r = invoke("--fix")
    assert r.exit_code == 1
    assert (project / "rc.yaml").read_text() == RC_OLD.replace("v1beta1", "v1")
    assert (project / "pod.yaml").read_text() == POD
    assert stat.S_IMODE(os.stat("rc.yaml").st_mode) == 0o640
    assert "RCL206" not in r.stdout and "RCL101" in r.stdout
    assert r.stderr.endswith("rclint: 1 error in 2 files\nrclint: fixed 1 problem in 1 file; 1 more fixable with "
                             "--unsafe-fixes\n")
    assert sorted(p.name for p in project.iterdir()) == [".git", "pod.yaml", "rc.yaml"]  # no temp file left
    r = invoke("--fix", "--unsafe-fixes")
    assert r.exit_code == 0 and r.stdout == ""
    assert (project / "pod.yaml").read_text() == POD.replace("kata-qmeu", "kata-qemu")
    assert r.stderr.endswith("rclint: fixed 1 problem in 1 file\n")


def test_diff_prints_and_writes_nothing(project):
    r = invoke("--diff", "--unsafe-fixes")
    assert r.exit_code == 1
    assert r.stdout == (
        "--- a/pod.yaml\n+++ b/pod.yaml\n@@ -3,5 +3,5 @@\n metadata:\n   name: p\n spec:\n"
        "-  runtimeClassName: kata-qmeu\n+  runtimeClassName: kata-qemu\n   containers: []\n"
        "--- a/rc.yaml\n+++ b/rc.yaml\n@@ -1,4 +1,4 @@\n-apiVersion: node.k8s.io/v1beta1  # old\n"
        "+apiVersion: node.k8s.io/v1  # old\n kind: RuntimeClass\n metadata:\n   name: kata-qemu\n")
    assert r.stderr == "rclint: would fix 2 problems in 2 files\n"
    assert (project / "pod.yaml").read_text() == POD and (project / "rc.yaml").read_text() == RC_OLD


def test_stdin_fix_prints_the_fixed_stream(project):
    r = invoke("--fix", "-", input=RC_OLD)
    assert r.exit_code == 0
    assert r.stdout == RC_OLD.replace("v1beta1", "v1")
    assert "fixed 1 problem in 1 file" in r.stderr


def test_json_and_sarif_carry_the_fix(project):
    doc = json.loads(invoke("--format", "json").stdout)
    fixes = [f["fix"] for f in doc["findings"]]
    assert fixes[1] == {"applicability": "safe", "description": "change apiVersion to node.k8s.io/v1",
                        "edits": [{"path": "rc.yaml", "line": 1, "column": 13, "end_line": 1, "end_column": 32,
                                   "replacement": "node.k8s.io/v1"}]}
    text = invoke("--format", "sarif").stdout
    from test_reporters import validate_sarif

    sarif = validate_sarif(text)
    res = sarif["runs"][0]["results"]
    assert res[1]["fixes"] == [{
        "description": {"text": "change apiVersion to node.k8s.io/v1."},
        "artifactChanges": [{
            "artifactLocation": {"uri": "rc.yaml", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": {"startLine": 1, "startColumn": 13, "endLine": 1, "endColumn": 32},
                              "insertedContent": {"text": "node.k8s.io/v1"}}]}]}]
    assert res[0]["fixes"][0]["description"]["text"].endswith("(unsafe fix: check the result)")


def test_a_file_changed_since_reading_is_not_written(project):
    old = (project / "rc.yaml").read_bytes()
    (project / "rc.yaml").write_text(RC_OLD + "# edited meanwhile\n")
    with pytest.raises(WriteRefused, match="changed on disk"):
        write_fixed("rc.yaml", old, b"new", [str(project)])
    assert (project / "rc.yaml").read_text().endswith("# edited meanwhile\n")


def test_symlinks_are_never_written_through(project, tmp_path_factory):
    (project / "store").mkdir()
    (project / "rc.yaml").rename(project / "store" / "rc.yaml")
    (project / "rc.yaml").symlink_to(project / "store" / "rc.yaml")
    r = invoke("--fix")
    assert "rclint: not fixed: rc.yaml: it is a symbolic link" in r.stderr
    assert (project / "rc.yaml").is_symlink()
    assert (project / "store" / "rc.yaml").read_text() == RC_OLD.replace("v1beta1", "v1")  # its own finding
    outside = tmp_path_factory.mktemp("outside") / "rc.yaml"
    outside.write_text(RC_OLD)
    with pytest.raises(WriteRefused, match="outside the linted tree"):
        write_fixed(str(outside), RC_OLD.encode(), b"x", [str(project)])
    os.symlink(outside.parent, project / "linked")
    with pytest.raises(WriteRefused, match="outside the linted tree"):
        write_fixed("linked/rc.yaml", RC_OLD.encode(), b"x", [str(project)])
    os.symlink(project / "store", project / "inner")
    with pytest.raises(WriteRefused, match="reached through a symbolic link"):
        write_fixed("inner/rc.yaml", (project / "store" / "rc.yaml").read_bytes(), b"x", [str(project)])
    assert outside.read_text() == RC_OLD


def test_rule_command_and_readme_show_fixes():
    r = CliRunner().invoke(main, ["rule", "RCL403"])
    assert "\nAutofix (unsafe; `rclint check --fix --unsafe-fixes`):\n  Adds overhead.podFixed" in r.stdout
    doc = json.loads(CliRunner().invoke(main, ["rule", "RCL207", "--format", "json"]).stdout)
    assert doc["fix"] == "safe" and doc["fix_summary"].startswith("Replaces the deprecated label key")
    assert doc["examples"][1]["fixed"]["gvisor.yaml"].endswith("    topology.kubernetes.io/zone: europe-west1-b\n")
    assert "fixed" not in doc["examples"][-1]  # a good example
    assert json.loads(CliRunner().invoke(main, ["rule", "RCL102", "--format", "json"]).stdout)["fix"] == "none"
    assert "  # pod.yaml, after `rclint check --fix --unsafe-fixes`\n" not in r.stdout
    assert "  # runtimeclass.yaml, after `rclint check --fix --unsafe-fixes`\n" in r.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```yaml\n(repos:.*?)```", readme, re.S)
    (doc,) = parse_chunk(Chunk(snippet, 0, 0), "snippet")
    assert doc.value["repos"][0]["hooks"][0] == {"id": "rclint", "args": ["--fix"]}
    for rule in FIXABLE:
        assert f"| {rule.id} |" in readme.split("## Fixes", 1)[1].split("\n## ", 1)[0], rule.id


def test_cli_leaves_a_file_edited_during_the_run(project, monkeypatch):
    import rclint.fixes

    real_loop = rclint.fixes.fix_loop

    def loop_then_edit(run, unsafe):
        outcome = real_loop(run, unsafe)
        with open("rc.yaml", "a") as fh:
            fh.write("# edited while rclint ran\n")
        return outcome

    monkeypatch.setattr(rclint.fixes, "fix_loop", loop_then_edit)
    r = invoke("--fix", "--format", "concise")
    assert "rclint: not fixed: rc.yaml: it changed on disk since rclint read it\n" in r.stderr
    assert (project / "rc.yaml").read_text() == RC_OLD + "# edited while rclint ran\n"
    assert "rc.yaml:1:13: RCL206" in r.stdout
    assert r.stderr.endswith("rclint: fixed 0 problems; 1 more fixable with --unsafe-fixes\n")


def test_rcl204_and_rcl205_fixes_in_flow_and_block_style(tmp_path):
    write_files(tmp_path, {"rc.yaml": (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: w}\nhandler: runhcs\n"
        "scheduling:\n  nodeSelector: {build: 10.0, gpu: yes}\n"
        "  tolerations: [{key: os, value: w}, {key: os, value: w}]\n"
        "---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: v}\nhandler: runhcs\n"
        "scheduling:\n  tolerations:\n  - key: os\n    effect: NoExecute\n    tolerationSeconds: 1\n"
        "  - key: os  # second\n    effect: NoExecute\n    tolerationSeconds: 2\n")})
    result = lint(tmp_path, select=["RCL204", "RCL205"])
    assert [(f.code, f.span.line, f.fix.applicability) for f in result.findings] == [
        ("RCL204", 6, "safe"), ("RCL204", 6, "safe"), ("RCL205", 7, "safe"), ("RCL205", 18, "unsafe")]
    out = fix_loop(lambda: lint(tmp_path, select=["RCL204", "RCL205"]), True)
    assert out.changed["rc.yaml"][2].decode() == (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: w}\nhandler: runhcs\n"
        "scheduling:\n  nodeSelector: {build: \"10.0\", gpu: \"yes\"}\n"
        "  tolerations: [{key: os, value: w}]\n"
        "---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: v}\nhandler: runhcs\n"
        "scheduling:\n  tolerations:\n  - key: os\n    effect: NoExecute\n    tolerationSeconds: 1\n")
    assert out.result.findings == []


def test_no_yaml_fix_where_yaml_counts_lines_differently(tmp_path):
    # YAML counts U+2028 (and NEL, a lone CR) as a line break; rclint's offsets do not
    text = ('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {a: "x\u2028y"}\n'
            'spec:\n  overhead:\n    cpu: "1"\n  containers: []\n')
    (tmp_path / "pod.yaml").write_text(text, encoding="utf-8")
    result = lint(tmp_path, select=["RCL107"])
    assert [(f.code, f.fix) for f in result.findings] == [("RCL107", None)]
    assert fix_loop(lambda: lint(tmp_path, select=["RCL107"]), True).changed == {}


def test_fix_with_write_baseline_records_what_remains(project):
    r = invoke("--fix", "--write-baseline", "base.json")
    assert r.exit_code == 0
    assert (project / "rc.yaml").read_text() == RC_OLD.replace("v1beta1", "v1")
    entries = json.loads((project / "base.json").read_text())
    assert "RCL101" in json.dumps(entries) and "RCL206" not in json.dumps(entries)
    assert invoke("--diff", "--exit-zero", "--unsafe-fixes").exit_code == 0


TRANSFORMS = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "utf16-crlf": lambda t: b"\xff\xfe" + t.replace("\n", "\r\n").encode("utf-16-le"),
}


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_fixes_commute_with_line_ends_and_encodings(tmp_path, transform):
    """Fixing a CRLF/BOM/UTF-16 copy of each example gives the same copy of its fixed form."""
    to_bytes = TRANSFORMS[transform]
    for rule, example in [(p.values[0], p.values[1]) for p in CASES]:
        if not example.fixed or (transform == "utf16-crlf" and any(n.endswith((".toml", ".conf")) for n in example.fixed)):
            continue  # runtimes read their configs as UTF-8
        root = tmp_path / f"{rule.id}-{abs(hash(example.name))}"
        files = strip_markers(example.files)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(to_bytes(text))
        out = fix_loop(lambda: lint(root, select=[rule.id], config=example.config,
                                    paths=list(example.args) or ["."]), rule.fix == "unsafe")
        got = {name: new for name, (_r, _o, new) in out.changed.items()}
        assert got == {name: to_bytes(text) for name, text in example.fixed.items()}, (rule.id, example.name)


def test_rcl208_unsafe_fixes(tmp_path):
    write_files(tmp_path, {"pods.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  runtimeClassName: ''\n  containers: []\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {runtimeClassName: Kata_QEMU, containers: []}\n")})
    result = lint(tmp_path, select=["RCL208"])
    assert [(f.span.line, f.fix.applicability, f.fix.description) for f in result.findings] == [
        (5, "unsafe", "remove the empty runtimeClassName (the pod then runs on the nodes' default handler)"),
        (11, "unsafe", 'change runtimeClassName to "kata-qemu"')]
    assert fix_loop(lambda: lint(tmp_path, select=["RCL208"]), False).changed == {}
    out = fix_loop(lambda: lint(tmp_path, select=["RCL208"]), True)
    assert out.changed["pods.yaml"][2].decode() == (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: []\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {runtimeClassName: kata-qemu, containers: []}\n")


def test_findings_in_several_files_each_get_their_fix(tmp_path):
    rc = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: %s}\nhandler: runsc\n" \
         "scheduling:\n  nodeSelector: {beta.kubernetes.io/os: linux}\n"
    write_files(tmp_path, {"a.yaml": rc % "a", "b.yaml": rc % "b", "c.yaml": rc % "c"})
    result = lint(tmp_path, select=["RCL207"])
    assert [(f.path, f.fix.edits[0].path) for f in result.findings] == [
        ("a.yaml", "a.yaml"), ("b.yaml", "b.yaml"), ("c.yaml", "c.yaml")]


def test_v1alpha1_rewrite_keeps_the_comment_of_the_spec_line(tmp_path):
    write_files(tmp_path, {"rc.yaml": "apiVersion: node.k8s.io/v1alpha1\nkind: RuntimeClass\nmetadata: {name: k}\n"
                                      "spec:  # moved from v1alpha1\n  runtimeHandler: kata  # the handler\n"})
    out = fix_loop(lambda: lint(tmp_path, select=["RCL206"]), False)
    assert out.changed["rc.yaml"][2].decode() == (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: k}\n"
        "# moved from v1alpha1\nhandler: kata  # the handler\n")


def test_comment_lookalikes_inside_toml_strings_are_left_alone(tmp_path):
    write_files(tmp_path, {"etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
        '  runtime_type = "io.containerd.runc.v2"\n'
        '  pod_annotations = ["a # rclint: ignore[RCL998]", \'\'\'\n# rclint: ignore[RCL997]\n\'\'\']\n'
        '# rclint: ignore[RCL996]\n')})
    result = lint(tmp_path, select=["RCL006"])
    assert [(f.span.line, f.fix is not None) for f in result.findings] == [(4, False), (5, False), (7, True)]


# --------------------------------------------------------------------------- hostile trees

def _hostile_trees():
    from test_hostile_trees import TREES

    return TREES


@pytest.mark.parametrize("tree", _hostile_trees(), ids=[t.name for t in _hostile_trees()])
def test_fix_in_hostile_trees_writes_only_regular_files_of_the_tree(tmp_path, tree):
    """`--fix --unsafe-fixes` over every hostile tree (under strace): nothing outside the tree is
    opened for writing or changed, no symlink is replaced or written through, and every write is
    to a file of the tree or its temporary file next to it."""
    from test_hostile_trees import MODIFY, WRITES, _snapshot, assert_honest, make_tree, run_traced

    root, outside = make_tree(tmp_path, tree)
    before_outside = _snapshot(outside)
    links = {p: v for p, v in _snapshot(root).items() if v.startswith("link:")}
    run = run_traced(["check", "--fix", "--unsafe-fixes", *tree.args, "."], root, tmp_path / "fix.strace")
    assert_honest(run, tree)
    root_real = os.path.realpath(root)
    named = {os.path.normpath(os.path.join(root_real, a)) for a, prev in zip(tree.args[1:], tree.args)
             if prev in ("-o", "--write-baseline")}
    bad = []
    for call in run.calls:
        writes = call.syscall in MODIFY or bool(WRITES.search(call.flags))
        if not writes:
            continue
        for p in call.paths[:2]:
            lexical = os.path.normpath(os.path.join(root_real, p))
            real = os.path.realpath(lexical)
            if lexical in named:
                continue
            if not real.startswith(root_real + os.sep) or os.path.islink(lexical):
                bad.append((call.syscall, p))
    assert not bad, bad
    assert _snapshot(outside) == before_outside
    assert {p: v for p, v in _snapshot(root).items() if v.startswith("link:")} == links


def test_fix_with_links_into_and_out_of_the_tree(tmp_path):
    from test_hostile_trees import _snapshot, run_traced

    root, outside = tmp_path / "tree", tmp_path / "outside"
    (root / "store").mkdir(parents=True)
    (outside / "dir").mkdir(parents=True)
    for p in (root / "rc.yaml", root / "store" / "kept.yaml", outside / "out.yaml", outside / "dir" / "d.yaml",
              outside / "hard.yaml"):
        p.write_text(RC_OLD.replace("kata-qemu", p.stem))
    (root / "in-link.yaml").symlink_to(root / "store" / "kept.yaml")
    (root / "out-link.yaml").symlink_to(outside / "out.yaml")
    (root / "dir-link").symlink_to(outside / "dir")
    os.link(outside / "hard.yaml", root / "hard.yaml")
    before_outside = _snapshot(outside)
    run = run_traced(["check", "--isolated", "--select", "RCL206", "--fix", "."], root, tmp_path / "fix.strace")
    assert "Traceback" not in run.stderr
    assert "rclint: not fixed: in-link.yaml: it is a symbolic link" in run.stderr
    assert (root / "rc.yaml").read_text() == RC_OLD.replace("v1beta1", "v1").replace("kata-qemu", "rc")
    assert (root / "store" / "kept.yaml").read_text().startswith("apiVersion: node.k8s.io/v1 ")
    assert (root / "hard.yaml").read_text().startswith("apiVersion: node.k8s.io/v1 ")  # a new file now
    for link, target in (("in-link.yaml", root / "store" / "kept.yaml"), ("out-link.yaml", outside / "out.yaml"),
                         ("dir-link", outside / "dir")):
        assert os.readlink(root / link) == str(target)
    assert _snapshot(outside) == before_outside  # the hard-linked file outside included


def test_diff_shows_control_characters_as_escapes(project):
    (project / "rc.yaml").write_bytes(RC_OLD.replace("# old", "# old \u202e\t\u2066").replace("\n", "\r\n").encode())
    r = invoke("--diff")
    assert "+apiVersion: node.k8s.io/v1  # old \\u202e\t\\u2066\r\n".encode() in r.stdout_bytes
    assert "\u202e" not in r.stdout and "\u2066" not in r.stdout


def test_json_fixes_match_the_report_schema(project):
    import jsonschema

    schema = json.loads((REPO / "schemas" / "rclint-report.schema.json").read_text(encoding="utf-8"))
    doc = json.loads(invoke("--format", "json").stdout)
    assert [f["fix"]["applicability"] for f in doc["findings"]] == ["unsafe", "safe"]
    jsonschema.Draft7Validator(schema).validate(doc)
    doc["findings"][0]["fix"]["edits"] = []
    assert not jsonschema.Draft7Validator(schema).is_valid(doc)


@pytest.mark.parametrize("handler,memory,cpu", [("kata-qemu", "160Mi", "250m"), ("kata-fc", "130Mi", "250m"),
                                                ("kata-remote", "120Mi", "250m"), ("kata-qemu-tdx", "2048Mi", '"1"'),
                                                ("kata-qemu-nvidia-gpu", "4096Mi", '"1"')])
def test_rcl403_help_and_fix_suggest_the_same_overhead(tmp_path, handler, memory, cpu):
    write_files(tmp_path, {"rc.yaml": f"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: k\n"
                                      f"handler: {handler}\n"})
    (f,) = lint(tmp_path, select=["RCL403"]).findings
    assert f.help == f"overhead: {{podFixed: {{memory: {memory}, cpu: {cpu}}}}}"
    assert f.fix.edits[0].replacement == f"overhead:\n  podFixed:\n    memory: {memory}\n    cpu: {cpu}\n"


def test_cached_results_keep_their_fixes_and_fix_runs_bypass_the_cache(project, tmp_path_factory, monkeypatch):
    from rclint import engine

    cache = str(tmp_path_factory.mktemp("cache"))
    cold = invoke("--format", "json", "--cache-dir", cache).stdout
    assert [f["fix"]["applicability"] for f in json.loads(cold)["findings"]] == ["unsafe", "safe"]
    with monkeypatch.context() as m:
        m.setattr(engine, "load_everything", lambda *a, **k: (_ for _ in ()).throw(AssertionError("not cached")))
        assert invoke("--format", "json", "--cache-dir", cache).stdout == cold
    r = invoke("--fix", "--cache-dir", cache, "--jobs", "4")  # reads the files, in this process
    assert (project / "rc.yaml").read_text() == RC_OLD.replace("v1beta1", "v1")
    assert "fixed 1 problem in 1 file" in r.stderr
