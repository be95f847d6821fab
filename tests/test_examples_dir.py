"""The bundled example the README's first command lints: exactly these findings."""

from __future__ import annotations

from pathlib import Path

from helpers import found

REPO = Path(__file__).resolve().parents[1]


def test_bundled_example_findings(monkeypatch):
    from rclint.engine import run
    from rclint.settings import load_settings

    monkeypatch.chdir(REPO)
    result = run(load_settings(["examples/"]))
    assert found(result) == [
        ("examples/nodes/kata/etc/containerd/config.toml", 13, 3, "RCL307"),
        ("examples/runtimeclasses.yaml", 15, 13, "RCL206"),
        ("examples/runtimeclasses.yaml", 18, 9, "RCL109"),
        ("examples/runtimeclasses.yaml", 19, 10, "RCL102"),
        ("examples/runtimeclasses.yaml", 21, 3, "RCL104"),
        ("examples/runtimeclasses.yaml", 22, 5, "RCL207"),
        ("examples/workloads.yaml", 14, 25, "RCL101"),
        ("examples/workloads.yaml", 25, 21, "RCL101"),
        ("examples/workloads.yaml", 37, 16, "RCL401"),
        ("examples/workloads.yaml", 39, 37, "RCL106"),
    ]



def test_readme_shows_the_real_output_full_and_concise(monkeypatch):
    """The README's first examples are this command's output, verbatim."""
    import re

    from click.testing import CliRunner

    from rclint.cli import main

    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    readme = (REPO / "README.md").read_text()
    quick = readme[readme.index("## Quick start"):readme.index("## Usage")]
    full_block, concise_block = re.findall(r"```text\n(.*?)```", quick, re.S)
    full = CliRunner().invoke(main, ["check", "examples/", "--no-color"]).stdout
    concise = CliRunner().invoke(main, ["check", "examples/", "--output-format", "concise"]).stdout
    assert full_block.startswith("error[RCL101] ")
    for block in full_block.rstrip("\n").split("\n\n"):
        assert block + "\n" in full
    assert concise_block == concise
