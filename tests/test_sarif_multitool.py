"""Microsoft's SARIF validator (the SARIF Multitool) with its GitHub rules, when it is installed.

The JSON Schema (test_reporters.py) checks structure; the Multitool also checks what GitHub
code scanning needs (rules GH1001-GH1018, GH2012: a `$schema`, `results`, locations with a
URI and a region, rule help and descriptions, relative or file: URIs) and SARIF's own
consistency rules (indexes, uriBaseIds, regions). We require no error and no warning.
Notes are allowed; today they are advice that does not fit a linter of YAML/TOML files:

- SARIF2002 message id + arguments instead of text (GitHub needs the text: GH1007),
- SARIF2003 versionControlProvenance (would put the commit and clone URL in the report),
- SARIF2006 URIs not reachable (only because this machine has no network),
- SARIF2010/SARIF2011 code snippets and context regions (would copy the user's files),
- SARIF2012 rule names not PascalCase (rclint's names are kebab-case, as `rclint rule` shows).

Where the tool is looked for: `$RCLINT_SARIF_MULTITOOL_DIR`, else /tmp/sarif-tool; a directory
where `npm install @microsoft/sarif-multitool` was run. CI installs it with:

    mkdir -p /tmp/sarif-tool && cd /tmp/sarif-tool
    npm install --no-save --no-audit --no-fund @microsoft/sarif-multitool@5.7.0
    chmod u+x node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from rclint.catalog import load_catalog
from rclint.reporters import sarif

from test_reporters import GOLDEN, clean, fixed_catalog, scenario, validate_sarif

DEFAULT_DIR = "/tmp/sarif-tool"


def tool_dir() -> Path:
    env = os.environ.get("RCLINT_SARIF_MULTITOOL_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(DEFAULT_DIR))
    for d in candidates:
        if (d / "node_modules" / ".bin" / "sarif-multitool").exists():
            return d
    where = " or ".join(str(d) for d in candidates)
    pytest.skip(
        f"SARIF Multitool not installed (looked in {where}); install it with "
        f"`mkdir -p {DEFAULT_DIR} && cd {DEFAULT_DIR} && npm install @microsoft/sarif-multitool` "
        "or set RCLINT_SARIF_MULTITOOL_DIR"
    )


def run_multitool(files, tmp_path: Path) -> list:
    """Validate `files`; return the Multitool's findings (results of its output log)."""
    d = tool_dir()
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx (Node.js) is not on PATH, so the SARIF Multitool cannot run")
    out = tmp_path / "multitool-result.sarif"
    # npx runs the tool through a shell: the inner quotes keep ';' from ending the command.
    cmd = [npx, "--no-install", "sarif-multitool", "validate",
           "--rule-kind", '"Sarif;Gh"', "--level", '"Error;Warning;Note"',
           "-o", str(out), *[str(f) for f in files]]
    proc = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=600)
    assert out.is_file(), f"the Multitool wrote no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    findings = []
    for run in log.get("runs", []):
        for res in run.get("results", []):
            loc = res.get("locations", [{}])[0].get("physicalLocation", {})
            findings.append({
                "level": res.get("level", "warning"),
                "rule": res.get("ruleId"),
                "where": loc.get("artifactLocation", {}).get("uri", ""),
                "arguments": res.get("message", {}).get("arguments", []),
            })
        for inv in run.get("invocations", []):
            for n in inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", []):
                if n.get("level", "warning") in ("error", "warning"):
                    findings.append({"level": n.get("level", "warning"), "rule": "tool-notification",
                                     "where": "", "arguments": [n.get("message", {}).get("text", "")]})
    return findings


def test_multitool_accepts_rclint_sarif(tmp_path):
    files = [GOLDEN / "report.sarif"]
    for name, text in (
        ("clean.sarif", sarif.render(clean(), fixed_catalog())),
        ("shipped-rules.sarif", sarif.render(scenario(), load_catalog(), automation_id="rclint/manifests/")),
    ):
        validate_sarif(text)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    findings = run_multitool(files, tmp_path)
    bad = [f for f in findings if f["level"] in ("error", "warning")]
    notes = Counter(f["rule"] for f in findings if f["level"] == "note")
    print("SARIF Multitool notes:", dict(sorted(notes.items())))
    assert not bad, "SARIF Multitool errors/warnings:\n" + "\n".join(
        f"{f['level']} {f['rule']} {f['where']}: {f['arguments']}" for f in bad
    )


def test_multitool_accepts_engine_scenario_and_real_corpus(tmp_path, shared, monkeypatch):
    from rclint.engine import run
    from rclint.settings import load_settings

    files = [Path(__file__).resolve().parent / "golden" / "engine" / "report.sarif"]
    monkeypatch.chdir(shared / "corpus" / "real")
    result = run(load_settings(["."], isolated=True))
    text = sarif.render(result, load_catalog(), automation_id="rclint/corpus/")
    validate_sarif(text)
    assert len(json.loads(text)["runs"][0]["results"]) == len(result.findings) > 50
    path = tmp_path / "corpus.sarif"
    path.write_text(text, encoding="utf-8")
    files.append(path)
    findings = run_multitool(files, tmp_path)
    bad = [f for f in findings if f["level"] in ("error", "warning")]
    assert not bad, "SARIF Multitool errors/warnings:\n" + "\n".join(
        f"{f['level']} {f['rule']} {f['where']}: {f['arguments']}" for f in bad
    )


def test_multitool_accepts_sarif_written_from_a_subdirectory(tmp_path, monkeypatch):
    """Run from a subdirectory of the repository, URIs still start at its root (%SRCROOT%)."""
    from click.testing import CliRunner

    from rclint.cli import main
    from test_golden_engine import SCENARIO

    from helpers import write_files

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write_files(repo, SCENARIO)
    monkeypatch.chdir(repo / "deploy")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    r = CliRunner().invoke(main, ["check", ".", "--node-config", "../nodes", "-f", "sarif"], catch_exceptions=False)
    validate_sarif(r.stdout)
    doc = json.loads(r.stdout)
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in doc["runs"][0]["results"] for loc in res["locations"]]
    assert "deploy/payments.yaml" in uris and "nodes/kata/etc/containerd/config.toml" in uris
    path = tmp_path / "subdir.sarif"
    path.write_text(r.stdout, encoding="utf-8")
    findings = run_multitool([path], tmp_path)
    bad = [f for f in findings if f["level"] in ("error", "warning")]
    assert not bad, "SARIF Multitool errors/warnings:\n" + "\n".join(
        f"{f['level']} {f['rule']} {f['where']}: {f['arguments']}" for f in bad
    )
