"""Golden files for every format, from a real run over one multi-file scenario with
cross-file findings (a workload in one file, its RuntimeClass in another, the node config in
a third). Regenerate after an intended change with RCLINT_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from rclint import __version__
from rclint.cli import main

from helpers import write_files

GOLDEN = Path(__file__).resolve().parent / "golden" / "engine"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"
REPORT_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "rclint-report.schema.json"

SCENARIO = {
    "deploy/runtimeclasses.yaml": (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata-qemu\nhandler: kata-qemu\n"
        "overhead:\n  podFixed: {memory: 160Mi, cpu: 250m}\n---\n"
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: gvisor\nhandler: runsc\n"
    ),
    "deploy/payments.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments\n  namespace: shop\nspec:\n"
        "  selector: {matchLabels: {app: payments}}\n  template:\n    metadata: {labels: {app: payments}}\n"
        "    spec:\n      runtimeClassName: kata-qmeu\n      containers: [{name: app, image: 'example/payments:1'}]\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: builder\n  namespace: ci\nspec:\n"
        "  runtimeClassName: gvisor\n  hostNetwork: true\n  containers: [{name: b, image: 'example/builder:1'}]\n"
    ),
    "nodes/kata/etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n'
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]\n'
        '  runtime_type = "io.containerd.kata-qemu.v2"\n  privileged_without_host_device = true\n'
    ),
}
FORMATS = {"full": "report.full.txt", "concise": "report.concise.txt", "json": "report.json", "sarif": "report.sarif", "github": "report.github.txt",
           "junit": "report.junit.xml", "gitlab": "report.gitlab.json"}


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, SCENARIO)
    return tmp_path


def render(fmt: str) -> str:
    r = CliRunner().invoke(main, ["check", "--format", fmt, "--no-color"], catch_exceptions=False)
    assert r.exit_code == 1, r.stderr
    return r.stdout.replace(__version__, "0.0.0-test")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_report(scenario, fmt):
    text = render(fmt)
    golden = GOLDEN / FORMATS[fmt]
    if os.environ.get("RCLINT_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    if fmt == "sarif":
        jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(json.loads(text))
    if fmt == "json":
        schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.Draft7Validator(schema).validate(json.loads(text))


def test_text_is_the_full_format(scenario):
    assert render("text") == render("full") == (GOLDEN / FORMATS["full"]).read_text(encoding="utf-8")


def test_json_schema_rejects_what_version_1_does_not_allow(scenario):
    """The shipped schema is strict where it must be: a test that cannot fail proves nothing."""
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    doc = json.loads(render("json"))
    validator = jsonschema.Draft7Validator(schema)
    assert not list(validator.iter_errors(doc))
    broken = json.loads(json.dumps(doc))
    broken["findings"][0]["line"] = 0
    del broken["findings"][1]["message"]
    broken["findings"][2]["notes"] = "one string"
    broken["version"] = 2
    assert len(list(validator.iter_errors(broken))) == 4


def test_sarif_from_a_subdirectory_names_files_from_the_repository_root(scenario, monkeypatch):
    monkeypatch.chdir(scenario / "deploy")
    r = CliRunner().invoke(main, ["check", ".", "--format", "sarif", "--no-color"], catch_exceptions=False)
    doc = json.loads(r.stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in doc["runs"][0]["results"] for loc in res["locations"]}
    assert uris and all(u.startswith("deploy/") for u in uris), uris
    root_doc = json.loads(render("sarif"))
    root_uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
                 for res in root_doc["runs"][0]["results"] for loc in res["locations"]}
    assert uris <= root_uris


def test_scenario_has_cross_file_findings(scenario):
    doc = json.loads(render("json"))
    codes = {(f["path"], f["code"]) for f in doc["findings"]}
    assert ("deploy/payments.yaml", "RCL101") in codes   # related: the RuntimeClass in another file
    assert ("deploy/runtimeclasses.yaml", "RCL102") in codes  # the node config decides
    assert any(r["path"] != f["path"] for f in doc["findings"] for r in f["related"])
