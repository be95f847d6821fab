"""Project-level promises: the README's commands, CI, packaging of rules and schemas."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from rclint.catalog import load_catalog, markdown_table

REPO = Path(__file__).resolve().parents[1]


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def sh_blocks(text: str):
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def test_readme_leads_with_install_and_test_commands():
    blocks = sh_blocks(readme())
    install, test = blocks[0].strip(), blocks[1].strip()
    assert "pip install ." in install and "rclint check examples/" in install
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    test_cmd = sh_blocks(readme())[1].strip()
    assert test_cmd in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_rules_table_is_current():
    text = readme()
    m = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", text, re.S)
    assert m, "README lost its rules-table markers"
    assert m.group(1) == markdown_table(load_catalog()), "regenerate with: rclint rules --format markdown"


def test_rule_files_and_schemas_ship_in_the_wheel(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("rclint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in (REPO / "rules").glob("RCL*.yaml"):
        assert f"rclint/_rules/{rule.name}" in names
    for schema in (REPO / "schemas").glob("*.json"):
        assert f"rclint/_schemas/{schema.name}" in names


def test_catalogue_matches_rule_files():
    files = sorted(p.stem for p in (REPO / "rules").glob("RCL*.yaml"))
    assert sorted(load_catalog()) == files
    for rule in load_catalog().values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.id
        assert rule.rationale and rule.remediation and rule.references, rule.id
        assert all(ref.startswith("https://") for ref in rule.references), rule.id
