"""Every example in rules/*.yaml runs as a test, with only its rule enabled.

Bad examples must produce exactly the findings their `# expect: CODE@COLUMN` markers name
(code, file, line and column); good examples must produce none.
"""

from __future__ import annotations

import pytest

from rclint.catalog import load_catalog

from helpers import expectations, found, lint, write_files

CASES = [
    pytest.param(rule, ex, id=f"{rule.id}-{i}-{ex.kind}")
    for rule in load_catalog().values()
    for i, ex in enumerate(rule.examples)
]


@pytest.mark.parametrize("rule,example", CASES)
def test_rule_example(tmp_path, rule, example):
    write_files(tmp_path, example.files)
    expected = expectations(example.files)
    if example.kind == "bad":
        assert expected, f"{rule.id} bad example {example.name!r} has no # expect: marker"
    else:
        assert example.kind == "good", example.kind
        assert not expected, f"good example {example.name!r} carries expect markers"
    result = lint(tmp_path, select=[rule.id], config=example.config, paths=list(example.args) or ["."])
    assert found(result) == expected
    assert all(f.code == rule.id for f in result.findings)


def test_every_rule_has_bad_and_good_examples():
    for rule in load_catalog().values():
        kinds = {ex.kind for ex in rule.examples}
        assert kinds == {"bad", "good"}, f"{rule.id} needs at least one bad and one good example"
